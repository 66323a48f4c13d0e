"""Where a command may write: never over an input of the same run.

Datasets and rule packs come from pull requests, and the engine runs in CI with the runner's rights.
An output aimed at what the run reads (`check --output ds/datapackage.yaml`, `report --out ds`, a
link planted where the report will be written) would let one run rewrite the data or the rules the
next one audits. Every command that writes gathers its inputs with `run_inputs` and passes each
output through `refuse_overwrite` before anything runs.

Paths are compared as the files they are, not as text: symbolic links are followed and `..`
resolved, then device and inode decide, so another spelling of a folder (or its case, on a file
system that ignores case) and a hard link to an input file count as the input.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import AuditInputError, Problem


@dataclass(frozen=True)
class Input:
    """A file or folder a run reads, and what it is, for messages ("the dataset folder")."""

    path: Path
    what: str


def run_inputs(datasets: list[Path], rules: str | None = None, baseline: str | None = None) -> list[Input]:
    """What a run reads and its outputs must not overwrite: the dataset folders (the folder of a
    descriptor given as a path), the `--rules` folder or, without it, every pack the profile lookup
    chooses among, and the baseline."""
    from .pack import PACK_FILE, default_rules_dirs

    inputs = [Input(p if p.is_dir() else p.parent, "the dataset folder") for p in datasets if p.exists()]
    if rules:
        inputs.append(Input(Path(rules), "the rule pack folder"))
    else:
        for base in default_rules_dirs():
            packs = [base] if (base / PACK_FILE).is_file() else sorted(
                p.parent for p in base.glob(f"*/{PACK_FILE}"))
            inputs.extend(Input(_shown(p), "the rule pack") for p in packs)
    if baseline:
        inputs.append(Input(Path(baseline), "the baseline"))
    return inputs


def refuse_overwrite(output: str | Path, option: str, inputs: list[Input], folder: bool = False) -> None:
    """Raise AuditInputError (exit 2) when writing `output` could change one of `inputs`: it is an
    input file, or the same file by a hard link, or it is or lies inside an input folder. `option`
    names the output in the message ("--output"). A `folder` output is also refused when a link
    already in it leads to an input (one planted where a page will be written)."""
    output = Path(output)
    targets = [output]
    if folder and output.is_dir() and not _conflict(output, inputs):
        targets += sorted(p for p in output.iterdir() if p.is_symlink() or _hard_linked(p))
    for target in targets:
        found = _conflict(target, inputs)
        if found:
            inp, relation = found
            real = Path(os.path.realpath(target))
            via = f" (it resolves to {real})" if real != Path(os.path.abspath(target)) else ""
            raise AuditInputError(Problem(
                str(target), f"refusing to write {option} {relation} {inp.what} '{inp.path}', an input of this "
                             f"run{via}",
                hint="write outputs outside the datasets, rule packs and baseline that the command reads"))


def _conflict(target: Path, inputs: list[Input]) -> tuple[Input, str] | None:
    """The input that writing `target` would change, and how ("inside", "over", ...)."""
    real = Path(os.path.realpath(target))
    mine = _identity(real)
    for inp in inputs:
        theirs = _identity(inp.path)
        if theirs is None:
            continue
        if not inp.path.is_dir():
            if mine == theirs:
                return inp, "over"
            continue
        for up in (real, *real.parents):
            if _identity(up) == theirs:
                return inp, "into" if up == real else "inside"
    if _hard_linked(real):
        for inp in inputs:
            for shared in _files(inp.path):
                if _identity(shared) == mine:
                    return inp, f"over a hard link to '{shared}' in"
    return None


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _hard_linked(path: Path) -> bool:
    return path.is_file() and path.stat().st_nlink > 1


def _files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    return [Path(top) / name for top, _, names in os.walk(path) for name in names]


def _shown(path: Path) -> Path:
    """A path under the working directory as a relative path, like the rest of the messages."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
