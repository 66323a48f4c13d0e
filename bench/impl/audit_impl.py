"""This engine, through its Python API: the dataset and the pack are loaded (load), then
audited (check: the engine's DuckDB connection, the contracts and every rule). The violations
of a rule are its RuleResult.failed: every failed item, also beyond the per-rule cap on findings."""
from __future__ import annotations

from pathlib import Path

PACK = Path(__file__).resolve().parent.parent / "pack"
DETAIL: dict[str, float] = {}  # seconds per rule, reported by bench/worker.py


def load(folder):
    from audit.dataset import load_dataset
    from audit.pack import load_pack

    return folder, load_dataset(folder), load_pack(PACK)


def check(state) -> dict[str, int]:
    from audit.runner import audit_dataset

    folder, dataset, pack = state
    run = audit_dataset(folder, pack=pack, dataset=dataset)
    out = {}
    for r in run.rules:
        if r.status in ("broken", "not_applicable"):
            raise RuntimeError(f"rule {r.rule} is {r.status}: {r.reason}")
        out[r.rule] = r.failed
        DETAIL[r.rule] = r.seconds
    return out
