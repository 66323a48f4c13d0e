"""Hostile text through every field of every output format, end to end through the real CLI.

A copy of `datasets/azerbaijan-2019` and of `rules/mine-action` gets `HOSTILE` (workflow
commands, terminal escapes, bidi overrides, HTML, Markdown, mentions, rich markup, formulas) in
its dataset name, title and source, a row label (which reaches messages, labels and keys), a
column title, a table title, a footnote, a claim's section, locator and quote, a rule's title,
message, hint and rationale (rule ids are checked on load), the pack's title, and a baseline's
reasons and messages; the data file with the hostile row has a hostile file name. Each test runs one output format and checks what a consumer of that
format would see. These tests do not import `audit.escape`: they hold the outputs to what the
formats require, not to how the escaping is written.
"""
from __future__ import annotations

import csv
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, audit_cli

HOSTILE = ("\n::error file=README.md,line=1::forged\r\n::add-mask::secret\n::stop-commands::tok\n"
           "   ::warning::indented\n##[error]legacy\n"
           "\x1b[31mred\x1b[0m \x1b]8;;http://evil.example/\x07osc\x1b]8;;\x07 \x9b2J \x07\x08\x7f\x85 "
           "\u202eevil\u202c \u2066iso\u2069 \u2028 "
           "<img src=x onerror=alert(1)></details><!-- c --><script>alert(2)</script> "
           "![i](http://evil.example/i.png) [l](http://evil.example/) <http://evil.example/> "
           "@octocat #1 a|b ``` ~~~ *b* _i_ ~~s~~ $x^2$ \\ "
           "[bold]rich[/bold] [link=http://evil.example/]l[/link] :warning: "
           "=HYPERLINK(\"http://evil.example/\",\"x\")\r=1+1\n+1\n-1\n@SUM(1)\t=2 "
           "\"quoted\" 'single' &amp; &lt;b&gt; www.evil.example %0A %25 ,:")
HOSTILE_RULE = "sha-area-without-count"  # its title, message, hint and rationale (ids are checked)
# Characters that no output may carry raw (terminal escapes, controls, bidi, separators); LF is
# checked apart: it may only end the output's own lines.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text)


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _rewrite_csv(path: Path, new_path: Path, change) -> None:
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    rows = [change(r) for r in rows]
    path.unlink()
    with open(new_path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


HOSTILE_FILE = "t2\n::warning file=x,line=9::f <b>@o,:%.csv"


NAME = "::error file=README.md,line=1::az" + HOSTILE  # begins a line of several outputs


def hostile_dataset(folder: Path, name: str = NAME, sha_area: str = "50000") -> Path:
    """A copy of azerbaijan-2019 with HOSTILE in every text field that reaches an output."""
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", folder)
    desc = folder / "datapackage.yaml"
    _edit(desc, "name: azerbaijan-2019", f"name: {q(name)}")
    _edit(desc, 'title: "Clearing the Mines 2019: Azerbaijan"', f"title: {q('Clearing ' + HOSTILE)}")
    _edit(desc, "  title: Clearing the Mines 2019 (Mine Action Review), country chapter Azerbaijan",
          f"  title: {q('Source ' + HOSTILE)}")
    _edit(desc, "path: table2-ap-mined-area-by-region.csv", f"path: {q(HOSTILE_FILE)}")
    _edit(desc, 'title: "Anti-personnel mined area by region (at end 2018)"', f"title: {q('Table ' + HOSTILE)}")
    _edit(desc, "{name: sha_count, type: integer, unit: count, title: SHAs}",
          f"{{name: sha_count, type: integer, unit: count, title: {q('SHAs ' + HOSTILE)}}}")
    _edit(desc, 'title: "Five-year summary of AP mine clearance (2014-18)"', f"title: {q('Series ' + HOSTILE)}")
    _edit(desc, 'text: "A further 3.7km2 was cleared but was found not to contain mines."',
          f"text: {q('Footnote ' + HOSTILE)}")

    def region(row: list[str]) -> list[str]:
        if row[0] == "Khojavend":
            return ["Khojavend" + HOSTILE, row[1], row[2], row[3], sha_area]
        return row
    _rewrite_csv(folder / "table2-ap-mined-area-by-region.csv", folder / HOSTILE_FILE, region)
    claims = folder / "claims.yaml"
    _edit(claims, 'locator: "reported 33 mined areas"', f"locator: {q('reported 33 mined areas' + HOSTILE)}")
    _edit(claims, 'quote: "At the end of 2018, Azerbaijan reported 33 mined areas',
          f'quote: {q("Quote " + HOSTILE)[:-1]} At the end of 2018, Azerbaijan reported 33 mined areas')
    _edit(claims, "  - id: mined-areas-end-2018\n    section: Understanding of AP mine contamination",
          f"  - id: mined-areas-end-2018\n    section: {q('Section ' + HOSTILE)}")
    return folder


def hostile_rules(folder: Path) -> Path:
    """A copy of the mine-action pack whose rule sha-area-without-count is hostile everywhere."""
    shutil.copytree(ROOT / "rules" / "mine-action", folder)
    _edit(folder / "pack.yaml", "title: Mine action country chapter", f"title: {q('Pack ' + HOSTILE)}")
    rules = folder / "counts-and-areas.yaml"
    _edit(rules, f"  - id: {HOSTILE_RULE}\n    title: Suspected hazardous area belongs to some suspected hazardous areas",
          f"  - id: {HOSTILE_RULE}\n    title: {q('Title ' + HOSTILE)}\n    hint: {q('Hint ' + HOSTILE)}")
    _edit(rules, 'message: "{label}: {sha_area} of suspected hazardous area but {sha_count} suspected',
          f'message: {q("Message " + HOSTILE)[:-1]} {{label}}: {{sha_area}} of suspected hazardous area but '
          f'{{sha_count}} suspected')
    _edit(rules, "    rationale: A number of areas without any area, or an area without any areas, cannot both be right.\n"
                 "\n  - id: cleared-area-without-areas",
          f"    rationale: {q('Rationale ' + HOSTILE)}\n\n  - id: cleared-area-without-areas")
    return folder


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The hostile dataset (and an older version of it, for diff), pack and baseline."""
    base = tmp_path_factory.mktemp("hostile")
    data = hostile_dataset(base / "new" / "az")
    old = hostile_dataset(base / "old" / "az", sha_area="0")  # the hostile finding is new in `data`
    rules = hostile_rules(base / "rules")
    baseline = base / "baseline.yaml"
    made = audit_cli("baseline", "create", str(data), "--rules", str(rules), "-o", str(baseline))
    assert made.returncode == 0, made.stderr
    doc = yaml.safe_load(baseline.read_text(encoding="utf-8"))
    entries = doc["entries"]
    hostile = next(e for e in entries if e["rule"] == HOSTILE_RULE)
    entries.remove(hostile)  # the hostile finding stays live
    for e in entries:
        e["reason"] = "Reason " + HOSTILE
        e["owner"] = "Owner " + HOSTILE
    entries[0]["expires"] = "2000-01-01"  # expired
    entries[1]["fingerprint"] = "0000000000000000"  # stale
    entries[1]["message"] = "Stale " + HOSTILE
    baseline.write_text(yaml.safe_dump(doc, allow_unicode=False), encoding="utf-8")
    return {"data": data, "old": old, "rules": rules, "baseline": baseline, "base": base}


def run(world, *args: str) -> subprocess.CompletedProcess:
    return audit_cli(*args, cwd=world["base"])


def check(world, fmt: str, *extra: str) -> subprocess.CompletedProcess:
    out = run(world, "check", str(world["data"]), "--rules", str(world["rules"]), "--format", fmt,
              "--baseline", str(world["baseline"]), "--fail-on", "never", *extra)
    assert out.returncode in (0, 1, 2), out.stderr  # 2: an expired baseline entry is an error
    return out


@pytest.fixture(scope="module")
def runs(world):
    """The same audit through the Python API: what every output must say."""
    import audit

    cwd = os.getcwd()
    os.chdir(world["base"])
    try:
        return audit.check(world["data"], rules=world["rules"], baseline=world["baseline"]).runs
    finally:
        os.chdir(cwd)


def test_the_hostile_text_reaches_every_field(runs):
    [r] = runs
    assert HOSTILE in r.dataset and HOSTILE in r.meta["title"]
    [f] = [f for f in r.findings if f.rule == HOSTILE_RULE]
    assert HOSTILE in f.message and HOSTILE in f.hint and not f.accepted
    assert f.locations[0].file.endswith(HOSTILE_FILE)
    claim = next(loc for f in r.findings for loc in f.locations if loc.claim == "mined-areas-end-2018")
    assert HOSTILE in claim.label and HOSTILE in claim.provenance
    assert r.expired and r.stale and any(f.accepted for f in r.findings)


# -- terminal ------------------------------------------------------------------------------------

def assert_terminal_safe(text: str, commands_allowed: bool = False) -> None:
    """No raw control character, and no line that GitHub Actions would run as a command."""
    bad = sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text)})
    assert not bad, f"raw control characters on the terminal: {bad}"
    assert "\x1b" not in text and "\r" not in text
    commands = [line for line in text.splitlines() if line.strip().startswith(("::", "##["))]
    assert commands_allowed or not commands, f"lines a CI log reads as workflow commands: {commands}"


def test_text_report_and_summary_table_show_no_control_characters(world, tmp_path):
    second = hostile_dataset(tmp_path / "second", name="  ##[group]second" + HOSTILE)
    out = run(world, "check", str(world["data"]), str(second), "--rules", str(world["rules"]),
              "--baseline", str(world["baseline"]), "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    assert_terminal_safe(out.stdout + out.stderr)
    assert "[bold]rich[/bold]" in out.stdout and "[link=http://evil.example/]l[/link]" in out.stdout
    assert ":warning:" in out.stdout  # emoji codes stay literal
    assert "2 datasets" in out.stdout  # the summary table
    for line in out.stdout.splitlines():
        assert not line.lstrip().startswith("::"), line


def test_progress_bar_shows_folder_names_without_control_characters(tmp_path):
    """The progress bar (stderr on a terminal, several datasets) names each dataset's folder."""
    pty = pytest.importorskip("pty")
    import select

    names = ["a\x1b]8;;http:__evil.example\x07x[bold]B[_bold]\x9b2J", "b\u202ec\x08\x07"]
    for name in names:
        shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", tmp_path / name)
    master, slave = pty.openpty()
    exe = Path(sys.executable).parent / "audit"
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")} | {"TERM": "xterm"}
    proc = subprocess.Popen([str(exe), "check", str(tmp_path), "--fail-on", "never"], stdout=subprocess.DEVNULL,
                            stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while select.select([master], [], [], 60)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    text = shown.decode("utf-8")
    assert "auditing a\\x1b]8;;http:__evil.example\\x07x[bold]B[_bold]\\x9b2J" in text
    assert "b\\u202ec\\x08\\x07" in text
    own = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", text)  # rich's own cursor and colour sequences
    assert_terminal_safe(own)


def test_diff_explain_rules_and_lint_text_show_no_control_characters(world):
    outputs = [
        run(world, "diff", str(world["old"].parent), str(world["data"].parent), "--rules", str(world["rules"]),
            "--fail-on", "never"),
        run(world, "explain", str(world["data"]), "--rules", str(world["rules"])),
        run(world, "rules", "--rules", str(world["rules"])),
        run(world, "lint", str(world["rules"]), "--dataset", str(world["data"])),
    ]
    for out in outputs:
        assert out.returncode in (0, 1), out.stderr
        assert_terminal_safe(out.stdout + out.stderr)
    diff, explain, rules, _ = outputs
    new = diff.stdout.split("NEW", 1)[1].split("RESOLVED", 1)[0]
    assert "Message" in new and "Khojavend" in new
    assert "Table" in explain.stdout and "Group 1" in explain.stdout
    assert "[bold]rich[/bold]" in rules.stdout and "Title" in rules.stdout


def test_bad_input_messages_show_no_control_characters(world, tmp_path):
    # an excerpt quotes one line, at most 120 characters of it around the caret: the escape first
    one_line = "\x1b[2J" + HOSTILE.replace("\n", " ").replace("\r", " ")
    rules = tmp_path / "rules"
    shutil.copytree(world["rules"], rules)
    _edit(rules / "counts-and-areas.yaml", "assert: cha_count > 0 implies cha_area > 0",
          f"assert: {q('cha_count > 0 implies ' + one_line)}")
    data = tmp_path / "data"
    shutil.copytree(world["data"], data)
    table = data / "table1-mined-area-by-type.csv"
    _rewrite_csv(table, table, lambda row: [row[0], row[1], "17" + one_line, *row[3:]] if row[0] == "Totals" else row)
    for out in (run(world, "check", str(world["data"]), "--rules", str(rules)),
                run(world, "check", str(data), "--rules", str(world["rules"]))):
        assert out.returncode == 2 and out.stderr.startswith("audit: "), out.stderr
        assert "\\x1b" in out.stderr, out.stderr  # the message quotes the input, visibly
        assert_terminal_safe(out.stdout + out.stderr)


# -- GitHub workflow commands -------------------------------------------------------------------

COMMAND = re.compile(r"::(?P<name>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<message>.*)\Z", re.S)
SHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(text: str, keep: str = "") -> str:
    """What the formats print for a character they cannot carry: the escape Python would write."""
    def one(m: re.Match) -> str:
        c = m.group()
        if c in keep:
            return c
        return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(c) or (
            f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
    return SHOWN.sub(one, text)


def unescape(value: str) -> str:
    """A workflow command value as GitHub decodes it."""
    for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(code, ch)
    return value


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner reads it: the line trimmed, then `::name k=v,k=v::message`."""
    m = COMMAND.match(line.strip())
    assert m, f"not a well-formed command: {line!r}"
    props = {}
    for item in (m["props"] or "").split(","):
        key, sep, value = item.partition("=")
        assert sep and key in ("file", "line", "title"), f"unexpected property {item!r} in {line!r}"
        props[key] = unescape(value)
    return m["name"], props, unescape(m["message"])


def relative(file: str, base: Path) -> str:
    return os.path.relpath(file, base) if os.path.isabs(file) else file


def test_github_every_command_line_is_one_of_the_reporters_own(world, runs):
    out = check(world, "github")
    [r] = runs
    lines = out.stdout.splitlines()  # the runner splits on any line break, and trims each line
    commands = [parse_command(line) for line in lines if line.strip().startswith(("::", "##["))]
    plain = [line for line in lines if not line.strip().startswith(("::", "##["))]
    assert plain == [line for line in plain if line.startswith("audit ")] and len(plain) == 1
    severity = {"error": "error", "warning": "warning", "info": "notice"}
    expected = Counter()
    for f in r.findings:
        if not f.accepted:
            loc = f.locations[0]
            expected[(severity[f.severity], relative(loc.file, world["base"]), str(loc.row),
                      shown(f.rule, keep="\r\n"))] += 1
    expected[("error", None, None, "expired baseline entry")] += len(r.expired)
    expected[("notice", None, None, "stale baseline entry")] += len(r.stale)
    seen = Counter((name, props.get("file"), props.get("line"), props.get("title")) for name, props, _ in commands)
    assert seen == expected
    hostile = next(message for _, props, message in commands if props.get("title") == shown(HOSTILE_RULE, "\r\n"))
    f = next(f for f in r.findings if f.rule == HOSTILE_RULE)
    assert hostile == shown(f.message, keep="\r\n")  # the annotation says what the finding says
    assert HOSTILE_FILE in next(p["file"] for _, p, _ in commands
                                                    if p.get("title") == shown(HOSTILE_RULE, "\r\n"))


def test_github_output_shows_no_control_characters(world):
    out = check(world, "github")
    assert_terminal_safe(out.stdout, commands_allowed=True)  # the commands: the test above


# -- Markdown -------------------------------------------------------------------------------------

ALLOWED_MD_TAGS = {"h1", "h2", "h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "br", "ul", "ol", "li",
                   "code", "strong", "em", "hr", "a", "details", "summary"}
OWN_LINK = re.compile(r"[A-Za-z0-9_.-]+\.(md|html)")


class Page(html.parser.HTMLParser):
    """Tags, attributes, comments and text of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def parse_html(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def table_cells(row: str) -> int:
    """The number of cells of a GFM table row: `|` splits unless backslash-escaped."""
    n, i = 0, 0
    while i < len(row):
        if row[i] == "\\":
            i += 2
            continue
        n += row[i] == "|"
        i += 1
    return n - 1


def assert_markdown_safe(text: str, own_html: dict[str, int] | None = None) -> Page:
    """Raw checks of a Markdown document, then the HTML it renders to (CommonMark, raw HTML on)."""
    from markdown_it import MarkdownIt

    assert_terminal_safe(text)
    raw = text
    for tag, n in (own_html or {}).items():
        assert raw.count(tag) == n, (tag, raw.count(tag))
        raw = raw.replace(tag, "")
    raw = raw.replace("<br>", "")
    assert "<" not in raw and ">" not in raw, "a raw angle bracket from the data"
    assert "![" not in raw
    assert not re.search(r"@[A-Za-z0-9]", raw), "a mention"
    assert not re.search(r"^\s*(```|~~~)", raw, re.M), "a code fence"
    block: list[str] = []
    for line in raw.splitlines() + [""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            widths = {table_cells(row) for row in block}
            assert len(widths) == 1, f"a table row with a different number of cells: {block}"
        block = []
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(text)
    page = parse_html(rendered)
    assert {tag for tag, _ in page.tags} <= ALLOWED_MD_TAGS
    for tag, attrs in page.tags:
        if tag == "a":
            assert set(attrs) == {"href"} and OWN_LINK.fullmatch(attrs["href"]), attrs
        else:
            assert set(attrs) <= {"style"} and attrs.get("style", "text-align:right") in (
                "text-align:right", "text-align:left"), (tag, attrs)  # markdown-it's column alignment
    assert not page.comments
    words = "".join(page.text)
    assert not re.search(r"(?<!\w)[@#][A-Za-z0-9]", words), "a mention or an issue reference"
    assert "://" not in words and "www." not in words, "an autolink"
    assert "<img src=x onerror=alert(1)></details><!-- c -->" in words.replace("\u200b", "")
    return page


def test_check_markdown_renders_hostile_text_as_text(world):
    out = check(world, "markdown")
    page = assert_markdown_safe(out.stdout)
    assert "Message" in "".join(page.text)


def test_diff_markdown_renders_hostile_text_as_text(world):
    out = run(world, "diff", "--format", "markdown", str(world["old"].parent), str(world["data"].parent),
              "--rules", str(world["rules"]), "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    assert re.match(r"### \S+ audit: [1-9]\d* new, \d+ resolved, [1-9]\d* unchanged", out.stdout)
    assert "Message" in out.stdout.split("#### New findings", 1)[1].split("####", 1)[0]
    assert_markdown_safe(out.stdout, {"<details>": 1, "<summary>": 1, "</summary>": 1, "</details>": 1})


@pytest.fixture(scope="module")
def report(world):
    out = world["base"] / "report"
    proc = run(world, "report", str(world["data"]), "--rules", str(world["rules"]), "--out", str(out), "--explain")
    assert proc.returncode == 0, proc.stderr
    return out


def test_report_markdown_renders_hostile_text_as_text(report):
    pages = sorted(report.glob("*.md"))
    assert len(pages) == 2
    for page in pages:
        assert_markdown_safe(page.read_text(encoding="utf-8"))


# -- HTML -----------------------------------------------------------------------------------------

SAFE_HREF = re.compile(r"#[A-Za-z0-9_.-]+|[A-Za-z0-9_.-]+\.html(#[A-Za-z0-9_.-]+)?|data:,")
SAFE_NAME = re.compile(r"[A-Za-z0-9_. -]*")
ALLOWED_HTML_TAGS = {"html", "head", "meta", "link", "title", "style", "body", "main", "footer", "nav", "header",
                     "section", "article", "div", "span", "p", "h1", "h2", "h3", "a", "ul", "ol", "li", "code",
                     "strong", "br", "dl", "dt", "dd", "blockquote", "figure", "figcaption", "table", "thead",
                     "tbody", "tr", "th", "td", "svg", "desc", "rect", "line", "polyline", "circle", "text"}
SVG_ATTRS = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "width", "height", "fill", "stroke",
             "stroke-width", "stroke-dasharray", "stroke-opacity", "fill-opacity", "points", "text-anchor",
             "font-size", "font-weight", "transform", "viewbox", "xmlns", "role", "aria-labelledby"}


def test_report_html_has_only_its_own_tags_attributes_and_links(report):
    pages = sorted(report.glob("*.html"))
    assert len(pages) == 2
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert_terminal_safe(text.replace("\t", ""))
        page = parse_html(text)
        assert {tag for tag, _ in page.tags} <= ALLOWED_HTML_TAGS
        assert sum(tag == "style" for tag, _ in page.tags) == 1 and not page.comments
        for tag, attrs in page.tags:
            for name, value in attrs.items():
                assert not name.startswith("on") and name not in ("style", "src", "srcset", "action", "formaction")
                if name == "href":
                    assert SAFE_HREF.fullmatch(value), (tag, value)
                elif name in ("id", "class"):
                    assert SAFE_NAME.fullmatch(value), (tag, name, value)
                elif tag not in ("meta", "html", "link") and name not in ("title", "aria-labelledby"):
                    assert name in SVG_ATTRS, (tag, name, value)
        words = "".join(page.text)
        assert "<img src=x onerror=alert(1)></details><!-- c --><script>alert(2)</script>" in words
    index = parse_html((report / "index.html").read_text(encoding="utf-8"))
    tips = [attrs["title"] for _, attrs in index.tags if "title" in attrs]  # the matrix cells name the dataset
    assert any('"quoted"' in t and "<img src=x" in t for t in tips)  # whole: its quotes did not end the attribute


# -- CSV, DataFrame, Parquet ------------------------------------------------------------------------

def test_export_csv_has_no_formula_cell_and_one_record_per_row(world, runs, tmp_path):
    import audit

    path = tmp_path / "findings.csv"
    out = run(world, "export", str(world["data"]), "--rules", str(world["rules"]), "--baseline",
              str(world["baseline"]), "-o", str(path))
    assert out.returncode == 0, out.stderr
    assert_terminal_safe(out.stderr)
    with open(path, encoding="utf-8", newline="") as fh:
        records = list(csv.reader(fh, quoting=csv.QUOTE_NONNUMERIC))  # unquoted cells read as numbers
    frame = audit.api.AuditResult(runs).findings
    assert len(records) == len(frame) + 1
    assert all(len(rec) == len(frame.columns) for rec in records)
    texts = [cell for rec in records for cell in rec if isinstance(cell, str)]
    for cell in texts:
        assert not cell.startswith(FORMULA), cell
        if re.search(r"[\r\n] *[=+\-@\t\r]", cell):
            assert cell.startswith("'"), cell
    assert any(HOSTILE in cell and cell.startswith("'Message") for cell in texts)  # it holds "\r=1+1"
    numbers = [cell for rec in records[1:] for cell in rec if not isinstance(cell, str)]
    assert numbers and all(isinstance(cell, float) for cell in numbers)


def test_dataframe_and_parquet_hold_plain_values(world, runs, tmp_path):
    import duckdb

    import audit

    frame = audit.api.AuditResult(runs).findings
    assert set(frame["relation"].dropna()) <= {"==", "<=", ">=", "<", ">", "!=", "change"}
    assert "==" in set(frame["relation"])
    assert not any(str(v).startswith("'") for v in frame["message"])
    path = tmp_path / "findings.parquet"
    out = run(world, "export", str(world["data"]), "--rules", str(world["rules"]), "-o", str(path))
    assert out.returncode == 0, out.stderr
    stored = duckdb.sql(f"SELECT * FROM '{path}'").df()
    assert "==" in set(stored["relation"]) and any(HOSTILE in v for v in stored["label"].dropna())


# -- JUnit, SARIF, JSON ----------------------------------------------------------------------------

def test_junit_parses_and_validates(world):
    import xmlschema

    from .schemas import junit_xsd

    out = check(world, "junit", "--fail-on", "warning")
    assert_terminal_safe(out.stdout.replace("\t", ""))  # TAB is text in XML
    root = ET.fromstring(out.stdout)  # expat: rejects any character XML 1.0 does not allow
    xmlschema.XMLSchema(str(junit_xsd())).validate(out.stdout)
    texts = "".join(el.text or "" for el in root.iter()) + "".join(v for el in root.iter() for v in el.attrib.values())
    assert "Message" in texts and "<img src=x onerror=alert(1)>" in texts


def _strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_sarif_validates_and_has_no_embedded_link_or_markdown(world, runs):
    from jsonschema.validators import validator_for

    from .schemas import sarif_schema

    out = check(world, "sarif")
    assert_terminal_safe(out.stdout)
    doc = json.loads(out.stdout)
    schema = sarif_schema()
    validator_for(schema)(schema).validate(doc)
    [sarif_run] = doc["runs"]
    # results and notifications have plain-text messages only; the rules' help has Markdown,
    # which renders the pack's hostile title and rationale as literal text
    assert "markdown" not in set(_strings(sarif_run["results"]))
    assert "markdown" not in set(_strings(sarif_run["invocations"]))
    rule = next(x for x in sarif_run["tool"]["driver"]["rules"] if x["id"] == HOSTILE_RULE)
    assert_markdown_safe(rule["help"]["markdown"])
    messages = [r["message"]["text"] for r in sarif_run["results"]]
    messages += [loc["message"]["text"] for r in sarif_run["results"] for loc in r["locations"] if "message" in loc]
    for text in messages:
        assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", text), f"an embedded link: {text!r}"
    [r] = runs
    f = next(f for f in r.findings if f.rule == HOSTILE_RULE)
    result = next(x for x in sarif_run["results"] if x["ruleId"] == HOSTILE_RULE)
    assert re.sub(r"\\([\\\[\]])", r"\1", result["message"]["text"]) == f.message


def test_json_is_escaped_and_reads_back_exactly(world, runs):
    out = check(world, "json")
    assert_terminal_safe(out.stdout)
    doc = json.loads(out.stdout)
    [r] = runs
    assert doc["dataset"]["name"] == r.dataset
    f = next(f for f in r.findings if f.rule == HOSTILE_RULE)
    assert next(x for x in doc["findings"] if x["rule"] == HOSTILE_RULE)["message"] == f.message
    diff = run(world, "diff", "--format", "json", str(world["old"].parent), str(world["data"].parent),
               "--rules", str(world["rules"]), "--fail-on", "never")
    assert diff.returncode == 0, diff.stderr
    assert_terminal_safe(diff.stdout)
    assert json.loads(diff.stdout)["new"][0]["dataset"] == r.dataset
