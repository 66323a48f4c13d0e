"""`--select` and `--ignore`: which rules a run reports, as ruff chooses its rules.

Each value is a rule id (`printed-totals`), a glob over rule ids (`claim-*`) or a severity
(`error`, `warning`, `info`); values are given comma-separated, by repeating the option, or both.
A rule is reported when it is selected (every rule is, without `--select`) and not ignored.
A value that matches no rule of the packs the run used is an error (exit 2) with the ids it
could have meant: a misspelt `--ignore` would otherwise report what the user meant to hide,
and a misspelt `--select` would pass a run that checked nothing.
"""
from __future__ import annotations

import fnmatch

from .errors import AuditInputError, Problem
from .findings import SEVERITIES, Run


def split_values(values: list[str] | None) -> list[str]:
    """The values of a repeated, comma-separated option, in order, blanks dropped."""
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


def matches(value: str, rule: str, severity: str) -> bool:
    if value in SEVERITIES:
        return severity == value
    return fnmatch.fnmatchcase(rule, value)


def unmatched(option: str, values: list[str], rules: dict[str, str]) -> list[Problem]:
    """A problem for every value that matches none of `rules` (id -> severity), with the ids,
    globs or severities it could have meant."""
    from .errors import did_you_mean

    globs = sorted({rid.split("-")[0] + "-*" for rid in rules if "-" in rid})
    problems = []
    for value in values:
        if value in SEVERITIES or any(matches(value, rid, sev) for rid, sev in rules.items()):
            continue
        hint = did_you_mean(value, list(rules) + globs + list(SEVERITIES)) or \
            "give rule ids (audit rules lists them), globs such as 'claim-*', or error, warning, info"
        problems.append(Problem(option, f"'{value}' matches no rule", hint=hint))
    return problems


def select_rules(runs: list[Run], select: list[str], ignore: list[str]) -> None:
    """Keep in each run only the rules selected and not ignored (checked against the rules of the runs)."""
    if not select and not ignore:
        return
    known = {r.rule: r.severity for run in runs for r in run.rules}
    problems = unmatched("--select", select, known) + unmatched("--ignore", ignore, known)
    if problems:
        raise AuditInputError(problems)
    for run in runs:
        kept = [r for r in run.rules
                if (not select or any(matches(v, r.rule, r.severity) for v in select))
                and not any(matches(v, r.rule, r.severity) for v in ignore)]
        run.rules = kept


def drop_unselected_entries(runs: list[Run]) -> None:
    """Baseline entries of rules the run did not report are neither stale nor expired here."""
    for run in runs:
        ids = {r.rule for r in run.rules}
        run.stale = [e for e in run.stale if e.get("rule") in ids]
        run.expired = [e for e in run.expired if e.get("rule") in ids]
