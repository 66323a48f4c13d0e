"""The figures of a whole run in one DuckDB table, and the sums their parts imply.

`figures` holds one row per figure of every dataset of the run (a corpus of many countries and
editions is one table). Coordinates are columns `c_<dimension>` (dimension names are checked
names, the only identifiers built from a pack); every member, measure and value enters DuckDB as a
bound parameter, never as SQL text.

`derived` holds, for every source (a table, the text) of every dataset, the sums that its figures
imply at coordinates where it prints parts: a table's rows summed to a total of each column, its
columns of parts summed to their whole, a hierarchy's children summed to each parent, in every
combination of dimensions (a cube). A closed dimension (one whose parts are declared) rolls up
only when every part is printed; the text rolls up only along closed dimensions (a sentence that
names three provinces does not give the national total). Only figures of additive quantities
printed as parts (cells, not totals) are summed.
"""
from __future__ import annotations

import itertools
import operator

from .. import sandbox
from .engines import figure_engine
from .load import FigureDataset
from .model import Figure
from .vocabulary import Vocabulary

def col(dim: str) -> str:
    """The column of a dimension's coordinate (dimension names are checked: [a-z][a-z0-9_]*)."""
    return f'"c_{dim}"'


class FigureStore:
    def __init__(self, datasets: list[FigureDataset], vocab: Vocabulary, engine: str = "duckdb"):
        import duckdb

        self.vocab = vocab
        self.datasets = {ds.name: ds for ds in datasets}
        self.figures: list[Figure] = [f for ds in datasets for f in ds.figures]
        self.blanks: list[Figure] = [f for ds in datasets for f in ds.blanks]  # ids after the figures'
        self.dims = list(vocab.dimensions)
        self.memo: dict = {}  # what kinds work out from the store once per run (it does not change once built)
        # each distinct tuple of coordinates as one number (`ck`): kinds join on it, not on every dimension
        self.coordinate_codes: dict[tuple, int] = {}
        # the members every figure of the run has (one country): messages need not repeat them
        seen: dict[str, set] = {d: set() for d in self.dims}
        for f in self.figures:
            for d in self.dims:
                if len(seen[d]) < 2:
                    seen[d].add(f.coords[d])
        self.shared = {d: next(iter(ms)) for d, ms in seen.items() if len(ms) == 1}
        # every text of the figures' columns (and of the ancestors in `anc`) numbered: the cube
        # groups and joins on these codes (see `_derive`)
        self.texts: dict[str, int] = {}
        self.con = duckdb.connect(":memory:")
        self._load("figures", self.figures, 0)
        self._load("blanks", self.blanks, len(self.figures))
        sandbox.lock(self.con)  # after the figures are in: from here nothing outside DuckDB can be read
        self._hierarchies(datasets)
        self._derive()
        self._derive_periods()
        self._derive_sets()
        self.engine = figure_engine(engine, self.con)  # what answers `rows` (audit.figures.engines)

    coded = False  # whether the texts' codes tell apart exactly what the texts do (see `_derive`)
    text_of: list[str] = []

    def code(self, text: str):
        """A text as the coded tables (`figures_codes`) hold it: its code (-1 if no figure has it), or
        the text itself when the store is not coded."""
        return self.texts.get(text, -1) if self.coded else text

    def close(self) -> None:
        self.engine.close()

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.engine.rows(sql, params)

    # -- tables ---------------------------------------------------------------------------------
    def figure(self, fid: int) -> Figure:
        """A figure, or a blank part (whose ids follow the figures')."""
        return self.figures[fid] if fid < len(self.figures) else self.blanks[fid - len(self.figures)]

    def _load(self, table: str, figs: list[Figure], first: int) -> None:
        """One table of figures. Text columns travel as codes into one list of the distinct texts,
        and periods as codes into the distinct periods (a corpus repeats both in every edition):
        columns of small integers (see `_columns`)."""
        vocab = self.vocab
        additive = {m: vocab.quantity_of(m).additive for m in vocab.measures}
        texts = self.texts
        periods: dict = {}

        def codes(values) -> list[int]:
            values = list(values)
            for v in dict.fromkeys(values):  # the distinct texts in order, new ones numbered after the known
                texts.setdefault(v, len(texts))
            return list(map(texts.__getitem__, values))

        text_columns = {"dataset": codes(f.dataset for f in figs), "edition": codes(f.edition for f in figs),
                        "source": codes(f.source for f in figs), "origin": codes(f.origin for f in figs),
                        "measure": codes(f.measure for f in figs)}
        rows: list[tuple] = [()] * len(figs)
        if self.dims:  # every figure's coordinates in one pass (a member set is text: it is its label)
            coordinates = operator.itemgetter(*self.dims)
            rows = [coordinates(f.coords) for f in figs] if len(self.dims) > 1 else [(coordinates(f.coords),)
                                                                                     for f in figs]
            for d, values in zip(self.dims, zip(*rows) if rows else [()] * len(self.dims)):
                text_columns[f"c_{d}"] = codes(values)
        known = self.coordinate_codes
        for key in dict.fromkeys(rows):
            known.setdefault(key, len(known))
        columns = {
            "fid": ("BIGINT", list(range(first, first + len(figs)))),
            "additive": ("BOOLEAN", [additive[f.measure] for f in figs]),
            "period": ("INTEGER", _period_codes(figs, periods)),
            "lo": ("DOUBLE", [f.lo for f in figs]),
            "hi": ("DOUBLE", [f.hi for f in figs]),
            "ck": ("INTEGER", list(map(known.__getitem__, rows))),
            **{name: ("INTEGER", values) for name, values in text_columns.items()},
        }
        ordered = sorted(periods, key=periods.get)
        text_list = [str(t) for t in sorted(texts, key=texts.get)]
        # each code read in its list, the lists bound once (a list bound per column costs twice as much)
        cols = ["fid"] + [f'l.texts["{n}" + 1] AS "{n}"' for n in ("dataset", "edition", "source", "origin", "measure")]
        cols += ["additive", "l.keys[period + 1] AS p_key", "l.starts[period + 1] AS p_start",
                 "l.ends[period + 1] AS p_end", "l.instants[period + 1] AS p_instant", "lo", "hi", "ck"]
        cols += [f'l.texts["c_{d}" + 1] AS "c_{d}"' for d in self.dims]
        lists = ("(SELECT ?::VARCHAR[] AS texts, ?::VARCHAR[] AS keys, ?::DATE[] AS starts, ?::DATE[] AS ends, "
                 "?::BOOLEAN[] AS instants) l")
        params = [text_list, [p.key() for p in ordered], [p.start for p in ordered], [p.end for p in ordered],
                  [p.instant for p in ordered]]
        period_texts = [texts.setdefault(p.key(), len(texts)) for p in ordered]  # each period's key, as a text code
        where = "" if figs else " WHERE false"
        if not figs:  # DuckDB cannot tell the type of an empty array's values: one row, filtered out
            columns = {name: (t, [False if t == "BOOLEAN" else 0]) for name, (t, _) in columns.items()}
            params = [[""], ["@2000-01-01"], [None], [None], [True]]
            period_texts = [0]
        source, source_params, columns_np = _columns(columns)  # noqa: F841 - columns_np: read by DuckDB by its name
        self.con.execute(f"CREATE TABLE {table} AS SELECT {', '.join(cols)} FROM {source}, {lists}{where}",
                         source_params + params)
        # the same figures with every text as its code (`texts`), for the cube: `{table}_codes`
        coded = ", ".join(["fid", "dataset", "source", "origin", "measure", "additive",
                           "(?::INTEGER[])[period + 1] AS p_key", "lo", "hi", "ck"] + [f'"c_{d}"' for d in self.dims])
        self.con.execute(f"CREATE TEMP TABLE {table}_codes AS SELECT {coded} FROM {source}{where}",
                         [period_texts] + source_params)

    def _hierarchies(self, datasets: list[FigureDataset]) -> None:
        """`anc`: for every dataset, dimension and member printed, each ancestor (the member itself
        at depth 0, its parents as tables print them, and the dimension's whole at the top)."""
        rows: list[tuple[str, str, str, str, int]] = []
        for ds in datasets:
            for d, dim in self.vocab.dimensions.items():
                parent: dict[str, str] = {}
                for dname, child, par, _src in ds.links:
                    if dname == d and child != par and child != dim.all:
                        parent.setdefault(child, par)
                members = {f.coords[d] for f in ds.figures} | set(parent) | set(parent.values())
                for m in members:
                    rows.append((ds.name, d, m, m, 0))
                    if m == dim.all:
                        continue
                    seen, cur, depth = {m}, m, 0
                    while cur in parent and parent[cur] not in seen and parent[cur] != dim.all:
                        cur = parent[cur]
                        depth += 1
                        seen.add(cur)
                        rows.append((ds.name, d, m, cur, depth))
                    if dim.closed and m not in dim.parts:
                        continue  # not a declared part: it does not roll up to the whole
                    rows.append((ds.name, d, m, dim.all, depth + 1))
        cols = list(zip(*rows)) if rows else [[], [], [], [], []]
        self.con.execute("CREATE TABLE anc AS SELECT unnest(?::VARCHAR[]) AS dataset, unnest(?::VARCHAR[]) AS dim, "
                         "unnest(?::VARCHAR[]) AS member, unnest(?::VARCHAR[]) AS ancestor, "
                         "unnest(?::INTEGER[]) AS depth", [list(c) for c in cols])
        code = self.texts.setdefault
        self.con.execute("CREATE TEMP TABLE anc_codes AS SELECT unnest(?::INTEGER[]) AS dataset, unnest(?::VARCHAR[]) AS "
                         "dim, unnest(?::INTEGER[]) AS member, unnest(?::INTEGER[]) AS ancestor, unnest(?::INTEGER[]) AS "
                         "depth", [[code(t, len(self.texts)) for t in c] if i in (0, 2, 3) else list(c)
                                   for i, c in enumerate(cols)])

    def _rollable(self) -> dict[frozenset, list[tuple[str, str]]]:
        """The dimensions each source can be summed along, and the sources that share each set: the
        dimensions a table prints a column of, and the closed dimensions of which it prints two
        members or more (a table of one region says nothing of the country as a whole). A table
        marked incomplete is not summed along the dimensions of its rows."""
        closed = [d for d, dim in self.vocab.dimensions.items() if dim.closed]
        members: dict[tuple[str, str], dict[str, set]] = {}
        for f in self.figures:
            if f.origin in ("cell", "text"):
                seen = members.setdefault((f.dataset, f.source), {d: set() for d in closed})
                for d in closed:
                    seen[d].add(f.coords[d])
        groups: dict[frozenset, list[tuple[str, str]]] = {}
        for (dataset, source), seen in members.items():
            info = self.datasets[dataset].sources.get(source)
            dims = set(info.row_dims) if info is not None and source != "text" else set()
            # two parts or more printed (a dimension's whole beside one part is no breakdown)
            dims |= {d for d in closed if len(seen[d] - {self.vocab.dimensions[d].all}) > 1}
            if info is not None and info.incomplete:
                # a cut table: the rows given do not add up to the table's, but each row's columns of
                # parts still add up to that row's whole
                dims -= set(info.row_dims)
            if dims:
                groups.setdefault(frozenset(dims), []).append((dataset, source))
        return groups

    def _derive(self) -> None:
        """`derived`: the sums of parts, one row per (dataset, source, measure, period, coordinates)
        for every combination of dimensions rolled up, with the figures summed (`fids`).

        The cube groups the figures' texts as their codes (`texts`: 1.1 s instead of 2.2 s at 1,000
        editions, bench/corpus.py) and the sums are written back as text once. Were two texts one
        when written (a value that is not text, shown as another's text), the codes would tell
        apart what the texts do not: then the cube groups the texts themselves."""
        selects = []
        params: list = []
        closed = {d: dim for d, dim in self.vocab.dimensions.items() if dim.closed}
        groups = list(self._rollable().items())
        text_list = [str(t) for t in self.texts]  # in the order of their codes
        coded = len(set(text_list)) == len(text_list)
        self.coded, self.text_of = coded, text_list
        rows = [(ds, src, g) for g, (_dims, sources) in enumerate(groups) for ds, src in sources]
        if coded:
            rows = [(self.texts[ds], self.texts[src], g) for ds, src, g in rows]
        cols = list(zip(*rows)) if rows else [[], [], []]
        kind = "INTEGER" if coded else "VARCHAR"
        self.con.execute(f"CREATE TEMP TABLE roll AS SELECT unnest(?::{kind}[]) AS dataset, unnest(?::{kind}[]) AS "
                         "source, unnest(?::INTEGER[]) AS grp", [list(c) for c in cols])
        # the figures summed (parts printed as cells or in the text, of additive quantities, of a
        # source that rolls up) with their group, once: each query of the cube reads its group's
        figures, blanks, anc = ("figures_codes", "blanks_codes", "anc_codes") if coded else ("figures", "blanks", "anc")
        origins = [self.texts.get("cell", -1), self.texts.get("text", -1)] if coded else ["cell", "text"]
        self.con.execute(f"CREATE TEMP TABLE parts AS SELECT f.*, r.grp FROM (SELECT *, false AS blank FROM {figures} "
                         f"UNION ALL SELECT *, true AS blank FROM {blanks}) f JOIN roll r ON r.dataset = f.dataset "
                         "AND r.source = f.source WHERE f.origin IN (?, ?) AND f.additive ORDER BY r.grp", origins)
        for g, (dims, _sources) in enumerate(groups):
            for r in range(1, len(dims) + 1):
                for rolled in itertools.combinations(sorted(dims), r):
                    joins, keys, having = [], [], []
                    for d in self.dims:
                        if d in rolled:
                            a = f"a_{d}"
                            joins.append(f"JOIN {anc} {a} ON {a}.dataset = f.dataset AND {a}.dim = ? AND "
                                         f"{a}.member = f.{col(d)} AND {a}.depth > 0")
                            params.append(d)
                            keys.append((f"{a}.ancestor", col(d)))
                            if d in closed:
                                having.append(f"count(DISTINCT f.{col(d)}) = {len(closed[d].parts)}")
                        else:
                            keys.append((f"f.{col(d)}", col(d)))
                    params.append(g)
                    group = ", ".join(k for k, _ in keys)
                    selects.append(
                        f"SELECT f.dataset, f.source, f.measure, f.p_key, {', '.join(f'{k} AS {n}' for k, n in keys)}, "
                        f"sum(f.lo) AS lo, sum(f.hi) AS hi, count(*) AS n, list(f.fid ORDER BY f.fid) AS fids, "
                        f"bool_or(f.blank) AS incomplete FROM parts f "
                        f"{' '.join(joins)} WHERE f.grp = ? "
                        f"GROUP BY f.dataset, f.source, f.measure, f.p_key, {group}"
                        + (f" HAVING {' AND '.join(having)}" if having else ""))
        names = ", ".join(col(d) for d in self.dims)
        if not selects:
            for table in ("derived", "derived_incomplete"):
                self.con.execute(f"CREATE TABLE {table} AS SELECT dataset, source, measure, p_key, {names}, lo, hi, "
                                 "0::BIGINT AS n, [fid] AS fids, ck FROM figures WHERE false")
            return
        # params are bound in the order the selects use them: per select, its dimensions, then its group
        self.con.execute(f"CREATE TEMP TABLE cube AS {' UNION ALL '.join(selects)}", params)
        self._code_cube(figures, blanks)
        texts = ["dataset", "source", "measure", "p_key"] + [f"c_{d}" for d in self.dims]
        written = ", ".join(f't.l["{n}" + 1] AS "{n}"' if coded else f'"{n}"' for n in texts)
        written_from = "cube, (SELECT ?::VARCHAR[] AS l) t" if coded else "cube"
        # a sum over a part left blank is unknown: kept apart, for the kinds to call undecided
        for table, which in (("derived", "NOT incomplete"), ("derived_incomplete", "incomplete")):
            self.con.execute(f"CREATE TABLE {table} AS SELECT {written}, lo, hi, n, fids, ck FROM {written_from} "
                             f"WHERE {which}", [text_list] if coded else [])
        self.con.execute("DROP TABLE cube")

    def _code_cube(self, figures: str, blanks: str) -> None:
        """`ck` on the sums of the cube: the code of their coordinates, new ones (a parent no figure
        is printed at) numbered after the figures'. One join on every dimension here spares one in
        each kind. The sums of periods and of member sets stand at figures' coordinates (their ck)."""
        if not self.dims:
            self.con.execute("ALTER TABLE cube ADD COLUMN ck INTEGER DEFAULT 0")
            return
        names = ", ".join(col(d) for d in self.dims)
        self.con.execute(f"CREATE TEMP TABLE coords AS SELECT DISTINCT ck, {names} FROM (SELECT ck, {names} FROM "
                         f"{figures} UNION ALL SELECT ck, {names} FROM {blanks})")
        self.con.execute(f"INSERT INTO coords SELECT (? + row_number() OVER ())::INTEGER, * FROM (SELECT {names} "
                         f"FROM cube EXCEPT SELECT {names} FROM coords)", [len(self.coordinate_codes) - 1])
        same = " AND ".join(f"k.{col(d)} = t.{col(d)}" for d in self.dims)
        self.con.execute(f"CREATE TEMP TABLE cube_coded AS SELECT t.*, k.ck FROM cube t JOIN coords k ON {same}")
        self.con.execute("DROP TABLE cube")
        self.con.execute("ALTER TABLE cube_coded RENAME TO cube")
        self.con.execute("DROP TABLE coords")

    def _derive_periods(self) -> None:
        """Flows over the periods a figure is printed for, summed from the shorter periods a source
        prints inside it (years to a span of years, quarters to their year), where those periods
        tile it exactly: no gap (the days add up) and none counted twice (each period once)."""
        keys = ", ".join(f"t.{col(d)}" for d in self.dims)
        self.con.execute(
            f"INSERT INTO derived SELECT t.dataset, c.source, t.measure, t.p_key, {keys}, sum(c.lo), sum(c.hi), "
            f"count(*), list(c.fid ORDER BY c.fid), t.ck FROM (SELECT DISTINCT dataset, measure, p_key, p_start, p_end, "
            f"{', '.join(col(d) for d in self.dims)}, ck FROM figures WHERE NOT p_instant AND additive) t "
            f"JOIN figures c ON c.dataset = t.dataset AND c.measure = t.measure AND {same_coordinates('c', 't')} AND c.origin = 'cell' "
            f"AND NOT c.p_instant AND c.p_start >= t.p_start AND c.p_end <= t.p_end AND c.p_key <> t.p_key "
            f"GROUP BY t.dataset, c.source, t.measure, t.p_key, t.p_start, t.p_end, {keys}, t.ck "
            f"HAVING count(DISTINCT c.p_key) = count(*) "
            f"AND sum(date_diff('day', c.p_start, c.p_end) + 1) = date_diff('day', t.p_start, t.p_end) + 1")

    def _derive_sets(self) -> None:
        """The sums over the members a claim names together ("in Aghdam and Aghjabedi"), from every
        source that prints each of them: one query per dimension, over a table of the sets."""
        from .load import MemberSet

        names = ", ".join(col(x) for x in self.dims)
        # each member as its source prints it, or as the sum of its parts there (a region's operators)
        pool = (f"SELECT dataset, source, measure, p_key, {names}, lo, hi, [fid] AS fids FROM figures "
                f"WHERE origin IN ('cell', 'total') AND source <> 'text' UNION ALL "
                f"SELECT dataset, source, measure, p_key, {names}, lo, hi, fids FROM derived")
        for d in self.dims:
            sets = {}
            for f in self.figures:
                m = f.coords[d]
                if isinstance(m, MemberSet) and not any(isinstance(f.coords[x], MemberSet) for x in self.dims if x != d):
                    sets[(f.dataset, f.measure, f.period.key(), tuple(f.coords[x] for x in self.dims))] = m.members
            if not sets:
                continue
            keys = list(sets)
            others = [x for x in self.dims if x != d]
            cols = [("dataset", "VARCHAR", [k[0] for k in keys]), ("measure", "VARCHAR", [k[1] for k in keys]),
                    ("p_key", "VARCHAR", [k[2] for k in keys]), ("label", "VARCHAR", [str(k[3][self.dims.index(d)])
                                                                                      for k in keys]),
                    ("members", "VARCHAR[]", [list(sets[k]) for k in keys])]
            cols += [(f"c_{x}", "VARCHAR", [k[3][self.dims.index(x)] for k in keys]) for x in others]
            cols += [("ck", "INTEGER", [self.coordinate_codes[k[3]] for k in keys])]  # the claim's coordinates
            self.con.execute("CREATE OR REPLACE TEMP TABLE sets AS SELECT "
                             + ", ".join(f'unnest(?::{t}[]) AS "{n}"'
                                         for n, t, _ in cols), [v for _, _, v in cols])
            same = " AND ".join([f"c.{col(x)} = s.{col(x)}" for x in others] or ["true"])
            keys_sql = ", ".join(f"s.{col(x)}" if x != d else f"s.label AS {col(x)}" for x in self.dims)
            self.con.execute(
                f"INSERT INTO derived SELECT s.dataset, c.source, s.measure, s.p_key, {keys_sql}, sum(c.lo), "
                f"sum(c.hi), sum(len(c.fids)), list_sort(flatten(list(c.fids))), s.ck FROM sets s JOIN ({pool}) c "
                f"ON c.dataset = s.dataset AND c.measure = s.measure AND c.p_key = s.p_key AND {same} "
                f"AND list_contains(s.members, c.{col(d)}) "
                f"GROUP BY s.dataset, c.source, s.measure, s.p_key, {', '.join(f's.{col(x)}' for x in others)}, "
                f"s.label, s.members, s.ck HAVING count(DISTINCT c.{col(d)}) = len(s.members) "
                f"AND count(*) = len(s.members)")


def same_coordinates(a: str, b: str) -> str:
    """SQL: the figures or sums `a` and `b` stand at the same coordinates, on every dimension."""
    return f"{a}.ck = {b}.ck"


def _period_codes(figs: list[Figure], periods: dict) -> list[int]:
    """Each figure's period as a number into `periods` (the distinct periods, numbered as met)."""
    values = [f.period for f in figs]
    for p in dict.fromkeys(values):
        periods.setdefault(p, len(periods))
    return list(map(periods.__getitem__, values))


def _columns(columns: dict[str, tuple[str, list]]) -> tuple[str, list, dict | None]:
    """A relation holding `columns` (name: DuckDB type and values): its SQL, its parameters, and the
    NumPy arrays the SQL names `columns_np`, which the caller keeps in a local of that name.

    With NumPy installed (the `numpy` extra) the columns become arrays that DuckDB's replacement
    scan finds by name and scans in place (before the connection is locked); without it they are
    bound as typed lists and unnested, about ten times as slow (1.3 s more for the 118,000 figures
    of 1,000 editions). The rows are the same either way, and so is every query over them."""
    try:
        import numpy
    except ImportError:
        select = ", ".join(f'unnest(?::{t}[]) AS "{name}"' for name, (t, _) in columns.items())
        return f"(SELECT {select})", [values for _, values in columns.values()], None
    dtypes = {"BIGINT": numpy.int64, "INTEGER": numpy.int32, "BOOLEAN": bool, "DOUBLE": numpy.float64}
    arrays = {name: numpy.fromiter(values, dtype=dtypes[t], count=len(values)) for name, (t, values) in columns.items()}
    return "columns_np", [], arrays
