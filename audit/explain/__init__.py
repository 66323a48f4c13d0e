"""Which reported figures are most likely wrong: the fewest (least trusted) figures whose correction
makes every failed linear rule hold again, without breaking a rule that holds.

`explain_dataset(path)` reads every rule item of the pack as linear constraints over the figures
(`forms`), takes the failing ones as targets, lets only the figures they read change, keeps every
other item that reads those figures holding, and solves one mixed-integer program per group of
targets that share figures (`solve`). Weights (`weights`) say how much each kind of figure is trusted.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .figures import Figure, FigureBook, Item, Skipped, Undecided
from .solve import Correction, Group, solve_group
from .weights import Weights

__all__ = ["Explanation", "explain_dataset", "attach"]


@dataclass
class LeftOut:
    rule: str
    reason: str


@dataclass
class Explanation:
    dataset: str
    path: str
    groups: list[Group]
    figures: dict[str, Figure]
    left_out: list[LeftOut]
    weights: Weights
    items: int  # rule items modelled
    seconds: float = 0.0
    severities: tuple[str, ...] = ("error",)
    skipped: list[Skipped] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"dataset": self.dataset, "path": self.path, "seconds": round(self.seconds, 3),
                "items_modelled": self.items,
                "weights": {**self.weights.by_kind, "tables": dict(self.weights.by_table)},
                "groups": [group_dict(g, n) for n, g in enumerate(self.groups, 1)],
                "left_out": [{"rule": x.rule, "reason": x.reason} for x in self.left_out]}


def group_dict(g: Group, number: int) -> dict:
    return {"group": number, "rules": g.rules,
            "failing_items": [{"rule": t.rule, "item": t.subject} for t in g.targets],
            "figures": len(g.free), "constraints": len(g.items), "problem": g.problem,
            "held_fixed": [{"figure": f, "why": why} for f, why in g.fixed.items()],
            "best": [correction_dict(c) for c in g.best], "more_of_best_weight": g.more,
            "next_best": correction_dict(g.next_best) if g.next_best else None}


def correction_dict(c: Correction) -> dict:
    return {"weight": c.weight, "changes": [{
        "figure": ch.figure.location.label or ch.figure.id, "kind": ch.figure.kind,
        "location": ch.figure.location.to_dict(),
        "printed": ch.figure.printed(), "corrected": ch.figure.printed(ch.new),
        "value": ch.figure.value / ch.figure.factor, "new_value": round(ch.new / ch.figure.factor, 10),
        "low": None if ch.low is None else round(ch.low / ch.figure.factor, 10),
        "high": None if ch.high is None else round(ch.high / ch.figure.factor, 10),
        "unit": ch.figure.unit} for ch in c.changes]}


def explain_dataset(path: str | Path, rules_dir: str | Path | None = None, pack=None, dataset=None,
                    severities: tuple[str, ...] = ("error",), run=None) -> Explanation:
    """Explain the failed linear rules of one dataset. Raises AuditInputError on bad input."""
    from ..contracts import check_structure, dataset_schema
    from ..dataset import load_dataset
    from ..engine import DuckDBEngine
    from ..expr.compiler import CompileError, NotApplicable
    from ..kinds.base import RunContext
    from ..pack import PACK_FILE, find_pack, load_pack
    from ..runner import audit_dataset
    from .forms import FORMS

    start = time.perf_counter()
    ds = dataset or load_dataset(path)
    pack = pack or load_pack(find_pack(ds.profile, rules_dir, ds.descriptor))
    check_structure(ds, pack)
    weights = Weights()
    weights.update(Path(pack.root) / PACK_FILE, str(Path(pack.root) / PACK_FILE), set(pack.contracts))
    weights.update(Path(ds.root) / Path(ds.descriptor).name, ds.descriptor, set(ds.tables))
    run = run or audit_dataset(path, pack=pack, dataset=ds)

    book = FigureBook(ds)
    items: list[Item] = []
    skipped: list[Skipped] = []
    no_form: dict[str, str] = {}

    def skip(kind, subject: str, reason: str, figures, failing: bool = False):
        skipped.append(Skipped(kind.rule.id, kind.rule.severity, subject, reason, failing, set(figures)))

    engine = DuckDBEngine(ds)
    try:
        ctx = RunContext(ds, engine, dataset_schema(ds, pack))
        for kind in pack.rules:
            form = FORMS.get(kind.rule.kind)
            if form is None:
                no_form[kind.rule.id] = f"kind '{kind.rule.kind}' has no linear form"
                continue
            try:
                items.extend(form(kind, ctx, book, skip))
            except (NotApplicable, CompileError, Undecided):
                continue
    finally:
        engine.close()

    groups, targets = solve_items(items, skipped, book.figures, weights, severities)
    left_out = left_out_of(run, targets, skipped, severities, no_form)
    return Explanation(ds.name, str(path), groups, book.figures, left_out, weights, len(items),
                       time.perf_counter() - start, tuple(severities), skipped)


def solve_items(items: list[Item], skipped: list[Skipped], figures: dict[str, Figure], weights: Weights,
                severities: tuple[str, ...], held: dict[str, str] | None = None) -> tuple[list[Group], list[Item]]:
    """The failing linear items of these severities as targets, grouped by the figures they share,
    each group solved; the figures they read may change, except those `held` (figure -> why) and
    those a skipped item that holds reads. Returns the groups and the targets. Shared by both layouts."""
    x0 = {k: f.value for k, f in figures.items()}
    holds = {id(it): it.holds(x0) for it in items}
    targets = [it for it in items if it.linear and not holds[id(it)] and it.severity in severities]
    free = set().union(*(t.figures for t in targets)) if targets else set()
    side = [it for it in items if holds[id(it)] and it.bound & free]

    fixed: dict[str, str] = {f: why for f, why in (held or {}).items() if f in free}
    for s in skipped:
        if not s.failing:
            for f in s.figures & free:
                fixed.setdefault(f, f"also read by {s.rule} ({s.subject}), which the model cannot represent: {s.reason}")

    groups = [Group(targets=comp_targets, items=comp_targets + comp_side, free=sorted(comp_free),
                    fixed={f: why for f, why in fixed.items() if f in comp_free})
              for comp_targets, comp_side, comp_free in _components(targets, side)]
    w = {f: weights.of(figures[f]) for f in free}
    for g in groups:
        solve_group(g, figures, w)
    return groups, targets


def left_out_of(run, targets: list[Item], skipped: list[Skipped], severities: tuple[str, ...],
                no_form: dict[str, str] | None = None) -> list[LeftOut]:
    """The failed rules of these severities that no target explains, each with why."""
    explained = {t.rule for t in targets}
    no_form = no_form or {}
    left_out = []
    for result in run.rules:
        if result.status != "failed" or result.severity not in severities or result.rule in explained:
            continue
        if result.kind == "contract":
            reason = "a table contract (types, codes, unique keys), not a relation between figures"
        elif result.kind == "constraints":
            reason = "a column's constraints (types, codes, ranges), not a relation between figures"
        else:
            reasons = [s.reason for s in skipped if s.rule == result.rule]
            reason = no_form.get(result.rule) or (reasons[0] if reasons else "its failing items are not linear")
        left_out.append(LeftOut(result.rule, reason))
    return left_out


def _components(targets: list[Item], side: list[Item]):
    """Targets grouped by the free figures they share, directly or through items that hold."""
    free = set().union(*(t.figures for t in targets)) if targets else set()
    parent = {f: f for f in free}

    def find(f):
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    for it in [*targets, *side]:
        fs = sorted(it.bound & free)
        for a, b in zip(fs, fs[1:]):
            parent[find(a)] = find(b)
    comps: dict[str, tuple[list, list, set]] = {}
    for t in targets:
        root = find(sorted(t.figures)[0]) if t.figures else id(t)
        comps.setdefault(root, ([], [], set()))[0].append(t)
    for it in side:
        fs = it.bound & free
        if fs:
            root = find(sorted(fs)[0])
            if root in comps:
                comps[root][1].append(it)
    for f in free:
        root = find(f)
        if root in comps:
            comps[root][2].add(f)
    return list(comps.values())


def attach(explanation: Explanation, run) -> None:
    """Put each group's result on the findings it concerns (same rule, a figure the group reads)."""
    for n, g in enumerate(explanation.groups, 1):
        places = {explanation.figures[f].location.identity() for f in g.free}
        summary = group_dict(g, n)
        for result in run.rules:
            if result.rule not in g.rules:
                continue
            for finding in result.findings:
                if any(loc.identity() in places for loc in finding.locations):
                    finding.explanation = summary


def explain_runs(runs, datasets: dict, rules_dir=None) -> None:
    """`audit check --explain`: explain each audited dataset and attach the result to its findings.
    The datasets in the figure layout (not among `datasets`, which holds those of the table layout)
    are explained together, as they were audited: their figures audited again, in one store per
    pack, with their relations recorded."""
    from ..pack import find_pack, load_pack

    packs: dict = {}
    figure_runs = [run for run in runs if run.dataset not in datasets]  # audited as figures (audit/figures)
    if any(r.status == "failed" for run in figure_runs for r in run.rules):
        from .over_figures import explain_figures_together

        found = explain_figures_together([run.path for run in figure_runs], rules_dir)
        for run, (explanation, _run) in zip(figure_runs, found):
            if any(r.status == "failed" for r in run.rules):
                attach(explanation, run)
    for run in runs:
        if run.dataset not in datasets or not any(r.status == "failed" for r in run.rules):
            continue
        ds = datasets[run.dataset]
        folder = find_pack(ds.profile, rules_dir, ds.descriptor).resolve()
        pack = packs.setdefault(folder, load_pack(folder))
        attach(explain_dataset(run.path, pack=pack, dataset=ds, run=run), run)
