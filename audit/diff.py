"""Compare the findings of two versions of datasets: new, resolved and unchanged.

The versions are two folders, or two git revisions of the repository in the working directory
(`audit diff main HEAD -- datasets/`), which are extracted to temporary folders with
`git archive` (the working tree is never touched). A finding is unchanged when the same
discrepancy (dataset, fingerprint) has the same values in both; otherwise it is new in the newer
version and, if it existed with other values, resolved in the older.
"""
from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .baseline import same
from .errors import AuditInputError, Problem
from .findings import SCHEMA_VERSION, Finding, Run
from .gitlines import COMMIT_ID


@dataclass
class Diff:
    old: str
    new: str
    new_findings: list[tuple[str, Finding]] = field(default_factory=list)
    resolved: list[tuple[str, Finding]] = field(default_factory=list)
    unchanged: list[tuple[str, Finding]] = field(default_factory=list)

    def to_dict(self) -> dict:
        def items(pairs):
            return [{"dataset": d, **f.to_dict()} for d, f in pairs]
        # "new" holds the new findings (it always did: the version's name was overwritten by them)
        return {"version": SCHEMA_VERSION, "old": self.old, "versions": {"old": self.old, "new": self.new},
                "summary": {"new": len(self.new_findings), "resolved": len(self.resolved),
                            "unchanged": len(self.unchanged)},
                "new": items(self.new_findings), "resolved": items(self.resolved),
                "unchanged": items(self.unchanged)}


def compare_runs(old_runs: list[Run], new_runs: list[Run], old: str, new: str) -> Diff:
    diff = Diff(old, new)
    old_items = [(r.dataset, f) for r in old_runs for f in r.findings]
    new_items = [(r.dataset, f) for r in new_runs for f in r.findings]

    def key_match(a: tuple[str, Finding], b: tuple[str, Finding]) -> bool:
        return (a[0] == b[0] and a[1].fingerprint == b[1].fingerprint and same(a[1].observed, b[1].observed)
                and same(a[1].expected, b[1].expected))

    for item in new_items:
        (diff.unchanged if any(key_match(item, o) for o in old_items) else diff.new_findings).append(item)
    diff.resolved = [o for o in old_items if not any(key_match(o, n) for n in new_items)]
    return diff


def git_root(cwd: Path) -> Path:
    out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        raise AuditInputError(Problem(str(cwd), "not a folder, and not inside a git repository",
                                      hint="give two dataset folders, or run inside the repository"))
    return Path(out.stdout.strip())


def extract_revision(repo: Path, rev: str, paths: list[str], into: Path) -> None:
    """Write the files of `paths` at commit `rev` under `into` (nothing else is touched). `rev` is a
    commit id from `gitlines.resolve_commit`, never a user's text, which git could read as an option."""
    if not COMMIT_ID.fullmatch(rev):
        raise ValueError(f"extract_revision takes a commit id, not {rev!r}")
    existing = []
    for p in paths:
        check = subprocess.run(["git", "cat-file", "-e", f"{rev}:{p.strip('/')}"], cwd=repo, capture_output=True)
        if check.returncode == 0:
            existing.append(p.strip("/"))
    if not existing:
        into.mkdir(parents=True, exist_ok=True)
        return
    out = subprocess.run(["git", "--literal-pathspecs", "archive", "--format=tar", rev, "--", *existing], cwd=repo,
                         capture_output=True)
    if out.returncode != 0:
        raise AuditInputError(Problem(str(repo), f"git archive {rev} failed: {out.stderr.decode().strip()}"))
    with tarfile.open(fileobj=io.BytesIO(out.stdout)) as tar:
        tar.extractall(into, filter="data")


def revision_trees(repo: Path, old: str, new: str, paths: list[str]):
    """Temporary folders holding `paths` (and the rule packs) at two commits, given by their ids."""
    tmp = tempfile.TemporaryDirectory(prefix="audit-diff-")
    root = Path(tmp.name)
    wanted = list(paths) + (["rules"] if "rules" not in paths else [])
    for label, rev in (("old", old), ("new", new)):
        extract_revision(repo, rev, wanted, root / label)
    return tmp, root / "old", root / "new"


def relocate(runs: list[Run], root: Path) -> None:
    """Show files of an extracted revision as paths in the repository."""
    prefix = str(root).rstrip("/") + "/"
    for run in runs:
        run.path = run.path.replace(prefix, "", 1)
        for f in run.findings:
            for loc in f.locations:
                if loc.file.startswith(prefix):
                    loc.file = loc.file[len(prefix):]


def _where(f: Finding) -> str:
    loc = f.locations[0] if f.locations else None
    return loc.place if loc and (loc.row or loc.cell) else (loc.file if loc else "")


def render_text(diff: Diff, stream) -> None:
    """The diff on a terminal; every value through `audit.escape.terminal_markup`."""
    from rich.console import Console

    from .escape import terminal_markup as esc

    console = Console(file=stream, soft_wrap=True, highlight=False, emoji=False)
    console.print(f"[bold]audit diff {esc(diff.old)} → {esc(diff.new)}[/]")
    for title, pairs, style in (("NEW", diff.new_findings, "bold red"), ("RESOLVED", diff.resolved, "green")):
        console.print(f"\n[{style}]{title} ({len(pairs)})[/]")
        for dataset, f in pairs:
            console.print(f"  {esc(f'{f.severity:<7}')} [bold]{esc(f.rule)}[/] {esc(dataset)}: {esc(f.message)}")
            console.print(f"          at {esc(_where(f))}", style="dim")
    console.print(f"\n{len(diff.new_findings)} new, {len(diff.resolved)} resolved, {len(diff.unchanged)} unchanged")


def render_markdown(diff: Diff, stream) -> None:
    """A summary fit for a pull-request comment; every value through `audit.escape` (table cells
    `markdown_cell`, code `markdown_code`, list items `markdown_text`), so nothing in the data can
    open a tag, close the `<details>`, mention anyone, link, or break the table."""
    from .escape import markdown_cell, markdown_code, markdown_text

    n, r, u = len(diff.new_findings), len(diff.resolved), len(diff.unchanged)
    icon = "❌" if any(f.severity == "error" for _, f in diff.new_findings) else "✅"
    stream.write(f"### {icon} audit: {n} new, {r} resolved, {u} unchanged\n\n")
    stream.write(f"Findings of {markdown_code(diff.new)} compared with {markdown_code(diff.old)}.\n")
    for title, pairs in (("New findings", diff.new_findings), ("Resolved findings", diff.resolved)):
        if not pairs:
            continue
        stream.write(f"\n#### {title}\n\n| severity | rule | dataset | finding | where |\n|---|---|---|---|---|\n")
        for dataset, f in pairs:
            stream.write(f"| {markdown_cell(f.severity)} | {markdown_code(f.rule)} | {markdown_cell(dataset)} | "
                         f"{markdown_cell(f.message)} | {markdown_code(_where(f))} |\n")
    if u:
        stream.write(f"\n<details><summary>{u} unchanged findings</summary>\n\n")
        for dataset, f in diff.unchanged:
            stream.write(f"- {markdown_text(f.severity)} {markdown_code(f.rule)} {markdown_text(dataset)}: "
                         f"{markdown_text(f.message)}\n")
        stream.write("\n</details>\n")


def render_json(diff: Diff, stream) -> None:
    from .escape import json_dumps

    stream.write(json_dumps(diff.to_dict()) + "\n")
