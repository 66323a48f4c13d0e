"""`audit explain PATH` as text: per group of failed rules, the best corrections, their ties, the next best."""
from __future__ import annotations

from ..escape import terminal
from . import Explanation
from .solve import Correction, Group


def render_text(ex: Explanation) -> str:
    """The explanation for a terminal. Its lines quote the data (names, labels, values, files), so
    each line goes through `audit.escape.terminal` as it is joined: nothing in the data can add a
    line or reach the terminal as a control character."""
    out = []
    n_rules = sum(len(g.rules) for g in ex.groups)
    head = (f"{ex.dataset}: {n_rules} failed rule{'s' if n_rules != 1 else ''} explained in "
            f"{len(ex.groups)} group{'s' if len(ex.groups) != 1 else ''} "
            f"({ex.items} rule items modelled, {ex.seconds:.1f} s)")
    out.append(head)
    weights = ", ".join(f"{k} {v:g}" for k, v in ex.weights.by_kind.items())
    weights += "".join(f", {t} {w:g}" for t, w in ex.weights.by_table.items())
    out.append(f"weights: {weights}" + (f" (from {', '.join(ex.weights.sources)})" if ex.weights.sources else
                                        " (defaults)"))
    if not ex.groups and not ex.left_out:
        out += ["", "No rule of these severities failed: nothing to explain."]
    elif not ex.groups:
        out += ["", "No failed rule is linear in the reported figures: nothing to explain."]
    for n, g in enumerate(ex.groups, 1):
        out.append("")
        out += render_group(g, n)
    if ex.left_out:
        out += ["", "Failed rules left out (not linear in the figures):"]
        for x in ex.left_out:
            out.append(f"  {x.rule}: {x.reason}")
    return "\n".join(terminal(line) for line in out) + "\n"


def render_group(g: Group, n: int) -> list[str]:
    out = [f"Group {n}: {', '.join(g.rules)}"]
    for t in g.targets:
        out.append(f"  fails: {t.rule}: {t.subject}")
    out.append(f"  {len(g.free)} figures may change; {len(g.items) - len(g.targets)} rule items that hold must "
               f"keep holding")
    for f, why in g.fixed.items():
        out.append(f"  held at its printed value: {f}: {why}")
    if g.problem:
        out.append(f"  No correction: {g.problem}")
        return out
    if not g.best:
        out.append("  No correction found within the solver's limits.")
        return out
    best = g.best[0].weight
    if len(g.best) == 1:
        out.append(f"  Most likely wrong (weight {best:g}, the only set of this weight):")
        out += render_correction(g.best[0], "    ")
    else:
        more = " or more" if g.more else ""
        out.append(f"  The data cannot tell {len(g.best)}{more} corrections of weight {best:g} apart; any one of:")
        for i, c in enumerate(g.best, 1):
            out.append(f"    ({i})")
            out += render_correction(c, "      ")
    if g.next_best:
        out.append(f"  Next best (weight {g.next_best.weight:g}):")
        out += render_correction(g.next_best, "    ")
    else:
        out.append("  No other correction exists among the figures the failing rules read.")
    return out


def render_correction(c: Correction, indent: str) -> list[str]:
    out = []
    for ch in c.changes:
        fig = ch.figure
        loc = fig.location
        where = loc.place if loc.row or loc.cell else loc.file
        span = _range(ch)
        out.append(f"{indent}{fig.where}: {fig.printed()} -> {fig.printed(ch.new)}{span}  [{where}]")
    return out


def _range(ch) -> str:
    fig = ch.figure
    if ch.low is not None and ch.high is not None:
        if abs(ch.low - ch.high) < fig.step / 2:
            return " (no other value works)"
        return f" (any value from {fig.printed(ch.low)} to {fig.printed(ch.high)})"
    if ch.low is not None:
        return f" (any value from {fig.printed(ch.low)} up)"
    if ch.high is not None:
        return f" (any value up to {fig.printed(ch.high)})"
    return ""


def summary(explanation: dict) -> tuple[str, list[list[str]]]:
    """An attached explanation (the JSON form) in words: a heading and, per correction, its changes.

    Shared by the text, HTML and Markdown reports, so that all say the same thing."""
    if explanation.get("problem"):
        return "No correction of these figures resolves it: " + explanation["problem"], []
    best = explanation.get("best") or []
    if not best:
        return "No correction was found within the solver's limits.", []
    others = ", ".join(r for r in explanation["rules"])
    weight = f"{best[0]['weight']:g}"
    if len(best) == 1:
        head = f"Most likely wrong (weight {weight}; resolves {others}):"
    else:
        more = " or more" if explanation.get("more_of_best_weight") else ""
        head = (f"The data cannot tell {len(best)}{more} corrections of weight {weight} apart "
                f"(each resolves {others}):")
    sets = [[_change_text(ch) for ch in c["changes"]] for c in best]
    nxt = explanation.get("next_best")
    if nxt:
        sets.append([f"next best (weight {nxt['weight']:g}): " + "; ".join(_change_text(ch) for ch in nxt["changes"])])
    return head, sets


def _change_text(ch: dict) -> str:
    loc = ch["location"]
    return f"{ch['figure']}: {ch['printed']} -> {ch['corrected']} ({loc['file']}:{loc.get('row')})"
