"""One escaping function per output format.

Datasets and rule packs come from untrusted pull requests, so every string taken from them
(dataset names, table and row labels, messages, quotes, claim locators, file names, rule ids and
titles, hints, baseline reasons) is hostile. Each output format has exactly one function here,
and every writer of that format passes data through it:

| format                                   | function           | writers                                   |
|------------------------------------------|--------------------|-------------------------------------------|
| terminal (rich markup)                   | `terminal_markup`  | text reporter, `audit diff`, `audit rules`, progress bar, summary table |
| terminal (plain)                         | `terminal`         | Problem rendering, `audit explain`, `audit lint`, the github reporter's plain lines |
| GitHub workflow command message          | `github_message`   | github reporter                           |
| GitHub workflow command property         | `github_property`  | github reporter                           |
| Markdown inline text                     | `markdown_text`    | `audit report` .md, `audit diff --format markdown` |
| Markdown table cell                      | `markdown_cell`    | `check --format markdown`, `audit diff --format markdown` |
| Markdown inline code                     | `markdown_code`    | the same Markdown writers                 |
| HTML text and quoted attribute           | `html_text`        | `audit report` .html and its SVG charts, the notebook summary |
| XML text and attribute (JUnit)           | `xml_text`         | junit reporter                            |
| SARIF plain-text message                 | `sarif_text`       | sarif reporter                            |
| JSON document                            | `json_dumps`       | json and sarif reporters, `audit diff --format json` |
| spreadsheet (CSV) cell                   | `spreadsheet_cell` | `audit export` to CSV                     |

Characters that no output carries raw (`UNSAFE`) are shown visibly, as Python writes them in a
string literal: ESC as the four characters `\\x1b`, LF as `\\n`, a right-to-left override as
`\\u202e`.
A backslash in the data is left as it is, so the visible form of a control character and the
same characters typed in the data look alike; the point is that neither acts on the reader.
"""
from __future__ import annotations

import html
import json
import math
import re
from typing import Any

# C0 and C1 controls and DEL (terminal escape sequences, BEL, backspace, a CR that overwrites the
# line), lone surrogates and U+FFFE/U+FFFF (no encoder or XML parser accepts them), the
# bidirectional overrides, isolates and marks (text shown in another order than it is stored),
# and the Unicode line and paragraph separators (line breaks to some readers).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_OTHER = "\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff" + _BIDI
UNSAFE = re.compile(f"[\x00-\x1f{_OTHER}]")
_UNSAFE_BUT_TAB_LF = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHER}]")
_UNSAFE_BUT_LINES = re.compile(f"[\x00-\x09\x0b\x0c\x0e-\x1f{_OTHER}]")  # keeps LF, CR
_UNSAFE_IN_JSON = re.compile(f"[{_OTHER}]")  # json.dumps already escapes C0 controls
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _shown(ch: str) -> str:
    n = ord(ch)
    return _SHORT.get(ch) or (f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}")


def _visible(text: object, unsafe: re.Pattern) -> str:
    return unsafe.sub(lambda m: _shown(m.group()), str(text))


# GitHub Actions reads any log line that starts, after whitespace, with `::` or `##[` as a
# workflow command; showing the first character visibly makes it plain text.
_LOG_COMMAND = re.compile(r"^([^\S\n]*)(:(?=:)|#(?=#\[))", re.M)


def _no_log_command(text: str) -> str:
    return _LOG_COMMAND.sub(lambda m: m.group(1) + _shown(m.group(2)), text)


# -- terminal ----------------------------------------------------------------------------------

def terminal(text: object) -> str:
    """Text for a terminal or a CI log, one line.

    Guarantees: the result holds no character of `UNSAFE` (no ESC or CSI, so no escape sequence;
    no BEL, backspace, CR or LF, so nothing moves the cursor, rewrites or adds a line; no TAB; no
    bidirectional control, so it reads in the order it is stored); each is shown as it would be
    written in a Python string (`\\x1b`, `\\n`, `\\u202e`). A text that begins with `::` or
    `##[` (after spaces) has that first character shown too (`\\x3a`, `\\x23`), so that a log
    line it begins is no GitHub Actions workflow command. Everything else is unchanged.
    """
    return _no_log_command(_visible(text, UNSAFE))


def terminal_markup(text: object) -> str:
    """Text for a rich console: `terminal(text)` with rich markup escaped.

    Guarantees what `terminal` does, and that rich shows `[bold]`, `[link=...]` and any other
    markup in the data literally wherever it is put in a markup string (print it with
    `emoji=False` to keep `:name:` codes literal). A backslash that ends the text is followed by
    a zero-width space, so that it escapes neither the markup nor the text that comes next.
    """
    from rich.markup import escape

    s = terminal(text)
    return escape(s + "\u200b" if s.endswith("\\") else s)


# -- GitHub workflow commands ------------------------------------------------------------------

def github_message(text: object) -> str:
    """The message of a workflow command (`::error file=...::MESSAGE`).

    Guarantees: no CR or LF (the command cannot end and another begin, so no `::add-mask::`,
    `::stop-commands::` or forged annotation can follow), `%` encoded so that GitHub decodes the
    message back to the text (`%25`, `%0D`, `%0A`, as the Actions toolkit does), and every other
    character of `UNSAFE` shown visibly.
    """
    s = _visible(text, _UNSAFE_BUT_LINES)
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: object) -> str:
    """A property value of a workflow command (`file=`, `title=`...).

    Guarantees what `github_message` does, and no `:` or `,` (`%3A`, `%2C`), so the value can
    neither end the property list nor add a property.
    """
    return github_message(text).replace(":", "%3A").replace(",", "%2C")


# -- Markdown (GitHub-flavoured) ----------------------------------------------------------------

# One alternation so that nothing is escaped twice: the autolink triggers, then single characters.
_MD = re.compile(r"://|(?i:www)\.|[\\`*_\[\]|~$!&<>@#]")
_MD_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ZWSP = "&#8203;"
_MD_BLOCK_START = re.compile(r"^(?:[-+=](?=[-+=\s]|$)|\d{1,9}(?=[.)](?:\s|$)))")


def _md_char(m: re.Match) -> str:
    s = m.group()
    if s == "://":
        return ":" + _ZWSP + "//"
    if len(s) == 4:  # www.
        return s[:3] + _ZWSP + "."
    if s in _MD_ENTITY:
        return _MD_ENTITY[s]
    if s in "@#":
        return s + _ZWSP
    return "\\" + s


def markdown_text(text: object) -> str:
    """Text for inline Markdown (a paragraph, a heading, a list item, link text), one line.

    Guarantees that GitHub renders the literal text: whitespace runs (line breaks included) become
    one space, so no block can start; `UNSAFE` characters are shown visibly; `&`, `<`, `>` are
    entities, so no tag, comment or `</details>` can open or close; Markdown punctuation
    (backslash, backtick, `*`, `_`, `[`, `]`, `|`, `~`, `$`, `!`) is backslash-escaped, so no
    link, image, emphasis, code span or fence, table cell break or math; `@` and `#` are followed by a zero-width space and `://` and
    `www.` are broken the same way, so GitHub makes no mention, team or issue reference and no
    autolink; a leading list marker (`-`, `+`, `1.`, `1)` before a space) or `---`, `===` is
    escaped, so no list, thematic break or heading starts.
    """
    s = _visible(" ".join(str(text).split()), UNSAFE)
    s = _MD.sub(_md_char, s)
    return _MD_BLOCK_START.sub(lambda m: m.group() + "\\" if m.group()[0].isdigit() else "\\" + m.group(), s)


def markdown_cell(text: object) -> str:
    """Text for a Markdown table cell: `markdown_text` of each line, the lines joined with `<br>`.

    Guarantees what `markdown_text` does (`|` escaped, so the cell cannot split), and that the
    cell stays on its row: the only markup added is `<br>`.
    """
    return "<br>".join(markdown_text(line) for line in str(text).splitlines())


_CODE_UNSAFE = re.compile(f"[`|<>&\\\\]|{UNSAFE.pattern}")


def markdown_code(text: object) -> str:
    """An inline code span of `text`, one line; text a code span cannot carry verbatim (a backtick,
    `|` that would split a table cell, `<`, `>`, `&`, `\\`, an `UNSAFE` character) is given as
    `markdown_text` instead. Guarantees what `markdown_text` does."""
    s = " ".join(str(text).split())
    if not s:
        return ""
    return markdown_text(s) if _CODE_UNSAFE.search(s) else f"`{s}`"


# -- HTML, XML ----------------------------------------------------------------------------------

def html_text(text: object) -> str:
    """Text for an HTML or inline-SVG text node, or a quoted attribute value.

    Guarantees: `&`, `<`, `>`, `"` and `'` are entities (nothing can open a tag or an entity,
    or close the attribute), `UNSAFE` characters other than TAB and LF are shown visibly (a CR
    too: parsers would turn it into LF, and it rewrites a line on a terminal), and a line that
    begins with `::` or `##[` has that character shown as `terminal` does (a page printed in a
    CI log holds no workflow command).
    It does not make a value safe as a URL, a style or a script: only the report's own anchors
    and file stems (`audit.report.model.slug`) go into `href`, `id` and `class`.
    """
    return html.escape(_no_log_command(_visible(text, _UNSAFE_BUT_TAB_LF)), quote=True)


def xml_text(text: object) -> str:
    """Text for an XML 1.0 text node or attribute written by ElementTree (which escapes `&`, `<`,
    `>` and quotes itself).

    Guarantees: only characters XML 1.0 allows (the C0 controls other than TAB, LF and CR, lone
    surrogates and U+FFFE/U+FFFF are shown visibly, as are C1 controls and bidirectional
    controls), so the document always parses. CR is shown too (`\\r`): a parser would read it
    as LF, and on a terminal it rewrites the line. A line of the text that begins with `::` or
    `##[` has that character shown as `terminal` does, so the file printed in a CI log holds no
    workflow command.
    """
    return _no_log_command(_visible(text, _UNSAFE_BUT_TAB_LF))


# -- SARIF, JSON --------------------------------------------------------------------------------

_SARIF_LINK = re.compile(r"([\\\[\]])")


def sarif_text(text: object) -> str:
    """The text of a SARIF `message` object (plain text, SARIF 2.1.0 §3.11.6).

    Guarantees: `\\`, `[` and `]` are backslash-escaped as the specification requires for literal
    brackets, so no `[text](target)` in the data becomes an embedded link. (The reporter emits no
    `markdown` message; JSON escaping is `json_dumps`'s.)
    """
    return _SARIF_LINK.sub(r"\\\1", str(text))


def json_dumps(value: Any, indent: int | None = 2) -> str:
    """A JSON document of `value`.

    Guarantees: it reads back as `value` (as `json.dumps` does: a high and a low surrogate side
    by side read back as the one character they encode), but for a number that is not finite,
    which JSON cannot write: it is written `null`, so that every JSON parser reads the document.
    It holds no `UNSAFE` character raw: `json.dumps` escapes C0 controls, quotes and backslashes;
    this also writes DEL, C1 controls, bidirectional controls, line separators, lone surrogates
    and U+FFFE/U+FFFF as `\\uXXXX` escapes (they can only occur inside strings), so the document
    is safe on a terminal and encodable as UTF-8. Other non-ASCII text stays as it is.
    """
    text = _orjson(value) if indent == 2 else None
    if text is None:
        try:
            text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
        except ValueError:  # a number that is not finite
            text = json.dumps(_finite(value), indent=indent, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _orjson(value: Any) -> str | None:
    """The text `json_dumps` writes with two spaces of indent, by orjson: twenty times as fast as
    the json module (the JSON report of a corpus of 1,000 editions took 2 s, bench/corpus.py), the
    same document (a float may be written in another form of the same number: 1e-7 for 1e-07).
    None where orjson declines: an integer beyond 64 bits, a lone surrogate, a type it does not
    know (numbers of a subclass of float or int are written as such numbers)."""
    import orjson

    try:
        return orjson.dumps(value, default=_plain_number, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # orjson.JSONEncodeError
        return None


def _plain_number(value: Any) -> Any:
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(type(value).__name__)


def _finite(value: Any) -> Any:
    """`value` with each number that is not finite replaced by None (what orjson writes for it)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


# -- spreadsheets -------------------------------------------------------------------------------

# A formula starts with one of these in a cell or at the start of a line in it (spreadsheets
# also read the full-width forms, and some skip leading spaces).
_FORMULA = re.compile("(?:^|[\r\n]) *[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows rather than runs.

    Guarantees: a text that starts with `=`, `+`, `-`, `@`, TAB or CR (or their full-width forms,
    or any of them after spaces), or that holds CR or LF followed by one of them, gets a leading
    `'`; lone surrogates, which no encoder writes, are shown as `\\ud800`; other text and every
    non-text value (numbers stay numbers) are returned unchanged. Write the cells with text
    quoted (`csv.QUOTE_NONNUMERIC`) so that a CR cannot end a record.
    """
    if not isinstance(value, str):
        return value
    value = _visible(value, _SURROGATE)
    return "'" + value if _FORMULA.search(value) else value
