"""Running the real CLI on hostile inputs: a time bound (a hang fails the test instead of stalling
CI) and, where memory is the attack, a cap on the child's address space."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

DATASET = ROOT / "datasets" / "azerbaijan-2019"
PACK = ROOT / "rules" / "mine-action"
GiB = 1 << 30


def run_cli(*args: str, timeout: float = 60, memory: int | None = None, env: dict | None = None,
            cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The installed `audit` script, killed after `timeout` seconds (the test then fails), with at
    most `memory` bytes of address space if given."""
    exe = Path(sys.executable).parent / "audit"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "audit"]

    def cap():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=cap, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"audit {' '.join(args)} did not finish within {timeout} s")


def refused(out: subprocess.CompletedProcess) -> str:
    """The stderr of a run that stopped with exit code 2, one clear message and no traceback."""
    assert out.returncode == 2, f"exit {out.returncode}\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    assert "MemoryError" not in out.stderr and "RecursionError" not in out.stderr
    return out.stderr

