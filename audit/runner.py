"""One audit: load the dataset, check its contracts, run every rule of the pack, gather a Run."""
from __future__ import annotations

import time
from pathlib import Path

from .contracts import check_constraints, check_structure, check_values, dataset_schema
from .dataset import Dataset, load_dataset
from .engine import DuckDBEngine
from .expr.compiler import CompileError, NotApplicable, Schema
from .expr.planner import Planner
from .findings import Run
from .kinds.base import RunContext
from .pack import Pack, find_pack, load_pack


ENGINES = ("duckdb", "spark")


def make_engine(name: str, ds: Dataset):
    """The engine that runs the compiled SQL: DuckDB in-process, or Spark (audit.spark_engine)."""
    if name == "duckdb":
        return DuckDBEngine(ds)
    if name == "spark":
        from .extras import need

        for module in ("pyspark", "sqlglot", "pandas", "pandera"):
            need(module, "audit check --engine spark")
        from .spark_engine import SparkEngine

        return SparkEngine(ds)
    raise ValueError(f"unknown engine '{name}' (one of {', '.join(ENGINES)})")


def met_dataset(path: str | Path, pack: Pack | None = None, rules_dir: str | Path | None = None
                ) -> tuple[Dataset, Pack]:
    """A dataset that has met its rule pack (its units and claims bound: check_structure), and the
    pack: what an engine is made from when it is made before the audit (a benchmark's loading)."""
    ds = load_dataset(path)
    pack = pack or load_pack(find_pack(ds.profile, rules_dir, ds.descriptor))
    check_structure(ds, pack)
    return ds, pack


def audit_dataset(path: str | Path, rules_dir: str | Path | None = None, pack: Pack | None = None,
                  dataset: Dataset | None = None, fused: bool = True, engine="duckdb") -> Run:
    """Audit one dataset folder. Raises AuditInputError when the audit cannot run.

    `engine` names what runs the compiled rules: "duckdb" (default) or "spark" (PySpark in local
    mode, the optional spark extra); both run the same SQL. It may also be an engine already made
    for `dataset` (make_engine: the benchmark times that as loading); the audit closes it."""
    start = time.perf_counter()
    ds = dataset or load_dataset(path)
    if pack is None:
        pack = load_pack(find_pack(ds.profile, rules_dir, ds.descriptor))
    check_structure(ds, pack)
    if isinstance(engine, str):
        engine = make_engine(engine, ds)
    else:  # made before the pack met the dataset: its claims' dimensions are read now
        engine.refresh_claims(ds)
    try:
        schema = dataset_schema(ds, pack)
        ctx = RunContext(ds, engine, schema)
        if fused and hasattr(engine, "materialize"):
            schema.planner = Planner(engine)
            prepare(pack, schema)
            if getattr(engine, "fused_row_scans", False):
                for kind in pack.rules:
                    if hasattr(kind, "plan_scan"):
                        kind.plan_scan(ctx)
        results = [check_values(ds, pack, engine)]
        results += [r for r in [check_constraints(ds)] if r is not None]
        results += [kind.run(ctx) for kind in pack.rules]
    finally:
        engine.close()
    return Run(dataset=ds.name, path=str(path), profile=ds.profile or pack.profile, pack=str(pack.root), rules=results,
               meta={k: v for k, v in ds.meta.items() if k in ("country", "year", "title")},
               seconds=time.perf_counter() - start)


def prepare(pack: Pack, schema: Schema) -> None:
    """Let every rule register its aggregates, then compute them with one scan per table and grouping."""
    planner = schema.planner
    planner.deferred = True
    for kind in pack.rules:
        try:
            kind.check(schema)
        except (CompileError, NotApplicable):
            pass  # reported when the rule runs
        except Exception:  # noqa: BLE001 - a rule that breaks is reported by its own run
            pass
    planner.flush()
