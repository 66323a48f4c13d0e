"""Errors that stop an audit before it can run (exit code 2).

Every error names the file, and where it can the line, column and field, so that a person can
go straight to the offending text. Several problems can be collected and raised together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Problem:
    """One problem in an input file."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    hint: str | None = None
    excerpt: str | None = None
    caret: int | None = None

    def render(self) -> str:
        """The problem as printed on the terminal: `file:line:col: field: message`, then the excerpt
        with a caret under the column, then the hint. Every part may quote the input, so each goes
        through `audit.escape.terminal`; the caret stays under the same character of the excerpt."""
        from .escape import terminal

        where = terminal(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {terminal(self.message)}"
        if self.field:
            text = f"{where}: {terminal(self.field)}: {terminal(self.message)}"
        if self.excerpt is not None:
            excerpt, caret = _window(self.excerpt, self.caret)
            text += "\n    " + terminal(excerpt)
            if caret is not None:
                past_end = max(0, caret - len(excerpt))
                text += "\n    " + " " * (len(terminal(excerpt[:caret])) + past_end) + "^"
        if self.hint:
            text += f"\n  hint: {terminal(self.hint)}"
        return text


EXCERPT_WIDTH = 120  # characters of the input quoted around the caret


def _window(excerpt: str, caret: int | None) -> tuple[str, int | None]:
    """At most EXCERPT_WIDTH characters of a quoted line, around the caret (`…` where cut), and
    where the caret falls in them: a 10,000-character expression is not printed whole."""
    if len(excerpt) <= EXCERPT_WIDTH:
        return excerpt, caret
    at = min(max(caret or 0, 0), len(excerpt))
    start = max(0, min(at - EXCERPT_WIDTH // 2, len(excerpt) - EXCERPT_WIDTH))
    end = start + EXCERPT_WIDTH
    cut = ("…" if start else "") + excerpt[start:end] + ("…" if end < len(excerpt) else "")
    return cut, None if caret is None else caret - start + (1 if start else 0)


class AuditInputError(Exception):
    """Bad input: the audit cannot run. Carries one or more problems."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(p.render() for p in self.problems))

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show instead of a traceback: the problems, as the command line
        prints them (bad input is for the user to correct, not a crash to debug)."""
        return [f"AuditInputError: the audit cannot run ({len(self.problems)} problem(s))", *str(self).splitlines()]


@dataclass
class ProblemCollector:
    """Collects problems so that a loader can report all of them, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str | Path, message: str, line: int | None = None, column: int | None = None,
            **kw) -> None:
        self.problems.append(Problem(str(file), message, line, column, **kw))

    def raise_if_any(self) -> None:
        if self.problems:
            raise AuditInputError(list(self.problems))


def did_you_mean(word: str, choices) -> str | None:
    """'did you mean ...?' with the names of `choices` closest to `word`, or None when none is close."""
    import difflib

    close = difflib.get_close_matches(word, [str(c) for c in choices], n=3, cutoff=0.6)
    return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else None


def choices_hint(what: str, names, given: str) -> str:
    """A hint for a name that is not one of `names`: the closest, if one is close, and them all."""
    import difflib

    close = difflib.get_close_matches(str(given), [str(n) for n in names], n=1)
    return (f"did you mean '{close[0]}'? " if close else "") + f"the {what}: {', '.join(sorted(map(str, names))) or '(none)'}"
