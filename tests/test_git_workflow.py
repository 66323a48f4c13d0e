"""End to end, as a repository's CI would use it: a throw-away git repository holds a bundled
dataset and a committed baseline; changes are audited through the real entry point."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from .conftest import ROOT, audit_cli

TABLE3 = "datasets/azerbaijan-2019/table3-mine-clearance-2018.csv"


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", repo / "datasets" / "azerbaijan-2019")
    shutil.copytree(ROOT / "rules", repo / "rules")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.org")
    git(repo, "config", "user.name", "CI")
    out = audit_cli("baseline", "create", "datasets", "-o", "audit-baseline.yaml", cwd=repo)
    assert out.returncode == 0, out.stderr
    fill_reasons(repo / "audit-baseline.yaml", "printed in the source; reported to the authors")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "dataset and baseline")
    return repo


def fill_reasons(path, reason, **extra):
    doc = yaml.safe_load(path.read_text())
    for e in doc["entries"]:
        e["reason"] = e["reason"] or reason
        e.update(extra)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def change_cell(repo, old, new, path=TABLE3):
    file = repo / path
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new))


def check(repo, *extra):
    return audit_cli("check", "datasets", "--baseline", "audit-baseline.yaml", *extra, cwd=repo)


def test_baselined_repository_passes(repo):
    out = check(repo)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "13 accepted" in out.stdout


def test_a_new_inconsistency_fails_with_an_annotation_on_the_changed_line(repo):
    change_cell(repo, "Fizuli,ANAMA,3,238396,25,", "Fizuli,ANAMA,3,238396,26,")  # line 2 of Table 3
    out = check(repo, "--format", "github", "--diff-base", "HEAD")
    assert out.returncode == 1, out.stdout + out.stderr
    lines = [line for line in out.stdout.splitlines() if line.startswith("::")]
    assert lines, out.stdout
    assert all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+,title=[^:]+::.+", line) for line in lines)
    assert any(line.startswith(f"::error file={TABLE3},line=2,title=printed-totals::") for line in lines), lines
    # only the new finding is annotated: the accepted ones stay quiet
    assert len(lines) == 1


def test_the_same_change_accepted_in_the_baseline_passes(repo):
    change_cell(repo, "Fizuli,ANAMA,3,238396,25,", "Fizuli,ANAMA,3,238396,26,")
    out = audit_cli("baseline", "create", "datasets", "-o", "audit-baseline.yaml", cwd=repo)
    assert out.returncode == 0 and "(13 kept their reason)" in out.stderr
    fill_reasons(repo / "audit-baseline.yaml", "26 is what the operator reported; the total is wrong")
    assert check(repo).returncode == 0


def test_a_fix_reports_the_entry_stale(repo):
    change_cell(repo, "Totals,,17,", "Totals,,16,", path="datasets/azerbaijan-2019/table1-mined-area-by-type.csv")
    out = check(repo, "--format", "json")
    assert out.returncode == 0
    doc = json.loads(out.stdout)
    assert [e["rule"] for e in doc["baseline"]["stale"]] == ["printed-totals"]
    assert "STALE BASELINE ENTRIES (1)" in check(repo).stdout


def test_an_expired_entry_fails(repo):
    fill_reasons(repo / "audit-baseline.yaml", "x", expires="2001-01-01")
    out = check(repo)
    assert out.returncode == 1
    assert "EXPIRED BASELINE ENTRIES (13)" in out.stdout


def test_reordering_rows_changes_nothing(repo):
    for csv_file in (repo / "datasets" / "azerbaijan-2019").glob("*.csv"):
        lines = csv_file.read_text().splitlines()
        csv_file.write_text("\n".join([lines[0]] + lines[1:][::-1]) + "\n")
    out = check(repo, "--format", "json")
    assert out.returncode == 0, out.stdout
    doc = json.loads(out.stdout)
    assert doc["baseline"]["accepted"] == 13 and doc["baseline"]["stale"] == []


def test_diff_between_revisions(repo):
    git(repo, "checkout", "-qb", "change")
    change_cell(repo, "Fizuli,ANAMA,3,238396,25,", "Fizuli,ANAMA,3,238396,26,")
    change_cell(repo, "Totals,,17,", "Totals,,16,", path="datasets/azerbaijan-2019/table1-mined-area-by-type.csv")
    git(repo, "commit", "-qam", "change two tables")
    out = audit_cli("diff", "--format", "json", "main", "HEAD", "--", "datasets/", cwd=repo)
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    assert doc["summary"] == {"new": 1, "resolved": 1, "unchanged": 12}
    assert doc["new"][0]["rule"] == "printed-totals" and doc["new"][0]["locations"][0]["file"] == TABLE3 or \
        any(loc["file"] == TABLE3 for loc in doc["new"][0]["locations"])
    md = audit_cli("diff", "--format", "markdown", "main", "HEAD", "--", "datasets/", cwd=repo)
    assert md.stdout.startswith("### ❌ audit: 1 new, 1 resolved, 12 unchanged")
    assert "| error | `printed-totals` | azerbaijan-2019 |" in md.stdout
    # the working tree is untouched
    assert git(repo, "status", "--porcelain") == ""


def test_diff_between_folders(tmp_path):
    old = tmp_path / "old" / "azerbaijan-2019"
    new = tmp_path / "new" / "azerbaijan-2019"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", old)
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", new)
    out = audit_cli("diff", str(old.parent), str(new.parent))
    assert out.returncode == 0
    assert "0 new, 0 resolved, 13 unchanged" in out.stdout
