"""`audit lint RULES [--dataset PATH]` for a pack of rules over figures (a pack with vocabulary.yaml).

Without data:
- the vocabulary's problems and the rules' problems (unknown measures, dimensions, kinds,
  parameters, placeholders...), each an error at its file:line, as `audit check` would refuse them;
- `not-additive` (warning): an additivity rule whose `measures` names a measure of a quantity that
  is not additive (a share, a ratio): no sum of its parts is ever formed, so the rule never checks it;
- `unknown-member` (warning): a rule's `at` (or `flows_at`) names a member of a closed dimension that
  is neither its whole, one of its parts nor an alias: no figure is at it, so the rule finds nothing.

With `--dataset PATH` (a dataset in the figure layout), also:
- the dataset's problems, each an error at its file:line (as `audit check` would refuse it);
- `not-printed` (warning): a measure a rule names that the dataset never prints (the rule, or that
  part of it, does not apply to this dataset), unless the pack's reference data gives it (a report
  need not print what the pack knows);
- `unchecked-claim` (warning): a figure of the text whose measure no rule relates (it is read and
  checked by nothing).

A dimension the rules never name is not a warning: figures carry every dimension of the profile.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import AuditInputError, Problem
from ..lint import Issue, LintReport
from .kinds import FigureKind
from .vocabulary import Vocabulary

# parameters of the kinds over figures that name measures (a name or a list of names; pairs are lists of lists)
MEASURE_PARAMS = ("measures", "stock", "outflows", "inflows", "flow", "numerator", "denominator", "measure", "over",
                  "pairs")
AT_PARAMS = ("at", "flows_at")


def named_measures(kind: FigureKind) -> list[tuple[str, str]]:
    """(parameter, measure) for every measure a rule names in its parameters, in order."""
    out: list[tuple[str, str]] = []
    for key in MEASURE_PARAMS:
        value = getattr(kind.p, key, None)
        stack = [value]
        while stack:
            v = stack.pop(0)
            if isinstance(v, str) and v:
                out.append((key, v))
            elif isinstance(v, (list, tuple)):
                stack[:0] = list(v)
    return out


def related_measures(kind: FigureKind, vocab: Vocabulary) -> set[str]:
    """Every measure a rule relates: those it names, or for a kind that takes `measures` and names
    none, every measure it applies to by default (additivity: the additive ones; agreement: all)."""
    names = {m for _, m in named_measures(kind)}
    if hasattr(kind.p, "measures") and not kind.p.measures:
        if kind.rule.kind == "additivity":
            names |= {m for m in vocab.measures if vocab.quantity_of(m).additive}
        else:
            names |= set(vocab.measures)
    return names


def _issue(severity: str, code: str, message: str, file: str, line=None, column=None, rules=()) -> Issue:
    return Issue(severity, code, message, list(rules), file, line, column)


def _problem_issue(p: Problem, code: str) -> Issue:
    return _issue("error", code, p.message + (f" ({p.hint})" if p.hint else ""), p.file, p.line, p.column)


def lint_figure_pack(folder: str | Path, dataset: str | Path | None = None) -> LintReport:
    from .pack import load_figure_pack

    report = LintReport(str(folder), str(dataset) if dataset else None)
    try:
        pack = load_figure_pack(folder)
    except AuditInputError as exc:
        report.issues += [_problem_issue(p, "load") for p in exc.problems]
        report.issues.sort(key=lambda i: (i.file, i.line or 0, i.code))
        return report
    report.pack = str(pack.root)
    report.rules = len(pack.rules)
    vocab = pack.vocabulary
    for kind in pack.rules:
        _check_additive(report, kind, vocab)
        _check_members(report, kind, vocab)
    if dataset is not None:
        _check_dataset(report, pack, dataset)
    report.issues.sort(key=lambda i: (i.file, i.line or 0, i.code))
    return report


def _check_additive(report: LintReport, kind: FigureKind, vocab: Vocabulary) -> None:
    r = kind.rule
    if r.kind != "additivity":
        return
    for m in kind.p.measures:
        q = vocab.quantity_of(m)
        if not q.additive:
            line, col = r.node.pos("measures")
            report.issues.append(_issue(
                "warning", "not-additive",
                f"'{m}' is a measure of {q.name}, which the vocabulary says is not additive: no sum of its parts is "
                f"formed, so this rule never checks it", r.file, line, col, [r.id]))


def _check_members(report: LintReport, kind: FigureKind, vocab: Vocabulary) -> None:
    r = kind.rule
    for key in AT_PARAMS:
        at = getattr(kind.p, key, None) or {}
        for d, m in at.items():
            dim = vocab.dimensions.get(str(d))
            if dim is None or not dim.closed:
                continue  # unknown dimensions are load errors; an open dimension's members are what tables print
            member = dim.member(str(m))
            if member != dim.all and member not in dim.parts:
                line, col = r.node.pos(key)
                report.issues.append(_issue(
                    "warning", "unknown-member",
                    f"'{key}' puts {d} at '{m}', which is not a member of the closed dimension {d} "
                    f"({', '.join((dim.all,) + dim.parts)}): no figure is at it", r.file, line, col, [r.id]))


def _check_dataset(report: LintReport, pack, dataset: str | Path) -> None:
    from ..dataset import _read_descriptor
    from .load import descriptor_of, is_figure_layout, load_figures

    _folder, descriptor = descriptor_of(dataset)  # no such folder: bad input (exit 2)
    meta = _read_descriptor(descriptor, str(descriptor))
    if not is_figure_layout(meta):
        raise AuditInputError(Problem(str(descriptor), "this dataset is in the table layout (no field names a "
                                      "measure); a pack of rules over figures lints datasets in the figure layout",
                                      hint="lint it with the pack of its auditProfile (audit lint PACK --dataset "
                                           "PATH), or rewrite it with audit migrate"))
    try:
        ds = load_figures(dataset, pack.vocabulary, meta)
    except AuditInputError as exc:
        report.issues += [_problem_issue(p, "dataset") for p in exc.problems]
        return
    if ds.profile and ds.profile != pack.profile:
        report.issues.append(_issue("warning", "profile", f"the dataset is for profile '{ds.profile}', the pack "
                                    f"for '{pack.profile}'", ds.descriptor, None))
    printed = {f.measure for f in ds.figures} | {r.measure for r in getattr(pack, "reference", ())}
    # a measure named by rules that the dataset never prints: one warning per measure, at its first rule
    named: dict[str, list] = {}
    for kind in pack.rules:
        for key, m in named_measures(kind):
            rules = named.setdefault(m, [])
            if all(k is not kind for k, _ in rules):
                rules.append((kind, key))
    for m, rules in named.items():
        if m in printed:
            continue
        first, key = rules[0]
        line, col = first.rule.node.pos(key)
        report.issues.append(_issue(
            "warning", "not-printed",
            f"the dataset prints no figure of '{m}', which {'these rules relate' if len(rules) > 1 else 'this rule relates'}"
            f": {'they do' if len(rules) > 1 else 'it does'} not apply to it there",
            first.rule.file, line, col, [k.rule.id for k, _ in rules]))
    checked = set().union(*(related_measures(k, pack.vocabulary) for k in pack.rules)) if pack.rules else set()
    seen: set[tuple] = set()
    for f in ds.figures:
        if f.source == "text" and f.measure not in checked and (f.file, f.line, f.measure) not in seen:
            seen.add((f.file, f.line, f.measure))
            who = f" '{f.claim}'" if f.claim else ""
            report.issues.append(_issue(
                "warning", "unchecked-claim",
                f"the text's figure{who} of '{f.measure}' is checked by no rule of the pack (no rule relates "
                f"'{f.measure}')", f.file, f.line))
