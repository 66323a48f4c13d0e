"""Paths as every output shows them: relative to the working directory, never an install path.

A dataset or a pack under the working directory is shown relative to it (`rules/mine-action`). A
pack bundled with an install (the package data `audit/_rules` of a venv, a `--user` or a system
install, or the `rules/` of the checkout the package runs from) is shown as `<audit>/rules/NAME/FILE`:
the same text on every machine, so
that reports, SARIF and JUnit files do not carry a home folder or a Python version, and a baseline
or a code-scanning alert compares equal across runners. Anything else is shown as given.
"""
from __future__ import annotations

import os
from pathlib import Path

BUNDLED = "<audit>/rules"


def _bundled_roots() -> list[Path]:
    """Where the packs that come with the package live (as `audit.pack.default_rules_dirs` finds them)."""
    package = Path(__file__).resolve().parent
    return [package / "_rules", package.parent / "rules"]


def shown(path: str | Path | None) -> str | None:
    """`path` as outputs show it (see the module's docstring); None stays None."""
    if path is None or path == "":
        return path
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    real = Path(os.path.realpath(p))
    try:
        return real.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        pass
    for root in _bundled_roots():
        try:
            return f"{BUNDLED}/{real.relative_to(root.resolve()).as_posix()}"
        except (ValueError, OSError):
            continue
    return p.as_posix()


def show_runs(runs) -> None:
    """Rewrite the dataset folder, pack and rule files of runs as `shown` gives them (once, after
    the audit)."""
    for run in runs:
        run.path = shown(run.path)
        run.pack = shown(run.pack)
        for r in run.rules:
            r.file = shown(r.file)
