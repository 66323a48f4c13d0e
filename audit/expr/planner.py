"""Fused execution: aggregates over the same table and grouping are computed together, in one scan.

Compiled rules ask for aggregates (a sum of a column over a table, per region and year, under a
condition). Without a planner each becomes a correlated subquery, re-read for every rule and every
use. With one, the planner gathers every aggregate of the same table, grouping keys and dataset
filters into one `GROUP BY` query whose result is stored once (a small table: one row per group),
and the compiled SQL only looks its values up. Identical aggregates of different rules are
computed once. The runner first lets every rule register what it needs (`prepare`), then the
planner runs one query per table and grouping; an aggregate asked for later gets a query of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Group:
    table: str
    keys: tuple[str, ...]
    filters: tuple[str, ...]  # conditions on the table's rows, alias t (e.g. a claim's year)
    name: str
    columns: dict[tuple, str] = field(default_factory=dict)  # aggregate identity -> column prefix
    materialized: bool = False


class Planner:
    """Collects aggregates per (table, keys, filters) and materializes each group with one scan."""

    ALIAS = "t"

    def __init__(self, engine):
        self.engine = engine
        self.groups: dict[tuple, list[Group]] = {}
        self.deferred = False
        self.queries = 0  # scans run, for the benchmark and the tests

    def aggregate(self, table: str, keys: tuple[str, ...], filters: tuple[str, ...], func: str,
                  value: str, err: str, where: str | None) -> str:
        """Register an aggregate; return the name of the stored group table and the column prefix."""
        ident = (func, value, err, where)
        versions = self.groups.setdefault((table, keys, filters), [])
        for g in versions:
            if ident in g.columns:
                return g.name, g.columns[ident]
        group = versions[-1] if versions and not versions[-1].materialized else None
        if group is None:
            n = sum(len(v) for v in self.groups.values())
            group = Group(table, keys, filters, f"__fused_{n}")
            versions.append(group)
        group.columns[ident] = f"a{len(group.columns)}"
        if not self.deferred:
            self.materialize(group)
        return group.name, group.columns[ident]

    def flush(self) -> None:
        """Run one query per group registered while deferred."""
        self.deferred = False
        for versions in self.groups.values():
            for g in versions:
                if not g.materialized:
                    self.materialize(g)

    def materialize(self, g: Group) -> None:
        from .compiler import ident as q

        t = self.ALIAS
        cols = [f"{t}.{q(k)} AS {q(k)}" for k in g.keys]
        for (func, value, err, where), p in g.columns.items():
            cond = f" FILTER (WHERE {where})" if where else ""
            if func == "count":
                cols.append(f"count(*){cond} AS {p}_v")
                continue
            if func == "count_distinct":
                cols.append(f"count(DISTINCT {value}){cond} AS {p}_v")
                continue
            fn = {"sum": "sum", "mean": "avg", "min": "min", "max": "max"}[func]
            err_fn = "sum" if func == "sum" else "max" if func in ("min", "max") else "avg"
            cols += [f"{fn}({value}){cond} AS {p}_v", f"coalesce({err_fn}({err}){cond}, 0) AS {p}_e",
                     f"count(*){cond} AS {p}_n", f"count({value}){cond} AS {p}_c"]
        where = " AND ".join([f"NOT {t}.__total", *g.filters])
        group_by = f" GROUP BY {', '.join(f'{t}.{q(k)}' for k in g.keys)}" if g.keys else ""
        self.engine.materialize(g.name, f"SELECT {', '.join(cols)} FROM {q(g.table)} {t} WHERE {where}{group_by}")
        g.materialized = True
        self.queries += 1
