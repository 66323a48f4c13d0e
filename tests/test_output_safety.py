"""Outputs never overwrite an input of the same run, and git revisions are checked before git sees them.

Datasets and rule packs come from pull requests and the engine runs in CI with the runner's rights:
an output aimed at a dataset, a rule pack or the baseline (directly, through `..`, a symbolic link
or a hard link) is refused with exit 2 before anything runs, and the input keeps its bytes and
mtime. A revision that git would read as an option (`--diff-base=--output=FILE`) is refused, and
git is only ever given the commit id the revision resolves to.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, audit_cli

DATASET = ROOT / "datasets" / "azerbaijan-2019"


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

    def after_validation(self, text: str) -> list[list[str]]:
        """The git commands other than the one that validates `text`."""
        return [c for c in self.calls if not (c[1:5] == ["rev-parse", "--verify", "--quiet", "--end-of-options"]
                                              and c[5] == f"{text}^{{commit}}")]


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
    used = [c for c in calls.calls if c[1:3] != ["rev-parse", "--verify"] and c[1:3] != ["rev-parse", "--show-toplevel"]]
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

