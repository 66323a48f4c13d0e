"""One audit over figures: load every dataset of the run, put their figures in one store, run
each rule once over all of them, and give back one Run per dataset (what reporters print)."""
from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import AuditInputError, Problem
from ..findings import Run
from .load import FigureDataset, load_figures
from .pack import FigurePack
from .reference import with_reference
from .store import FigureStore
from .vocabulary import Vocabulary


@dataclass(frozen=True)
class FigureData:
    """What a run keeps of a dataset in the figure layout for the report's charts (`Run.figures`):
    its figures as loaded (the pack's reference data left out) and the vocabulary that names
    their measures, dimensions and units."""

    figures: list
    vocab: Vocabulary


def audit_figures(paths: list[Path], pack: FigurePack, metas: dict | None = None,
                  keep_figures: bool = False, engine: str = "duckdb") -> list[Run]:
    """Audit the datasets at `paths` together (their figures share one space). Raises
    AuditInputError with every problem of every dataset when one cannot be read. With
    `keep_figures`, each run keeps its dataset's figures (`Run.figures`, for the report's charts);
    otherwise they are freed once the rules have run. `engine` answers the rules' queries: "duckdb"
    (default) or "spark" (audit.figures.engines)."""
    start = time.perf_counter()
    with _no_cycle_collection():
        datasets, problems = load_all(paths, pack, metas or {})
        return audit_loaded(datasets, pack, problems, start, keep_figures=keep_figures, engine=engine)


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused while a corpus is read and audited. The figures, claims and
    results built hold no reference cycles (reference counting frees them), but every collection of
    the oldest generation walks all of them: with the 100,000 figures of 1,000 editions live, that
    was a quarter of the run (bench/corpus.py). Collection resumes, as it was, afterwards."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def audit_loaded(datasets: list[FigureDataset], pack: FigurePack, problems: list | None = None,
                 start: float | None = None, keep_figures: bool = False, engine: str = "duckdb") -> list[Run]:
    """Audit datasets already loaded (from files, or from memory: `audit.frames`) together; raises
    AuditInputError with `problems` (those of datasets that could not be loaded) and any clash of names."""
    start = time.perf_counter() if start is None else start
    problems = list(problems or [])
    names: dict[str, FigureDataset] = {}
    for ds in datasets:
        if ds.name in names:
            problems.append(Problem(ds.descriptor, f"two datasets of the run are named '{ds.name}' (the other is "
                                    f"{names[ds.name].descriptor})", field="name",
                                    hint="a dataset's name tells its figures apart: give each edition its own"))
        names[ds.name] = ds
    if problems:
        raise AuditInputError(problems)
    store = FigureStore(with_reference(datasets, pack.reference, pack.vocabulary), pack.vocabulary, engine)
    try:
        results = [kind.run(store) for kind in pack.rules]
    finally:
        store.close()
    share = (time.perf_counter() - start) / max(1, len(datasets))
    return [Run(dataset=ds.name, path=str(ds.root), profile=ds.profile, pack=str(pack.root),
                rules=[*_constraints(ds), *(r[ds.name] for r in results)], meta=dict(ds.meta), seconds=share,
                figures=FigureData(ds.figures, pack.vocabulary) if keep_figures else None)
            for ds in datasets]


def _constraints(ds: FigureDataset) -> list:
    """The built-in rule `field-constraints` (audit.constraints) over the dataset's constrained
    columns, every row of their tables; nothing when it declares no constraint."""
    if not ds.constrained:
        return []
    from ..constraints import rule_result
    from ..findings import Finding, Location

    where = {f"{table}.{column}": (table, title, file, column) for table, title, file, column, _, _ in ds.constrained}

    def finding(key: str, v, cell) -> Finding:
        table, title, file, column = where[key]
        loc = Location(file=file, row=v.line, table=table, column=column, value=cell.text or None, role="value",
                       label=f"{title}, line {v.line}, {column}")
        found = f"found {cell.text}" if cell.value is not None else "the cell is empty"
        return Finding("field-constraints", "error", f"{title} ({table}): {column} must be {v.message}, {found}",
                       [loc], dataset=ds.name, subject=f"{column}:{v.constraint}").seal()

    return [rule_result([(f"{t}.{c}", cells, cons) for t, _, _, c, cells, cons in ds.constrained], finding,
                        ds.descriptor)]


def load_all(paths: list[Path], pack: FigurePack, metas: dict) -> tuple[list[FigureDataset], list]:
    """Every dataset's figures, in the order of `paths`, and every problem of those that cannot
    be read (a corpus is read whole before it is refused, so that one run lists every problem).
    Reading in worker processes was measured and dropped: sending the figures back costs what
    the second core saves (bench/corpus.py)."""
    datasets, problems = [], []
    for path in paths:
        try:
            datasets.append(load_figures(path, pack.vocabulary, metas.get(path)))
        except AuditInputError as exc:
            problems.extend(exc.problems)
    return datasets, problems


def figure_paths(folders: list[Path], rules: str | Path | None, read: dict | None = None,
                 keep_figures: bool = False, engine: str = "duckdb") -> tuple[list[Path], list[Run]]:
    """Split dataset folders into those of the table layout (returned, audited one by one) and
    those of the figure layout, which are audited here, together per pack. The descriptors of the
    others are left in `read`, by display path, for `load_dataset`; `keep_figures` as for
    `audit_figures`, and `engine`."""
    read = {} if read is None else read
    with _no_cycle_collection():
        return _figure_paths(folders, rules, read, keep_figures, engine)


def _figure_paths(folders: list[Path], rules: str | Path | None, read: dict,
                  keep_figures: bool, engine: str) -> tuple[list[Path], list[Run]]:
    from ..dataset import _read_descriptor
    from ..pack import find_pack
    from .load import descriptor_of, is_figure_layout
    from .pack import is_figure_pack, load_figure_pack

    rest: list[Path] = []
    groups: dict[Path, list[Path]] = {}
    metas: dict[Path, object] = {}
    found: dict[str | None, Path] = {}
    for path in folders:
        try:
            _folder, descriptor = descriptor_of(path)
        except AuditInputError:
            rest.append(path)  # the table layout's loader says what is wrong with it
            continue
        if descriptor.suffix.lower() not in (".yaml", ".yml", ".json"):
            rest.append(path)
            continue
        meta = _read_descriptor(descriptor, str(descriptor))
        if not is_figure_layout(meta):
            rest.append(path)
            read[str(descriptor)] = meta  # the table layout's loader need not read it again
            continue
        profile = meta.get("auditProfile") or meta.get("profile")
        profile = str(profile) if profile else None
        if profile not in found:  # one look-up per profile, not per edition of a corpus
            found[profile] = find_pack(profile, rules, descriptor).resolve()
        pack = found[profile]
        if not is_figure_pack(pack):
            raise AuditInputError(Problem(str(descriptor), f"the dataset maps its columns to figures, but the pack "
                                          f"{pack} has no vocabulary.yaml", hint="give --rules a pack of figures"))
        groups.setdefault(pack, []).append(path)
        metas[path] = meta
    runs: list[Run] = []
    for pack_dir, paths in groups.items():
        runs.extend(audit_figures(paths, load_figure_pack(pack_dir), metas, keep_figures, engine))
    return rest, runs


def is_figure_dataset(path: str | Path) -> bool:
    """Whether the dataset at `path` is in the figure layout (a field of its descriptor names a
    measure). A folder that cannot be read is not: the table layout's loader says what is wrong."""
    from ..dataset import _read_descriptor
    from .load import descriptor_of, is_figure_layout

    try:
        _folder, descriptor = descriptor_of(path)
        if descriptor.suffix.lower() not in (".yaml", ".yml", ".json"):
            return False
        return is_figure_layout(_read_descriptor(descriptor, str(descriptor)))
    except AuditInputError:
        return False
