"""The escaping functions of `audit.escape`, one per output format, against what each format's
reader does with their output: rich renders the markup, the Actions runner parses the command
line, markdown-it renders the Markdown (CommonMark with raw HTML on, GFM tables), html.parser
and expat read the HTML and XML, json and csv read theirs. Hypothesis feeds them text built from
any characters and from the tokens each format gives a meaning to.
"""
from __future__ import annotations

import csv
import html.parser
import io
import json
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from audit import escape
from audit.escape import (UNSAFE, github_message, github_property, html_text, json_dumps, markdown_cell,
                          markdown_code, markdown_text, sarif_text, spreadsheet_cell, terminal, terminal_markup,
                          xml_text)

TOKENS = ["\x1b[31m", "\x1b]8;;http://e/\x07", "\x9b", "\x07", "\x08", "\x7f", "\x85", "\r", "\n", "\r\n", "\t",
          "\u202e", "\u2066", "\u200f", "\u2028", "\ud800", "\udfff", "\ufffe", "\uffff", "\x00", "\x0b",
          "::", "::error file=a,line=1::x", "%", "%0A", "%25", ",", ":", "<", ">", "&", "&amp;", "&#64;", "\"", "'",
          "<img src=x>", "</details>", "<!--", "-->", "@", "@octocat", "#1", "://", "http://e.x", "www.e.x", "WWW.",
          "![", "](", "[", "]", "(", ")", "`", "```", "~~~", "|", "\\", "*", "_", "~", "$", "!", "{", "}",
          "[bold]", "[/]", "[link=http://e/]", ":warning:", "=", "+", "-", "1. ", "2) ", "- ", "+ ", "---", "===",
          "# ", "> ", "    ", " ", "=HYPERLINK(1)", "\r=1", "\n+1", "@SUM(1)", "\uff1d1", "é", "😀", "\u00a0"]
texts = st.lists(st.one_of(st.characters(), st.sampled_from(TOKENS)), max_size=30).map("".join)


def shown(text: str, keep: str = "") -> str:
    """The reference for what every format does with a character it cannot carry."""
    return "".join(c if c in keep else terminal(c) for c in text)


LOG_COMMAND = re.compile(r"^\s*(::|##\[)", re.M)


def no_command(text: str) -> str:
    """The reference for a line that would be a GitHub Actions command: its first character shown."""
    return re.sub(r"^([^\S\n]*)([:#])(?=:|#\[)", lambda m: m[1] + ("\\x3a" if m[2] == ":" else "\\x23"), text,
                  flags=re.M)


# -- terminal -------------------------------------------------------------------------------------

@given(texts)
@example("\x1b[2J\x1b]8;;http://e\x07l\x1b]8;;\x07\r\u202eevil\x08")
@example("  ::add-mask::x")
@example("##[error]x")
def test_terminal_leaves_no_control_character_and_keeps_the_rest(text):
    out = terminal(text)
    assert not UNSAFE.search(out) and not LOG_COMMAND.match(out)
    assert out == no_command(shown(text))
    assert out == text or UNSAFE.search(text) or LOG_COMMAND.match(text)
    assert terminal("\x1b") == "\\x1b" and terminal("\n") == "\\n" and terminal("\u202e") == "\\u202e"


@given(texts)
@example("[bold]x[/bold] [link=http://e/]l[/link] \\[b] :warning: \\")
def test_rich_prints_terminal_markup_as_the_terminal_text(text):
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=100_000, soft_wrap=True, emoji=False, highlight=False, color_system=None)
    piece = terminal_markup(text)
    console.print(f"{piece}|[bold]{piece}[/]|[dim]x[/]{piece}", end="")
    plain = terminal(text) + ("\u200b" if terminal(text).endswith("\\") else "")
    assert buf.getvalue() == f"{plain}|{plain}|x{plain}"


# -- GitHub workflow commands -----------------------------------------------------------------------

def decode(value: str) -> str:
    for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(code, ch)
    return value


COMMAND = re.compile(r"::(?P<name>[a-z]+) (?P<props>[^:]*)::(?P<message>.*)\Z", re.S)


@given(texts, texts, texts)
@example("x\n::error file=README.md,line=1::forged", "a,line=9:b", "%0A\r\n::add-mask::s")
def test_a_workflow_command_parses_back_to_its_values(file, title, message):
    line = f"::error file={github_property(file)},title={github_property(title)}::{github_message(message)}"
    assert "\r" not in line and "\n" not in line and not UNSAFE.search(line)
    assert line.splitlines() == [line]
    m = COMMAND.match(line)
    props = dict(item.split("=", 1) for item in m["props"].split(","))
    assert set(props) == {"file", "title"}
    assert decode(props["file"]) == shown(file, keep="\r\n") and decode(props["title"]) == shown(title, keep="\r\n")
    assert decode(m["message"]) == shown(message, keep="\r\n")


# -- Markdown -------------------------------------------------------------------------------------

class Parsed(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data

    def handle_comment(self, data):
        self.tags.append("!--")


def render_markdown(text: str) -> Parsed:
    from markdown_it import MarkdownIt

    out = Parsed()
    out.feed(MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(text))
    out.close()
    return out


def visible_text(page: Parsed) -> str:
    """The rendered text without the zero-width spaces `markdown_text` adds and markdown-it's newlines."""
    return page.text.replace("\u200b", "").replace("\n", "")


def assert_no_github_links(words: str) -> None:
    assert not re.search(r"(?<!\w)[@#][A-Za-z0-9]", words), "a mention or an issue reference"
    assert "://" not in words and "www." not in words.lower(), "an autolink"


@settings(max_examples=300)
@given(texts)
@example("![i](http://e/i.png) [l](http://e) <img src=x> </details> <!-- c --> @octocat #1 ``` x")
@example("1. item")
@example("- item")
@example("---")
@example("# heading")
@example("\\")
def test_markdown_text_renders_as_the_literal_text_in_one_paragraph(text):
    out = markdown_text(text)
    assert "\n" not in out and "\r" not in out and not UNSAFE.search(out)
    page = render_markdown(out)
    assert set(page.tags) <= {"p"}
    assert visible_text(page) == shown(" ".join(text.split())).replace("\u200b", "")
    assert_no_github_links(page.text)


@settings(max_examples=200)
@given(texts)
@example("a | b\nc <script> *x*")
def test_markdown_cell_stays_one_cell_of_its_row(text):
    page = render_markdown(f"| head | next |\n|---|---|\n| {markdown_cell(text)} | end |\n")
    assert set(page.tags) <= {"table", "thead", "tbody", "tr", "th", "td", "br"}
    assert page.tags.count("td") == 2
    cell = "".join(shown(" ".join(line.split())) for line in text.splitlines())
    assert visible_text(page) == f"headnext{cell}end".replace("\u200b", "")
    assert_no_github_links(page.text.replace("headnext", ""))


@given(texts)
@example("a`b")
@example("x|y")
@example("printed-totals")
def test_markdown_code_is_a_code_span_or_literal_text(text):
    out = markdown_code(text)
    page = render_markdown(f"| {out} |\n|---|\n")
    assert set(page.tags) <= {"table", "thead", "tr", "th", "code"}
    assert visible_text(page) == shown(" ".join(text.split())).replace("\u200b", "")
    if "code" not in page.tags:
        assert_no_github_links(page.text)


# -- HTML, XML ------------------------------------------------------------------------------------

@given(texts)
@example('"><script>alert(1)</script><img src=x onerror=alert(2) a=\'')
def test_html_text_is_one_text_node_and_one_attribute(text):
    class One(html.parser.HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.seen, self.data = [], ""

        def handle_starttag(self, tag, attrs):
            self.seen.append((tag, attrs))

        def handle_data(self, data):
            self.data += data

    parser = One()
    parser.feed(f'<p title="{html_text(text)}">{html_text(text)}</p>')
    parser.close()
    expected = no_command(shown(text, keep="\t\n"))
    assert parser.seen == [("p", [("title", expected)])] and parser.data == expected


@given(texts)
@example("ok\n  ::error file=a::forged\n##[group]x")
def test_xml_text_always_makes_a_parsable_document_with_no_log_command(text):
    el = ET.Element("testcase", name=xml_text(text))
    el.text = xml_text(text)
    data = ET.tostring(el, encoding="utf-8")
    back = ET.fromstring(data)  # expat: any character XML 1.0 forbids is an error
    assert not LOG_COMMAND.search(el.text)
    expected = no_command(shown(text, keep="\t\n"))
    assert back.text == (expected or None) and back.get("name") == expected


# -- SARIF, JSON ----------------------------------------------------------------------------------

@given(texts)
@example("see [here](https://e) and \\[x]")
def test_sarif_text_has_no_embedded_link_and_reads_back(text):
    out = sarif_text(text)
    assert not re.search(r"(?<!\\)\[", re.sub(r"\\\\", "", out)), "an unescaped ["
    assert re.sub(r"\\([\\\[\]])", r"\1", out) == text


values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                      max_leaves=12)


@given(values)
@example({"\u202e": ["\ud800", "\x9b", "\u2028"]})
def test_json_dumps_reads_back_exactly_and_carries_no_unsafe_character(value):
    # == value, but for surrogate pairs and numbers that are not finite (JSON has none: null)
    expected = json.loads(json.dumps(value).replace("-Infinity", "null").replace("Infinity", "null"))
    assert json.loads(json_dumps(value)) == expected  # indented: written by orjson
    assert json.loads(json_dumps(value, indent=None)) == expected  # by the json module
    assert not UNSAFE.search(json_dumps(value).replace("\n", ""))  # but the lines of the indent
    assert not UNSAFE.search(json_dumps(value, indent=None))


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("extra", [0, 2 ** 70, "\ud800"], ids=["orjson", "big-integer", "lone-surrogate"])
def test_json_dumps_writes_a_number_that_is_not_finite_as_null_on_every_path(number, extra):
    # a big integer or a lone surrogate sends the document to the json module: it must say the same
    for indent in (2, None):
        text = json_dumps({"x": [number], "y": extra}, indent=indent)
        assert json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} written")) == {"x": [None], "y": extra}


# -- spreadsheets ---------------------------------------------------------------------------------

FORMULA = re.compile("(?:^|[\r\n]) *[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]")


@given(texts)
@example("x\r=HYPERLINK(1)")
@example("  =1+1")
@example("Fizuli")
def test_spreadsheet_cell_neutralises_every_formula_and_only_formulas(text):
    out = spreadsheet_cell(text)
    plain = re.sub("[\ud800-\udfff]", lambda m: terminal(m.group()), text)  # no encoder writes these
    if FORMULA.search(text):
        assert out == "'" + plain
    else:
        assert out == plain


@pytest.mark.parametrize("value", [None, 0, -3.5, 17, float("-inf"), True])
def test_spreadsheet_cell_leaves_non_text_alone(value):
    assert spreadsheet_cell(value) is value


@settings(max_examples=40, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5))
@example(["x\r=HYPERLINK(1)", "=1", "a\n+b", "-2", "\r"])
def test_the_export_csv_has_one_record_per_row_and_no_formula(tmp_path_factory, cells):
    from audit import export
    from audit.findings import Finding, Location, RuleResult, Run

    findings = [Finding("r", "error", text, [Location(file="a.csv", row=i + 2, table="t", value=text,
                                                      label=text, provenance=text)], observed=-1.5).seal()
                for i, text in enumerate(cells)]
    run_ = Run("ds", "p", None, "pack", [RuleResult("r", "t", "row_check", "error", "failed", findings=findings)])
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    assert export.write([run_], path) == len(cells)
    with open(path, encoding="utf-8", newline="") as fh:
        records = list(csv.reader(fh, quoting=csv.QUOTE_NONNUMERIC))
    assert len(records) == len(cells) + 1
    for rec in records[1:]:
        assert rec[export.COLUMNS.index("observed")] == -1.5  # a number, unquoted
        for cell in rec:
            if isinstance(cell, str):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) and (
                    cell.startswith("'") or not FORMULA.search(cell))
    assert [r[export.COLUMNS.index("message")] for r in records[1:]] == [spreadsheet_cell(t) for t in cells]


def test_every_format_has_its_function_with_a_docstring():
    for name in ("terminal", "terminal_markup", "github_message", "github_property", "markdown_text",
                 "markdown_cell", "markdown_code", "html_text", "xml_text", "sarif_text", "json_dumps",
                 "spreadsheet_cell"):
        fn = getattr(escape, name)
        assert fn.__doc__ and "Guarantees" in fn.__doc__, name
