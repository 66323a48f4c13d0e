"""One audit: load the dataset, check its contracts, run every rule of the pack, gather a Run."""
from __future__ import annotations

import time
from pathlib import Path

from .contracts import check_structure, check_values, dataset_schema
from .dataset import Dataset, load_dataset
from .engine import DuckDBEngine
from .findings import Run
from .kinds.base import RunContext
from .pack import Pack, find_pack, load_pack


def audit_dataset(path: str | Path, rules_dir: str | Path | None = None, pack: Pack | None = None,
                  dataset: Dataset | None = None) -> Run:
    """Audit one dataset folder. Raises AuditInputError when the audit cannot run."""
    start = time.perf_counter()
    ds = dataset or load_dataset(path)
    if pack is None:
        pack = load_pack(find_pack(ds.profile, rules_dir))
    check_structure(ds, pack)
    engine = DuckDBEngine(ds)
    try:
        ctx = RunContext(ds, engine, dataset_schema(ds, pack))
        results = [check_values(ds, pack, engine)]
        results += [kind.run(ctx) for kind in pack.rules]
    finally:
        engine.close()
    return Run(dataset=ds.name, path=str(path), profile=ds.profile, pack=str(pack.root), rules=results,
               meta={k: v for k, v in ds.meta.items() if k in ("country", "year", "title")},
               seconds=time.perf_counter() - start)
