"""Which lines of which files changed since a git revision, so that a finding's locations on
changed lines come first: CI annotations (which use the first location) then land on the line a
pull request changed."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .errors import AuditInputError, Problem
from .findings import Run

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def commit_id(rev: str, cwd: Path | None = None) -> str | None:
    """The full id of the commit `rev` names in the repository at `cwd`, or None when it names none.

    No other git command is given a revision as the user wrote it, only the id this returns; here
    git is told where its options end, and a text starting with '-' is not passed at all.
    """
    if not rev or rev.startswith("-"):
        return None
    out = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                         cwd=cwd or Path.cwd(), capture_output=True, text=True)
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and COMMIT_ID.fullmatch(sha) else None


def resolve_commit(rev: str, cwd: Path | None = None,
                   unknown: str = "not a commit of this git repository") -> str:
    """`commit_id`, or an AuditInputError (exit 2) saying why `rev` cannot be used."""
    if rev.startswith("-"):
        raise AuditInputError(Problem(rev, "a git revision cannot start with '-' (git would read it as an option)"))
    sha = commit_id(rev, cwd)
    if sha is None:
        raise AuditInputError(Problem(rev, unknown))
    return sha


def changed_lines(base: str, files: list[str], cwd: Path | None = None) -> dict[str, set[int]]:
    """Lines added or modified since the revision `base` (in the working tree), per file as given."""
    cwd = cwd or Path.cwd()
    sha = resolve_commit(base, cwd)
    out = subprocess.run(["git", "--literal-pathspecs", "diff", "--no-color", "--no-ext-diff", "--no-textconv",
                          "-U0", sha, "--", *files], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        raise AuditInputError(Problem(base, f"git diff against '{base}' failed: {out.stderr.strip()}"))
    root = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True,
                               text=True).stdout.strip())
    by_repo_path = {str((cwd / f).resolve().relative_to(root.resolve())): f for f in files
                    if (cwd / f).resolve().is_relative_to(root.resolve())}
    result: dict[str, set[int]] = {}
    current = None
    for line in out.stdout.splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
            current = by_repo_path.get(path) if path else None
            continue
        m = _HUNK.match(line)
        if m and current is not None:
            start, count = int(m.group(1)), int(m.group(2) or 1)
            result.setdefault(current, set()).update(range(start, start + count))
    return result


def changed_first(runs: list[Run], base: str) -> None:
    """Put each finding's locations on lines changed since the revision `base` first."""
    files = sorted({loc.file for run in runs for f in run.findings for loc in f.locations})
    changed = changed_lines(base, files)
    for run in runs:
        for f in run.findings:
            f.locations.sort(key=lambda loc: 0 if loc.row in changed.get(loc.file, ()) else 1)
