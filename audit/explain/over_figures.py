"""`audit explain` for datasets in the figure layout.

The kinds over figures decide each item with interval arithmetic and, when asked, say what it
states about the figures it reads as linear bounds (`audit.figures.linear`). Here every figure
becomes a variable at its printed value (its interval kept around it: a corrected figure keeps
the precision and the qualifier it was printed with), every bound a row of the program of
`solve`, and the model is built and solved as for the table layout (`solve_items`). A bound

    sum c_i F_i + add  meets [lo, hi]

holds at values x_i when its greatest value, sum c_i x_i plus what the intervals allow above,
reaches lo, and its least value reaches down to hi; `within` bounds need the whole interval inside.

Items whose kind cannot state them linearly are left out and said so; where such an item holds,
the alternative that holds today is kept (a witness), or else its figures are held at their
printed values. Figures of the pack's reference data, and figures printed as a range, are held too.
"""
from __future__ import annotations

import time
from pathlib import Path

from ..figures.linear import Bound, Relation
from ..figures.model import INF
from .figures import Figure, Item, Lin, Row, Skipped
from .weights import Weights

KIND_OF = {"total": "total", "cell": "cell", "text": "claim", "reference": "claim"}


def explain_figures(path: str | Path, rules_dir: str | Path | None = None, pack=None,
                    severities: tuple[str, ...] = ("error",)):
    """Explain the failed linear rules of one dataset in the figure layout (audited alone).
    Returns the Explanation and the run it explains. Raises AuditInputError on bad input."""
    return explain_figures_together([path], rules_dir, pack, severities)[0]


def explain_figures_together(paths: list, rules_dir: str | Path | None = None, pack=None,
                             severities: tuple[str, ...] = ("error",)) -> list[tuple]:
    """Explain the failed linear rules of datasets in the figure layout, audited together as
    `audit check` audits them (per pack, one space of figures: an edition's finding that reads
    another edition's figures is explained with both, and either may be the one to change).
    Returns (Explanation, Run) per path, in their order; `pack`, when given, is every path's.
    Raises AuditInputError on bad input."""
    from ..figures.pack import load_figure_pack

    groups: dict = {}
    for i, path in enumerate(paths):
        groups.setdefault(None if pack is not None else pack_folder(path, rules_dir), []).append(i)
    out: list = [None] * len(paths)
    for folder, indices in groups.items():
        group_pack = pack if folder is None else load_figure_pack(folder)
        for i, result in zip(indices, _explain_group([paths[i] for i in indices], group_pack, severities)):
            out[i] = result
    return out


def _explain_group(paths: list, pack, severities: tuple[str, ...]) -> list[tuple]:
    """The explanations of datasets of one pack, their figures in one store."""
    from ..figures.load import load_figures
    from ..figures.reference import with_reference
    from ..figures.store import FigureStore
    from ..pack import PACK_FILE
    import copy

    from . import Explanation, left_out_of, solve_items

    start = time.perf_counter()
    pack_weights = Weights()  # the pack's, read once; each dataset's descriptor adds its own
    pack_weights.update(Path(pack.root) / PACK_FILE, str(Path(pack.root) / PACK_FILE), set())
    datasets, descriptors = [], []
    for path in paths:
        descriptor, meta = _descriptor(path)
        datasets.append(load_figures(path, pack.vocabulary, meta))
        descriptors.append(descriptor)
    store = FigureStore(with_reference(datasets, pack.reference, pack.vocabulary), pack.vocabulary)
    recorded: dict[str, list[tuple]] = {}
    try:
        results = []
        for kind in pack.rules:
            kind.relations = []
            try:
                results.append(kind.run(store))
                for dataset, ok, relation in kind.relations:
                    recorded.setdefault(dataset, []).append((kind, ok, relation))
            finally:
                kind.relations = None
        # one book for the group: an item of one edition and an item of another that read the
        # same figure name it alike, so a correction proposed for one edition is weighed against
        # what holds in the others
        book = FigureNames(store)
        models = []
        for ds in datasets:
            items, skipped = [], []
            for kind, ok, relation in recorded.get(ds.name, ()):
                _model(kind, ok, relation, book, items, skipped)
            models.append((items, skipped))
    finally:
        store.close()
    reading = _holding_by_figure(datasets, models, book)
    shared = time.perf_counter() - start
    out = []
    for path, descriptor, ds, (items, skipped) in zip(paths, descriptors, datasets, models):
        began = time.perf_counter()
        weights = copy.deepcopy(pack_weights)
        weights.update(Path(descriptor), str(descriptor), {f.table for f in ds.figures if f.table})
        run = audit_results(ds, pack, results)
        others, others_skipped = _context(ds.name, items, book, reading)
        figures = {k: book.figures[k] for it in (*items, *others) for k in it.figures | it.bound}
        groups, targets = solve_items(items + others, skipped + others_skipped, figures, weights, severities,
                                      book.held)
        left_out = left_out_of(run, targets, skipped, severities)
        seconds = shared / len(paths) + time.perf_counter() - began
        out.append((Explanation(ds.name, str(path), groups, figures, left_out, weights, len(items), seconds,
                                tuple(severities), skipped), run))
    return out


def _holding_by_figure(datasets, models, book) -> dict[str, list[tuple[str, object]]]:
    """figure -> (dataset, item or Skipped) of every item that holds today and reads it."""
    reading: dict[str, list] = {}
    for ds, (items, skipped) in zip(datasets, models):
        for it in items:
            if it.holds({k: book.figures[k].value for k in it.bound}):
                for f in it.figures | it.bound:
                    reading.setdefault(f, []).append((ds.name, it))
        for sk in skipped:
            if not sk.failing:
                for f in sk.figures:
                    reading.setdefault(f, []).append((ds.name, sk))
    return reading


def _context(dataset: str, items: list, book, reading: dict) -> tuple[list, list]:
    """The items of the other editions that hold today and read a figure of this edition's
    failing items: a correction may not break them (the skipped ones hold their figures)."""
    failing = [it for it in items if it.linear and not it.holds({k: book.figures[k].value for k in it.bound})]
    seen: set[int] = set()
    others, others_skipped = [], []
    for f in sorted(set().union(*(it.figures for it in failing)) if failing else ()):
        for name, it in reading.get(f, ()):
            if name != dataset and id(it) not in seen:
                seen.add(id(it))
                (others_skipped if isinstance(it, Skipped) else others).append(it)
    return others, others_skipped


def _descriptor(path):
    from ..dataset import _read_descriptor
    from ..figures.load import descriptor_of

    _folder, descriptor = descriptor_of(path)
    return descriptor, _read_descriptor(descriptor, str(descriptor))


def pack_folder(path, rules_dir=None) -> Path:
    """The folder of the pack for the dataset at `path`: its profile's, or `rules_dir`."""
    from ..errors import AuditInputError, Problem
    from ..figures.pack import is_figure_pack
    from ..pack import find_pack

    descriptor, meta = _descriptor(path)
    profile = (meta.get("auditProfile") or meta.get("profile")) if isinstance(meta, dict) else None
    folder = find_pack(str(profile) if profile else None, rules_dir, descriptor).resolve()
    if not is_figure_pack(folder):
        raise AuditInputError(Problem(str(descriptor), f"the dataset maps its columns to figures, but the pack "
                                      f"{folder} has no vocabulary.yaml", hint="give --rules a pack of figures"))
    return folder


def audit_results(ds, pack, results):
    """The Run of one dataset from its rules' results (as `audit_loaded` gives it)."""
    from ..findings import Run
    from ..figures.run import _constraints

    return Run(dataset=ds.name, path=str(ds.root), profile=ds.profile, pack=str(pack.root),
               rules=[*_constraints(ds), *(r[ds.name] for r in results)], meta=dict(ds.meta))


class FigureNames:
    """The explain model's figures, one per figure of the store that an item reads."""

    def __init__(self, store):
        self.store = store
        self.figures: dict[str, Figure] = {}
        self.held: dict[str, str] = {}  # figure -> why it may not change
        self._ids: dict[int, str] = {}

    def id(self, fig) -> str:
        key = id(fig)
        if key in self._ids:
            return self._ids[key]
        from ..figures.kinds.base import location, unit_shown
        from ..figures.load import parse_printed

        store = self.store
        unit = store.vocab.unit(fig.unit) if fig.unit else None
        factor = unit.factor if unit else 1.0
        name = (f"claim:{fig.claim}" if fig.source == "text" else
                f"reference:{fig.claim or fig.label}" if fig.origin == "reference" else
                f"{fig.file}:{fig.line}:{fig.column}")
        while name in self.figures:
            name += "'"
        parsed = parse_printed(fig.printed.split(" and ")[-1]) if fig.printed else None
        decimals = parsed[1] if parsed else 0
        value = parsed[0] * factor if parsed else fig.value
        shown = unit_shown(store, fig.unit)
        err = (fig.hi - fig.lo) / 2 if fig.lo > -INF and fig.hi < INF else 0.0
        out = Figure(name, KIND_OF.get(fig.origin, "cell"), value, err, 10.0 ** -decimals * factor,
                     shown, factor, decimals, location(store, fig, "figure"), table=fig.table, column=fig.column,
                     line=fig.line, claim=fig.claim if fig.source == "text" else None, source=fig)
        if fig.origin == "reference":
            self.held[name] = "a fact of the pack's reference data, not a figure the report printed"
        elif fig.qualifier == "between" or parsed is None or not fig.lo - 1e-9 * max(1.0, abs(value)) <= value \
                <= fig.hi + 1e-9 * max(1.0, abs(value)):
            self.held[name] = f"printed as {fig.printed!r}, which is not one number the model can correct"
        self.figures[name] = out
        self._ids[key] = name
        return name

    def offsets(self, fig) -> tuple[str, float, float]:
        """The figure's id, and how far its interval reaches below and above its printed value."""
        name = self.id(fig)
        x = self.figures[name].value
        return name, x - fig.lo, fig.hi - x


def rows_of(bound: Bound, book: FigureNames) -> list[Row]:
    """The rows of `solve` for one bound (see the module's docstring)."""
    terms: dict[str, float] = {}
    above, below = bound.add[1], bound.add[0]  # what the intervals add above and below sum c_i x_i
    for fig, c in bound.terms:
        name, a, b = book.offsets(fig)
        terms[name] = terms.get(name, 0.0) + c
        above += c * b if c >= 0 else -c * a
        below -= c * a if c >= 0 else -c * b
    expr = Lin({k: v for k, v in terms.items() if v != 0.0})
    high, low = (below, above) if bound.within else (above, below)
    rows = []
    if bound.lo > -INF and high < INF:  # the greatest (within: the least) value reaches lo
        rows.append(Row(expr, lo=bound.lo - high, strict=bound.strict))
    elif bound.lo > -INF and bound.within:
        rows.append(Row(Lin.constant(0.0), lo=1.0))  # an unbounded interval cannot lie within
    if bound.hi < INF and low > -INF:
        rows.append(Row(expr, hi=bound.hi - low, strict=bound.strict))
    elif bound.hi < INF and bound.within:
        rows.append(Row(Lin.constant(0.0), lo=1.0))
    return rows


def _model(kind, ok: bool, relation: Relation | None, book: FigureNames, items: list, skipped: list) -> None:
    """One recorded item as an Item of the model, or as Skipped with why."""
    rule = kind.rule
    if relation is None:
        skipped.append(Skipped(rule.id, rule.severity, rule.title, f"kind '{rule.kind}' gives no linear form of it",
                               not ok, set()))
        return
    figures = {book.id(f) for f in relation.read()}
    subject = relation.subject or rule.title
    rows = [r for b in relation.bounds for r in rows_of(b, book)]
    if relation.linear:
        x0 = {k: book.figures[k].value for r in rows for k in r.expr.terms}
        if all(r.holds(x0) for r in rows) != ok:
            skipped.append(Skipped(rule.id, rule.severity, subject, "its linear form does not reproduce the kind's "
                                   "decision at the printed figures", not ok, figures))
            return
        items.append(Item(rule.id, rule.severity, rule.kind, subject, rows, True, figures))
    elif ok and relation.bounds:
        # each bound of a witness on its own: a conjunction, and figures that one bound keeps on
        # their side of zero are not tied to the others' (groups stay as small as the failures)
        for b in relation.bounds:
            items.append(Item(rule.id, rule.severity, rule.kind, subject + " (kept as it holds today)",
                              rows_of(b, book), False, {book.id(f) for f, _ in b.terms}))
    else:
        skipped.append(Skipped(rule.id, rule.severity, subject, relation.reason or "not linear", not ok, figures))
