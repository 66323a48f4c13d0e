"""Shared helpers: the real entry point, golden files, and compact views of runs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
SHARED = ROOT.parent / "shared"
REGEN = os.environ.get("AUDIT_REGEN") == "1"
DATASET = ROOT / "datasets" / "azerbaijan-2019"
PACK = ROOT / "rules" / "mine-action"


def audit_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the installed `audit` console script (the real entry point)."""
    exe = Path(sys.executable).parent / "audit"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "audit"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


def flatten(run) -> dict:
    """A run as a specification: rule outcomes and findings with where they point."""
    return {
        "rules": [{"id": r.rule, "status": r.status, "items": r.items, "passed": r.passed, "failed": r.failed,
                   "undecided": r.undecided} for r in run.rules],
        "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message,
                      "at": [f"{Path(loc.file).name}:{loc.row}" + (f":{loc.column}" if loc.column else "")
                             for loc in f.locations]} for f in run.findings],
    }


def check_golden(path: Path, actual) -> None:
    """Compare with a golden file; AUDIT_REGEN=1 rewrites it instead (review the diff)."""
    text = actual if isinstance(actual, str) else json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
    if REGEN or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not REGEN:
            pytest.fail(f"golden file {path} was missing and has been written; review and rerun")
        return
    expected = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        assert json.loads(text) == json.loads(expected), f"{path} differs; rerun with AUDIT_REGEN=1 to update"
    else:
        assert text == expected, f"{path} differs; rerun with AUDIT_REGEN=1 to update"


@pytest.fixture
def dataset(tmp_path) -> Path:
    """A copy of the Azerbaijan dataset, to break (inputs are never modified in place)."""
    folder = tmp_path / "ds"
    shutil.copytree(DATASET, folder)
    return folder


@pytest.fixture
def pack(tmp_path) -> Path:
    """A copy of the mine-action rule pack, to break."""
    folder = tmp_path / "pack"
    shutil.copytree(PACK, folder)
    return folder
