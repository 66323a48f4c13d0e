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
    exact: set[tuple] = field(default_factory=set)  # aggregates whose values have no uncertainty (0 on every row)
    materialized: bool = False


class Planner:
    """Collects aggregates per (table, keys, filters) and materializes each group with one scan."""

    ALIAS = "t"
    MAX_COLUMNS = 256  # aggregates one stored group holds: beyond it, another group (another scan)

    def __init__(self, engine):
        self.engine = engine
        self.groups: dict[tuple, list[Group]] = {}
        self.deferred = False
        self.queries = 0  # scans run, for the benchmark and the tests
        self.scans: dict[tuple, dict] = {}  # (table, joins) -> row rules' columns and their results
        self.scan_of: dict[tuple, tuple] = {}  # (rule id, table) -> (table, joins)

    def aggregate(self, table: str, keys: tuple[str, ...], filters: tuple[str, ...], func: str,
                  value: str, err: str, where: str | None, exact: bool = False) -> str:
        """Register an aggregate; return the name of the stored group table and the column prefix.
        `exact`: the compiler knows that `err` is 0 on every row (Num_.e_zero), so the aggregate's
        uncertainty is 0 too and is not computed."""
        if filters and not keys:
            # an ungrouped aggregate under a claim's filters is the same aggregate, filtered, of the
            # table's one ungrouped group: the aggregates of thousands of claims share a few scans
            where = " AND ".join(f"({c})" for c in (where, *filters) if c)
            filters = ()
        ident = (func, value, err, where)
        versions = self.groups.setdefault((table, keys, filters), [])
        for g in versions:
            if ident in g.columns:
                return g.name, g.columns[ident]
        group = versions[-1] if versions and not versions[-1].materialized \
            and len(versions[-1].columns) < self.MAX_COLUMNS else None
        if group is None:
            n = sum(len(v) for v in self.groups.values())
            group = Group(table, keys, filters, f"__fused_{n}")
            versions.append(group)
        group.columns[ident] = f"a{len(group.columns)}"
        if exact:
            group.exact.add(ident)
        if not self.deferred:
            self.materialize(group)
        return group.name, group.columns[ident]

    def groups_of(self, table: str, keys: tuple[str, ...]) -> str | None:
        """A stored aggregate table of `table` grouped by exactly `keys`, with no filter: its rows are
        the key combinations of the table's data rows (as `SELECT DISTINCT keys ... WHERE NOT __total`,
        without reading the table again). None when no rule asked for one."""
        for g in self.groups.get((table, tuple(keys), ()), []):
            if g.materialized:
                return g.name
        return None

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
            # an uncertainty known to be 0 on every row is not summed: the same 0 (a DOUBLE when it sums
            # columns' uncertainties, which are DOUBLE; literals alone are left as they are)
            e = "CAST(0 AS DOUBLE)" if (func, value, err, where) in g.exact and "__err" in err else \
                f"coalesce({err_fn}({err}){cond}, 0)"
            cols += [f"{fn}({value}){cond} AS {p}_v", f"{e} AS {p}_e",
                     f"count(*){cond} AS {p}_n", f"count({value}){cond} AS {p}_c"]
        where = " AND ".join([f"NOT {t}.__total", *g.filters])
        group_by = f" GROUP BY {', '.join(f'{t}.{q(k)}' for k in g.keys)}" if g.keys else ""
        self.engine.materialize(g.name, f"SELECT {', '.join(cols)} FROM {q(g.table)} {t} WHERE {where}{group_by}")
        g.materialized = True
        self.queries += 1

    # -- row scans ---------------------------------------------------------------------------------
    # Row rules (row_check) read every row of a table. Each registers what it needs from a pass over
    # its table (see RowCheck.plan_scan); the rules of one table that need the same joins share the
    # pass, run when the first of them asks for its result: one query counts the rows each rule
    # checked, passed and failed and lists the lines of its first failing rows (a top-n aggregate),
    # a second reads only those rows, once for all the rules: the values their findings report and
    # their cells.
    def row_scan(self, table: str, joins: str, key: tuple, spec: dict) -> None:
        scan = self.scans.setdefault((table, joins), {"items": {}, "results": None})
        if scan["results"] is None:
            scan["items"][key] = spec
            self.scan_of[key] = (table, joins)

    def row_result(self, key: tuple) -> dict | None:
        """A registered rule's counts and first failing rows (None when it registered none, or when
        the shared pass failed: the rule then runs on its own and reports its error)."""
        where = self.scan_of.get(key)
        if where is None:
            return None
        scan = self.scans[where]
        if scan["results"] is None:
            try:
                scan["results"] = self._run_scan(*where, scan["items"])
            except Exception:  # noqa: BLE001
                scan["results"] = {}
        return scan["results"].get(key)

    def _run_scan(self, table: str, joins: str, items: dict[tuple, dict]) -> dict[tuple, dict]:
        from .compiler import ident as q

        specs = list(items.values())
        # each rule's condition is evaluated once per row, into a status (1 passed, 0 failed, 2 undecided,
        # NULL not checked) that the aggregates count
        inner = ["r.__line AS __line"]
        select = []
        for i, spec in enumerate(specs):
            inner.append(f"CASE WHEN {spec['checked']} THEN coalesce(CAST(({spec['ok']}) AS INTEGER), 2) END AS k{i}")
            select += [f"count(k{i}) AS s{i}_n", f"count(*) FILTER (WHERE k{i} = 1) AS s{i}_passed",
                       f"count(*) FILTER (WHERE k{i} = 0) AS s{i}_failed",
                       f"min(__line, {spec['cap']}) FILTER (WHERE k{i} = 0) AS s{i}_lines"]
        [counts] = self.engine.rows(f"SELECT {', '.join(select)} FROM (SELECT {', '.join(inner)} FROM {q(table)} r{joins})")
        self.queries += 1
        lines = [counts[f"s{i}_lines"] or [] for i in range(len(specs))]
        wanted = sorted({x for ls in lines for x in ls})
        found: dict[int, dict] = {}
        if wanted:
            cells = list(dict.fromkeys(c for spec in specs for c in spec["cells"]))
            select = ["r.__line AS __line"] + [f"r.{q(c)} AS {q('c_' + c)}" for c in cells]
            for i, spec in enumerate(specs):
                select += [f"{sql} AS s{i}_{name}" for name, sql in spec["values"]]
            rows = f"(SELECT r0.* FROM {q(table)} r0 SEMI JOIN (SELECT unnest(?::BIGINT[]) AS line) w " \
                   f"ON r0.__line = w.line) r"
            for rec in self.engine.rows(f"SELECT {', '.join(select)} FROM {rows}{joins}", [wanted]):
                found[rec["__line"]] = rec
        results = {}
        for i, (key, spec) in enumerate(items.items()):
            out = {name: counts[f"s{i}_{name}"] for name in ("n", "passed", "failed")}
            out["rows"] = []
            for line in lines[i]:
                rec = found[line]
                row = {"__line": line, **{name: rec[f"s{i}_{name}"] for name, _ in spec["values"]}}
                if spec["cells"]:
                    row["__row"] = {"__line": line, **{c: rec["c_" + c] for c in spec["cells"]}}
                out["rows"].append(row)
            results[key] = out
        return results
