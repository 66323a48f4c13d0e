"""Outputs never overwrite an input of the same run, and git revisions are checked before git sees them.

Datasets and rule packs come from pull requests and the engine runs in CI with the runner's rights:
an output aimed at a dataset, a rule pack or the baseline (directly, through `..`, a symbolic link
or a hard link) is refused with exit 2 before anything runs, and the input keeps its bytes and
mtime. A revision that git would read as an option (`--diff-base=--output=FILE`) is refused, and
git is only ever given the commit id the revision resolves to.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, audit_cli

DATASET = ROOT / "datasets" / "azerbaijan-2019"


@pytest.fixture
def work(tmp_path) -> Path:
    """A working directory holding a dataset `ds`, the rule packs under `rules/` and a baseline."""
    shutil.copytree(DATASET, tmp_path / "ds")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    out = audit_cli("baseline", "create", "ds", "-o", "base.yaml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    doc = yaml.safe_load((tmp_path / "base.yaml").read_text())
    for entry in doc["entries"]:
        entry["reason"] = "printed in the source"
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return tmp_path


def snapshot(work: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime of every input file: the dataset, the rule packs, the baseline."""
    files = [p for top in ("ds", "rules") for p in (work / top).rglob("*")] + [work / "base.yaml"]
    return {str(p.relative_to(work)): (p.read_bytes(), p.stat().st_mtime_ns) for p in files if p.is_file()}


def refused(work: Path, *args: str, output: str, input: str) -> str:
    """Run the command; it must exit 2 with one message naming the output and the input, and write nothing."""
    before = snapshot(work)
    out = audit_cli(*args, cwd=work)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("  hint: "), out.stderr
    assert lines[0].startswith(f"audit: {output}: refusing to write "), out.stderr
    assert f"'{input}', an input of this run" in lines[0], out.stderr
    assert snapshot(work) == before  # no input changed, and none was added to the dataset or the packs
    return lines[0]


def link(work: Path, name: str, target: str, hard: bool = False) -> None:
    (os.link if hard else os.symlink)(work / target, work / name)


# Every command that writes, aimed at every kind of input, spelt every way that reaches it.
CASES = {
    "check --output the descriptor": (["check", "ds", "--output", "ds/datapackage.yaml"],
                                      "ds/datapackage.yaml", "ds", None),
    "check --output through ..": (["check", "ds", "--output", "ds/../ds/datapackage.yaml"],
                                  "ds/../ds/datapackage.yaml", "ds", None),
    "check --output a new file in the dataset": (["check", "ds", "-o", "ds/report.json", "--format", "json"],
                                                 "ds/report.json", "ds", None),
    "check --output a symlink to the descriptor": (["check", "ds", "--output", "out.json"],
                                                   "out.json", "ds", ("out.json", "ds/datapackage.yaml", False)),
    "check --output a dangling symlink into the dataset": (["check", "ds", "--output", "out.json"],
                                                           "out.json", "ds", ("out.json", "ds/new.json", False)),
    "check --output a hard link to the descriptor": (["check", "ds", "--output", "out.json"],
                                                     "out.json", "ds", ("out.json", "ds/datapackage.yaml", True)),
    "check of a descriptor path --output it": (["check", "ds/datapackage.yaml", "--output", "ds/datapackage.yaml"],
                                               "ds/datapackage.yaml", "ds", None),
    "check --output a rule of the pack found from the profile": (
        ["check", "ds", "--output", "rules/mine-action/totals.yaml"], "rules/mine-action/totals.yaml",
        "rules/mine-action", None),
    "check --output a new rule file in the --rules pack": (
        ["check", "ds", "--rules", "rules/mine-action", "--output", "rules/mine-action/extra.yaml"],
        "rules/mine-action/extra.yaml", "rules/mine-action", None),
    "check --output the --baseline": (["check", "ds", "--baseline", "base.yaml", "--output", "base.yaml"],
                                      "base.yaml", "base.yaml", None),
    "check --output a hard link to the --baseline": (
        ["check", "ds", "--baseline", "base.yaml", "--output", "copy.yaml"], "copy.yaml", "base.yaml",
        ("copy.yaml", "base.yaml", True)),
    "report --out the dataset folder": (["report", "ds", "--out", "ds"], "ds", "ds", None),
    "report --out a folder inside the dataset": (["report", "ds", "--out", "ds/reports"], "ds/reports", "ds", None),
    "report --out a symlink to the dataset": (["report", "ds", "--out", "reports"], "reports", "ds",
                                              ("reports", "ds", False)),
    "report --out a folder whose index.html links to the descriptor": (
        ["report", "ds", "--out", "reports"], "reports/index.html", "ds", ("reports/index.html", "ds/datapackage.yaml",
                                                                           False)),
    "report --out the rule pack": (["report", "ds", "--out", "rules/mine-action"], "rules/mine-action",
                                   "rules/mine-action", None),
    "export -o into the dataset": (["export", "ds", "-o", "ds/findings.csv"], "ds/findings.csv", "ds", None),
    "export -o a symlink to a table": (["export", "ds", "-o", "findings.csv"], "findings.csv", "ds",
                                       ("findings.csv", "ds/table1-mined-area-by-type.csv", False)),
    "explain -o the claims": (["explain", "ds", "-o", "ds/claims.yaml"], "ds/claims.yaml", "ds", None),
    "explain --write-corrected the dataset": (["explain", "ds", "--write-corrected", "ds"], "ds", "ds", None),
    "explain --write-corrected inside the dataset": (["explain", "ds", "--write-corrected", "ds/fixed"],
                                                     "ds/fixed", "ds", None),
    "explain --write-corrected a symlink into the pack": (
        ["explain", "ds", "--write-corrected", "fixed"], "fixed", "rules/mine-action",
        ("fixed", "rules/mine-action/new", False)),
    "baseline create -o the descriptor": (["baseline", "create", "ds", "-o", "ds/datapackage.yaml"],
                                          "ds/datapackage.yaml", "ds", None),
    "baseline create -o a rule file": (["baseline", "create", "ds", "-o", "rules/mine-action/totals.yaml"],
                                       "rules/mine-action/totals.yaml", "rules/mine-action", None),
}


@pytest.mark.parametrize("args,output,input,planted", CASES.values(), ids=CASES.keys())
def test_an_output_aimed_at_an_input_is_refused(work, args, output, input, planted):
    if planted:
        name, target, hard = planted
        (work / name).parent.mkdir(exist_ok=True)
        link(work, name, target, hard)
    refused(work, *args, output=output, input=input)
    assert not (work / "ds" / "new.json").exists() and not (work / "rules" / "mine-action" / "new").exists()
    assert not (work / "ds" / "reports").exists() and not (work / "ds" / "fixed").exists()


def test_the_message_says_where_a_link_leads(work):
    link(work, "out.json", "ds/datapackage.yaml")
    line = refused(work, "check", "ds", "--output", "out.json", output="out.json", input="ds")
    assert f"(it resolves to {work.resolve() / 'ds' / 'datapackage.yaml'})" in line


def test_a_hard_link_is_named_with_the_input_file_it_shares(work):
    link(work, "out.json", "ds/datapackage.yaml", hard=True)
    line = refused(work, "check", "ds", "--output", "out.json", output="out.json", input="ds")
    assert "a hard link to 'ds/datapackage.yaml'" in line


def test_an_input_is_named_even_when_the_output_is_spelt_otherwise(work):
    line = refused(work, "check", "ds", "--output", "ds/../ds/datapackage.yaml",
                   output="ds/../ds/datapackage.yaml", input="ds")
    assert line.startswith("audit: ds/../ds/datapackage.yaml: refusing to write --output inside the dataset folder "
                           "'ds', an input of this run")


def test_a_refusal_comes_before_the_pack_is_loaded_or_anything_runs(work):
    """With a broken rule file, the refusal is still what is reported: nothing was loaded, run or made."""
    rules = work / "rules" / "mine-action" / "totals.yaml"
    rules.write_text(rules.read_text().replace("kind: totals", "kind: [totals", 1))
    for args, output in ((["check", "ds", "-o", "ds/datapackage.yaml"], "ds/datapackage.yaml"),
                         (["explain", "ds", "--write-corrected", "ds/fixed"], "ds/fixed"),
                         (["report", "ds", "--out", "ds/reports/deeper"], "ds/reports/deeper"),
                         (["export", "ds", "-o", "ds/findings.parquet"], "ds/findings.parquet"),
                         (["baseline", "create", "ds", "-o", "ds/claims.yaml"], "ds/claims.yaml")):
        refused(work, *args, output=output, input="ds")
    assert not (work / "ds" / "reports").exists() and not (work / "ds" / "fixed").exists()


def test_outputs_beside_the_inputs_are_still_written(work):
    out = audit_cli("check", "ds", "--baseline", "base.yaml", "--output", "out.json", "--format", "json", cwd=work)
    assert out.returncode == 0, out.stderr
    assert (work / "out.json").read_text().startswith("{")
    # a link to a file that is no input is followed as before
    (work / "elsewhere").mkdir()
    link(work, "report.json", "elsewhere/report.json")
    out = audit_cli("check", "ds", "--output", "report.json", cwd=work)
    assert out.returncode == 1 and (work / "elsewhere" / "report.json").is_file()
    out = audit_cli("report", "ds", "--out", "reports", cwd=work)
    assert out.returncode == 0 and (work / "reports" / "index.html").is_file()
    out = audit_cli("export", "ds", "-o", "findings.csv", cwd=work)
    assert out.returncode == 0 and (work / "findings.csv").is_file()


def test_baseline_create_may_rewrite_the_existing_baseline(work):
    """Refreshing a baseline is its documented use: the baseline is the output of `baseline create`, not an input."""
    entries = len(yaml.safe_load((work / "base.yaml").read_text())["entries"])
    out = audit_cli("baseline", "create", "ds", "-o", "base.yaml", cwd=work)
    assert out.returncode == 0, out.stderr
    assert f"wrote {entries} entries to base.yaml ({entries} kept their reason)" in out.stderr
    assert "reason: printed in the source" in (work / "base.yaml").read_text()


# Revisions

def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(DATASET, repo / "datasets" / "azerbaijan-2019")
    shutil.copytree(ROOT / "rules", repo / "rules")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.org")
    git(repo, "config", "user.name", "CI")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a dataset")
    return repo


OPTION_REVISIONS = {
    "check --diff-base=--output": (["check", "datasets", "--diff-base=--output={file}"], "--output={file}"),
    "check --diff-base=--output, relative": (["check", "datasets", "--diff-base=--output=pwned.txt"],
                                             "--output=pwned.txt"),
    "diff OLD=--output": (["diff", "--", "--output={file}", "HEAD"], "--output={file}"),
    "diff NEW=--output": (["diff", "HEAD", "--", "--output={file}"], "--output={file}"),
    "diff OLD=--output with paths": (["diff", "--format", "json", "--", "--output={file}", "HEAD", "datasets"],
                                     "--output={file}"),
}


@pytest.mark.parametrize("args,rev", OPTION_REVISIONS.values(), ids=OPTION_REVISIONS.keys())
def test_a_revision_that_git_would_read_as_an_option_is_refused(repo, tmp_path, args, rev):
    file = tmp_path / "pwned.txt"
    args = [a.format(file=file) for a in args]
    out = audit_cli(*args, cwd=repo)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert out.stderr.strip() == (f"audit: {rev.format(file=file)}: a git revision cannot start with '-' "
                                  "(git would read it as an option)")
    assert not file.exists() and not (repo / "pwned.txt").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_an_unknown_diff_base_is_refused_before_the_audit(repo):
    out = audit_cli("check", "datasets", "--diff-base", "no-such-branch", cwd=repo)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stdout == ""  # refused before any report
    assert out.stderr.startswith("audit: no-such-branch: not a commit of this git repository")


class GitCalls:
    """Records the arguments of every git command the engine runs (and runs it)."""

    def __init__(self, monkeypatch):
        self.calls: list[list[str]] = []
        real = subprocess.run

        def run(cmd, *a, **kw):
            if cmd and cmd[0] == "git":
                self.calls.append([str(c) for c in cmd])
            return real(cmd, *a, **kw)

        monkeypatch.setattr(subprocess, "run", run)

    def after_validation(self, *texts: str) -> list[list[str]]:
        """The git commands other than the ones validating `texts`, which must have run."""
        checks = [["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{t}^{{commit}}"] for t in texts]
        assert all(c in self.calls for c in checks), self.calls
        return [c for c in self.calls if c not in checks]


def test_diff_base_reaches_git_diff_as_a_commit_id(repo, monkeypatch):
    from audit.gitlines import changed_lines

    sha = git(repo, "rev-parse", "HEAD").strip()
    table = "datasets/azerbaijan-2019/table3-mine-clearance-2018.csv"
    (repo / table).write_text((repo / table).read_text().replace("Fizuli,ANAMA,3,238396,25,",
                                                                 "Fizuli,ANAMA,3,238396,26,"))
    calls = GitCalls(monkeypatch)
    assert changed_lines("main", [table], cwd=repo) == {table: {2}}
    diffs = [c for c in calls.calls if "diff" in c]
    assert diffs and all("main" not in c for c in calls.after_validation("main"))
    assert all(sha in c and c[c.index("--") + 1:] == [table] for c in diffs)


def test_diff_revisions_reach_git_as_commit_ids(repo, monkeypatch, capsys):
    from audit.cli import main

    sha = git(repo, "rev-parse", "HEAD").strip()
    monkeypatch.chdir(repo)
    calls = GitCalls(monkeypatch)
    assert main(["diff", "--format", "json", "main", "HEAD", "--", "datasets"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == {"new": 0, "resolved": 0, "unchanged": 13}
    used = [c for c in calls.after_validation("main", "HEAD") if c[1:] != ["rev-parse", "--show-toplevel"]]
    assert {c[1] if c[1] != "--literal-pathspecs" else c[2] for c in used} == {"cat-file", "archive"}
    for c in used:
        assert "main" not in c and "HEAD" not in c, c
        assert any(a == sha or a.startswith(f"{sha}:") for a in c), c
    archives = [c for c in used if "archive" in c]
    assert archives and all(c[c.index("--") + 1:] == ["datasets", "rules"] for c in archives)


def test_extracting_a_revision_takes_only_a_commit_id(repo, tmp_path):
    from audit.diff import extract_revision

    with pytest.raises(ValueError, match="commit id"):
        extract_revision(repo, "--output=" + str(tmp_path / "pwned.tar"), ["datasets"], tmp_path / "x")
    assert not (tmp_path / "pwned.tar").exists()


def test_write_corrected_into_a_file_is_refused_plainly(work):
    (work / "notes.txt").write_text("mine")
    out = audit_cli("explain", "ds", "--write-corrected", "notes.txt", cwd=work)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.startswith("audit: notes.txt: the corrected copy needs a new or empty folder; "
                                 "this is not a folder")
    assert (work / "notes.txt").read_text() == "mine"


def test_write_corrected_itself_refuses_the_dataset_folder(work):
    from audit.dataset import load_dataset
    from audit.errors import AuditInputError
    from audit.explain.apply import write_corrected

    before = snapshot(work)
    for target in (work / "ds" / "fixed", work / "ds" / ".." / "ds"):
        with pytest.raises(AuditInputError, match="refusing to write the corrected copy"):
            write_corrected(load_dataset(work / "ds"), [], target)
    assert snapshot(work) == before
