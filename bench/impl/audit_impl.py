"""This engine, through its Python API.

load: the dataset's descriptor (`load_dataset`), the pack (`load_pack`: parse and compile the rules)
and the engine (`make_engine`: DuckDB copies the Parquet tables into its own storage, as the floor's
load does with `CREATE TABLE ... AS SELECT * FROM read_parquet(...)`).
check: `audit_dataset` on that engine, i.e. what `audit check` does once the data is loaded: the
contracts, every rule, and the findings with their locations (at most 1,000 listed per rule).
The violations of a rule are its RuleResult.failed: every failed item, also beyond the cap."""
from __future__ import annotations

from pathlib import Path

PACK = Path(__file__).resolve().parent.parent / "pack"
DETAIL: dict[str, float] = {}  # seconds per rule, reported by bench/worker.py


def load(folder):
    from audit.pack import load_pack
    from audit.runner import make_engine, met_dataset

    dataset, pack = met_dataset(folder, pack=load_pack(PACK))
    return folder, dataset, pack, make_engine("duckdb", dataset)


def check(state) -> dict[str, int]:
    from audit.runner import audit_dataset

    folder, dataset, pack, engine = state
    run = audit_dataset(folder, pack=pack, dataset=dataset, engine=engine)
    out = {}
    for r in run.rules:
        if r.status in ("broken", "not_applicable"):
            raise RuntimeError(f"rule {r.rule} is {r.status}: {r.reason}")
        out[r.rule] = r.failed
        DETAIL[r.rule] = r.seconds
    return out
