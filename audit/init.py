"""`audit init FOLDER --profile P`: a first descriptor for a folder of tables, drafted for review.

The draft is in the figure layout (`audit/figures/load.py`): one resource per CSV file or
spreadsheet sheet, each column a field whose type is read from its values as printed
(`audit.numbers`), and, where the profile's vocabulary says so, a measure (with its unit and
coordinates) or a dimension. Every word it matches comes from the pack's `vocabulary.yaml`: the
names, `synonyms` and descriptions of measures and dimensions, the spellings of units and of
members. Nothing here knows a domain.

How a header is read, in order (each step explainable, no statistics):

1. its words: lower case, split at anything that is not a letter or a digit (`Red length (km)` is
   `red length km`; a superscript ² or ³ is the digit);
2. a **unit**: the longest spelling of a unit or unit alias of the vocabulary among the words;
3. a **period**: a year (`2018`), `end 2018` or a span (`2014-18`) printed in the header, else one
   in the file's name, else the table's column of years;
4. a **measure**: the measure with the longest name or synonym found among the words (only
   measures of the unit's quantity, when there is a unit); without one, the descriptions (the
   measure sharing most words of four letters or more), then the file's name (names and synonyms);
5. **coordinates**: the members of dimensions whose spelling (a part, an alias) the header prints
   (`R` is `colour: red` where the vocabulary's aliases say so).

A text column is a dimension when its values are all members of a closed dimension, or when its
header names a dimension (name or synonym). A second column of the same dimension is its first's
child (`parent:`). A row is a total when a text cell prints one of the totals labels the loader
knows (`Total`, `Totals`...).

Each guess is written with a `# review:` comment saying what it was guessed from; a column that
maps to nothing says why. A guess that would not load (a measure without a unit or a period, a
table whose rows cannot be told apart) is left as a plain field with the guess in its comment, so
that the draft always loads and audits.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AuditInputError, Problem, ProblemCollector
from .figures.load import DEFAULT_TOTALS, MAX_MEMBER
from .figures.periods import PeriodError, parse_period
from .figures.vocabulary import PERIOD, Vocabulary
from .numbers import NumberError, NumberFormat, read_number

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
SHEET_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods"}  # suffix -> the reader's format
DRAFT = "datapackage.yaml"
_WORD = re.compile(r"[^\W_]+")
_PERIOD = re.compile(r"(?<![\d])((?:end\s+)?(?:1[89]|20)\d{2}(?:\s*[-–/]\s*(?:(?:1[89]|20)\d{2}|\d{2}))?)(?![\d])",
                     re.IGNORECASE)
_YEAR = re.compile(r"^(?:1[89]|20)\d{2}$")
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
MIN_DESCRIPTION_WORD = 4  # description words shorter than this ("of", "the", "and") say nothing
FORMATS = [  # how a column may print its numbers, tried in order: (the loader's format, the field keys)
    (NumberFormat(), {}),
    (NumberFormat(bare=False), {"bareNumber": False}),
    (NumberFormat(decimal=",", group="."), {"decimalChar": ",", "groupChar": "."}),
    (NumberFormat(decimal=",", group=" "), {"decimalChar": ",", "groupChar": " "}),
]
MAX_GAP_TEXT = 4  # a non-number of at most this many characters, without digits, in a numeric column: a gap ("-", "n/a")


def words(text: str) -> list[str]:
    """The words of a header, a name or a phrase: lower case, split at what is not a letter or digit."""
    return _WORD.findall(str(text).lower().replace("²", "2").replace("³", "3"))


def _find(phrase: list[str], among: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(among[i:i + n] == phrase for i in range(len(among) - n + 1))


def shown(text: str, limit: int = 60) -> str:
    """A text from a file as a comment or a message quotes it: double-quoted, escaped, cut."""
    text = str(text)
    return quote(text if len(text) <= limit else text[:limit] + "…", always=True)


def quote(text: str, always: bool = False) -> str:
    """A YAML scalar for `text`: bare when it is a plain word, else double-quoted with every
    character that could end the line or the string escaped (a header is hostile text)."""
    if not always and _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def flow(value) -> str:
    """A value as YAML flow text: mappings `{k: v}`, lists `[a, b]`, booleans, texts quoted as needed."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quote(str(k))}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return quote(str(value))


@dataclass
class Table:
    """A table found in the folder: where it is and its text (header, then rows of cells)."""

    path: Path
    file: str  # as messages show it
    name: str  # the resource name
    header: list[str]
    rows: list[tuple[int, list[str]]]
    dialect: dict = field(default_factory=dict)
    sheet: str | None = None
    encoding: str | None = None  # guessed: the file is not UTF-8
    title: str = ""  # a sheet's text above the table (its caption: may print the period or unit)
    notes: list[str] = field(default_factory=list)  # a sheet's notes below the table, left out of its range


@dataclass
class FieldDraft:
    name: str
    keys: dict
    review: list[str] = field(default_factory=list)


@dataclass
class TableDraft:
    table: Table
    fields: list[FieldDraft]
    at: dict = field(default_factory=dict)
    at_review: list[str] = field(default_factory=list)
    totals: dict | None = None
    totals_review: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- the profile --------------------------------------------------------------------------------

def find_figure_pack(profile: str, rules: str | None) -> Path:
    """The pack of figures (a folder with pack.yaml and vocabulary.yaml) whose profile is `profile`,
    under `rules` (a pack or a folder of packs) or where packs are found."""
    from .figures.pack import is_figure_pack
    from .pack import PACK_FILE, default_rules_dirs
    from .yamlio import load_yaml

    bases = [Path(rules)] if rules else default_rules_dirs()
    found: dict[str, Path] = {}
    others: list[str] = []
    for base in bases:
        packs = [base] if (base / PACK_FILE).is_file() else sorted(p.parent for p in base.glob(f"*/{PACK_FILE}")) \
            if base.is_dir() else []
        for pack in packs:
            meta = load_yaml(pack / PACK_FILE)
            name = str(meta.get("profile")) if isinstance(meta, dict) and meta.get("profile") else None
            if name is None:
                continue
            if is_figure_pack(pack):
                found.setdefault(name, pack)
            else:
                others.append(name)
    if profile in found:
        return found[profile]
    where = str(rules) if rules else " or ".join(str(b) for b in bases)
    why = (f"the pack of profile '{profile}' is in the table layout, which has no vocabulary to draft from"
           if profile in others else f"no pack of figures for profile '{profile}'")
    raise AuditInputError(Problem(where, why, field="--profile",
                                  hint="the profiles audit init can draft for: " + (", ".join(sorted(found)) or "(none)")))


# -- reading the folder -------------------------------------------------------------------------

def _resource_name(stem: str, taken: set[str]) -> str:
    base = "_".join(words(stem))[:56] or "table"
    if not re.match(r"[a-z]", base) or not re.fullmatch(r"[a-z0-9_]+", base):
        base = "t_" + re.sub(r"[^a-z0-9_]", "", base.encode("ascii", "ignore").decode())[:54] or "table"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _cell(value) -> str:
    return value if isinstance(value, str) else value.text(None)


def find_tables(folder: Path, problems: ProblemCollector) -> list[Table]:
    """Every CSV file and spreadsheet sheet directly in `folder`, read as printed; problems for
    what cannot be read."""
    from .readers import read_resource

    files = sorted(p for p in folder.iterdir() if not p.name.startswith(".")
                   and p.suffix.lower() in {*TABLE_SUFFIXES, *SHEET_SUFFIXES})
    tables: list[Table] = []
    taken: set[str] = set()
    for path in files:
        file = str(folder / path.name)
        suffix = path.suffix.lower()
        if suffix in TABLE_SUFFIXES:
            dialect = {"delimiter": "\t"} if suffix == ".tsv" else {}
            res = {"dialect": dialect} if dialect else {}
            encoding = _guess_encoding(path, file)
            if encoding is not None:
                res["encoding"] = encoding
            text = read_resource(path, file, res, file, path.name, problems)
            if text is not None:
                tables.append(Table(path, file, _resource_name(path.stem, taken), text.header, text.rows, dialect,
                                    encoding=encoding))
            continue
        for text, title, notes in _sheets(path, file, problems):
            tables.append(Table(path, f"{file}!{text.sheet}", _resource_name(f"{path.stem} {text.sheet}", taken),
                                text.header, [(line, [_cell(v) for v in cells]) for line, cells in text.rows],
                                text.dialect, text.sheet, title=title, notes=notes))
    return tables


def _guess_encoding(path: Path, file: str) -> str | None:
    """The encoding of a text file that is not UTF-8 (nor UTF-16/32 with a byte order mark), as
    charset-normalizer guesses it; None for UTF-8, or when there is no guess (then reading the
    file says what is wrong)."""
    from .inputs import MAX_TABLE_BYTES, _guess_encoding as guess, decode_table, read_bytes

    try:
        data = read_bytes(path, file, MAX_TABLE_BYTES)
    except AuditInputError:
        return None  # read again, and reported, by read_resource
    try:
        decode_table(data, file, None)
    except AuditInputError:
        return guess(data)
    return None


def _sheets(path: Path, file: str, problems: ProblemCollector):
    """Each sheet of a workbook that holds a table, read with the dialect the draft gives it
    (`table.dialect`: the sheet's number, its header rows, and a range when notes follow the
    table), with the caption above it (`table.title`) and those notes (`table.notes`)."""
    from .spreadsheet import read_sheet, sheet_names

    fmt = SHEET_SUFFIXES[path.suffix.lower()]
    names = sheet_names(path, file, fmt, problems)
    for n in range(1, len(names or []) + 1):
        raw = read_sheet(path, file, {"sheetNumber": n, "header": False}, file, path.name, problems, fmt=fmt)
        if raw is None or not raw.rows:
            continue
        header_rows = _header_rows(raw)
        dialect: dict = {"sheetNumber": n, "headerRows": header_rows}
        top = raw.header_line  # the first used row: the header rows count from it
        head_end = top + header_rows[-1] - 1
        title = [" ".join(_cell(v).split()) for line, cells in raw.rows if line < top + header_rows[0] - 1
                 for v in cells if _cell(v).strip()]
        body = [(line, cells) for line, cells in raw.rows if line > head_end]
        notes = _trailing_notes(body, head_end)
        if notes:
            last = body[len(body) - len(notes) - 1][0]
            dialect["range"] = f"{raw.columns[0]}{top}:{raw.columns[-1]}{last}"
        table = read_sheet(path, file, dialect, file, path.name, problems, fmt=fmt)
        if table is not None and table.rows:
            table.dialect = dialect
            yield table, " ".join(title), [" ".join(_cell(v).split()) for _, cells in notes
                                           for v in cells if _cell(v).strip()]


_NOTE_MARK = re.compile(r"^\s*(?:[*†‡§#]|\(?\d{1,2}[).]\s|\[\d{1,2}\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?:sources?|notes?)\b)", re.I)


def _trailing_notes(body: list[tuple[int, list]], head_end: int) -> list[tuple[int, list]]:
    """The rows at the end of a sheet that are notes, not the table's: each a single text cell,
    set off from the table by an empty row or opening with a note's mark (`*`, `[1]`, `Source:`,
    a superscript digit). A single cell with no such sign, right under the rows, is the table's
    (a label whose figures are not printed)."""
    def single_text(cells) -> bool:
        filled = [v for v in cells if _cell(v).strip()]
        return len(filled) == 1 and isinstance(filled[0], str) and not _looks_numeric(filled[0])

    end = len(body)
    while end > 0 and single_text(body[end - 1][1]):
        end -= 1
    if end == 0:  # no row but single texts: nothing tells the table from its notes
        return []
    for i in range(end, len(body)):  # the notes start at the first row set off or marked
        line, cells = body[i]
        text = next(_cell(v) for v in cells if _cell(v).strip())
        if line > body[i - 1][0] + 1 or _NOTE_MARK.match(text):
            return body[i:]
    return []


def _looks_numeric(text: str) -> bool:
    """Digits, separators and at most a percent sign: a figure stored as text. Stricter than
    `read_number` on purpose, whose loose print reads "Source: ..., 2019." as 2019 with marks."""
    return bool(re.fullmatch(r"\s*[-+]?[\d.,\s\u00a0\u202f]*\d[\d.,\s]*%?\s*", text))


def _header_rows(raw) -> list[int]:
    """The header of a sheet, as rows within its used cells: the first row with as many filled
    cells as the fullest row, all of them text (a title above the table fills one cell); with the
    row below when that repeats a name (a header merged over the columns it spans) and holds only
    text."""
    def texts(cells):
        return [_cell(v).strip() for v in cells]

    widest = max(sum(1 for t in texts(cells) if t) for _, cells in raw.rows)
    at = 0
    for i, (_line, cells) in enumerate(raw.rows):
        filled = [v for v in cells if _cell(v).strip()]
        if len(filled) == widest and all(isinstance(v, str) for v in filled):
            at = i
            break
    line, cells = raw.rows[at]
    rows = [line - raw.header_line + 1]
    names = [t for t in texts(cells) if t]
    if len(set(names)) != len(names) and at + 1 < len(raw.rows):
        below_line, below = raw.rows[at + 1]
        if all(isinstance(v, str) for v in below if _cell(v).strip()):
            rows.append(below_line - raw.header_line + 1)
    return rows


# -- reading a column ---------------------------------------------------------------------------

@dataclass
class ColumnFacts:
    name: str
    values: list[str]  # the cells of the rows that are not totals
    blanks: int
    type: str = "string"
    keys: dict = field(default_factory=dict)  # number format keys (bareNumber, decimalChar, groupChar)
    gaps: list[str] = field(default_factory=list)  # non-numbers read as missing ("-")
    marks: bool = False


def _is_total(text: str) -> bool:
    return text.strip().rstrip("*†‡§¶#").strip().lower() in {t.lower() for t in DEFAULT_TOTALS}


def column_facts(name: str, cells: list[str]) -> ColumnFacts:
    """What the printed values of a column say: its type (integer, number, year or string) and
    how it prints its numbers."""
    values = [c.strip() for c in cells if c.strip()]
    facts = ColumnFacts(name, values, len(cells) - len(values))
    if not values:
        return facts
    for fmt, keys in FORMATS:
        read, gaps = [], []
        for v in values:
            try:
                read.append((v, read_number(v, fmt)))
            except NumberError:
                if len(v) <= MAX_GAP_TEXT and not any(ch.isdigit() for ch in v):
                    gaps.append(v)
                else:
                    break
        else:
            if not read:
                return facts
            facts.gaps = sorted(set(gaps))
            facts.marks = any(notes for _, (_, _, notes) in read)
            facts.keys = dict(keys)
            if facts.marks:
                facts.keys["bareNumber"] = False
            grouped = any("," in v for v, _ in read) and not keys
            if grouped:
                facts.keys["groupChar"] = ","
            if all(d == 0 for _, (_, d, _) in read):
                facts.type = "integer"
                if not grouped and not facts.marks and not gaps and len({v for v, _ in read}) == len(read) \
                        and all(_YEAR.match(v) for v, _ in read):
                    facts.type = "year"
            else:
                facts.type = "number"
            if facts.type == "integer" and grouped:
                facts.type = "number"  # Frictionless's integer takes no groupChar
            return facts
    return facts


# -- matching words of the vocabulary -----------------------------------------------------------

def _best(phrases: dict[str, list[str]], among: list[str]) -> tuple[int, str | None]:
    """The longest phrase found among the words: (its length in words, the phrase)."""
    best = (0, None)
    for phrase, pw in phrases.items():
        if len(pw) > best[0] and _find(pw, among):
            best = (len(pw), phrase)
    return best


def find_unit(header: str, hw: list[str], vocab: Vocabulary) -> tuple[str | None, str | None]:
    """(the unit, the spelling printed) of the longest unit spelling in a header."""
    best, found = 0, (None, None)
    for spelling, unit in vocab.units.items():
        sw = words(spelling)
        size = len(sw) if sw else (1 if spelling in header else 0)
        if size > best and (not sw or _find(sw, hw)):
            best, found = size, (unit.name, spelling)
    return found


def find_period(text: str, stock: bool) -> str | None:
    for m in _PERIOD.finditer(text):
        try:
            parse_period(m.group(1), stock=stock)
        except (PeriodError, ValueError):
            continue
        return " ".join(m.group(1).split())
    return None


def find_measure(hw: list[str], vocab: Vocabulary, unit: str | None,
                 descriptions: bool = True) -> tuple[list[str], str | None, str]:
    """The measures a header's words name best (several: a tie), the phrase, and how it was found
    ("name or synonym" or "description")."""
    quantity = vocab.units[unit].quantity if unit else None
    scored: dict[str, tuple[int, str]] = {}
    for name, m in vocab.measures.items():
        if quantity and m.quantity != quantity:
            continue
        phrases = {p: words(p) for p in (name.replace("_", " "), *m.synonyms)}
        size, phrase = _best(phrases, hw)
        if size:
            scored[name] = (size, phrase)
    if scored:
        top = max(s for s, _ in scored.values())
        names = [n for n, (s, _) in scored.items() if s == top]
        return names, scored[names[0]][1], "synonym"
    if not descriptions:
        return [], None, ""
    content = {w for w in hw if len(w) >= MIN_DESCRIPTION_WORD and not w.isdigit()}
    overlap = {}
    for name, m in vocab.measures.items():
        if quantity and m.quantity != quantity:
            continue
        common = content & set(words(m.description))
        if common:
            overlap[name] = common
    if not overlap:
        return [], None, ""
    top = max(len(c) for c in overlap.values())
    names = [n for n, c in overlap.items() if len(c) == top]
    return names, " ".join(sorted(overlap[names[0]])), "description"


def find_members(hw: list[str], vocab: Vocabulary, skip: set[str]) -> dict[str, tuple[str, str]]:
    """dimension -> (member, spelling) for each dimension whose member a header prints."""
    out: dict[str, tuple[str, str]] = {}
    for d, dim in vocab.dimensions.items():
        if d in skip or dim.required:
            continue
        spellings = {p: p for p in dim.parts}
        spellings.update({a: m for a, m in dim.aliases.items()})
        size, found = _best({s: words(s) for s in spellings}, hw)
        if size:
            out[d] = (spellings[found], found)
    return out


def value_dimensions(values: list[str], vocab: Vocabulary) -> list[str]:
    """The closed dimensions every value is a member of (a part, by name or alias)."""
    out = []
    for d, dim in vocab.dimensions.items():
        if not dim.closed or not values:
            continue
        members = {dim.member(v) for v in values}
        if members <= {*dim.parts, dim.all} and members - {dim.all}:
            out.append(d)
    return out


def header_dimension(hw: list[str], vocab: Vocabulary) -> tuple[str | None, str | None]:
    best = (0, None, None)
    for d, dim in vocab.dimensions.items():
        if dim.required:
            continue
        size, phrase = _best({p: words(p) for p in (d.replace("_", " "), *dim.synonyms)}, hw)
        if size > best[0]:
            best = (size, d, phrase)
    return best[1], best[2]


# -- drafting one table -------------------------------------------------------------------------

def draft_table(table: Table, vocab: Vocabulary, problems: ProblemCollector) -> TableDraft | None:
    if table.sheet is not None:  # a sheet's column with neither header nor values is not the table's (as records reads it)
        keep = [i for i, h in enumerate(table.header)
                if h.strip() or any(i < len(c) and c[i].strip() for _, c in table.rows)]
        table.header = [table.header[i] for i in keep]
        table.rows = [(line, [c[i] if i < len(c) else "" for i in keep]) for line, c in table.rows]
    header = [" ".join(h.split()) for h in table.header]
    width = len(header)
    for i, h in enumerate(header):
        if not h:
            problems.add(table.file, f"column {i + 1} has no header", 1 if table.sheet is None else None,
                         hint="give every column a header (the descriptor names each field by it)")
    if len(set(header)) != len(header):
        twice = next(h for h in header if header.count(h) > 1)
        problems.add(table.file, f"the header names the column {shown(twice)} twice", 1 if table.sheet is None else None,
                     hint="give each column its own header")
    too_long = [h for h in header if len(h) > 200]
    if too_long:
        problems.add(table.file, f"a header longer than 200 characters: {shown(too_long[0])}",
                     hint="shorten it: a field's name is at most 200 characters")
    if any(not h for h in header) or len(set(header)) != len(header) or too_long:
        return None
    for line, cells in table.rows:
        if len(cells) != width:
            problems.add(table.file, f"expected {width} values, found {len(cells)}", line if table.sheet is None else None,
                         hint="every row of a table has as many cells as its header")
    rows = [(line, cells) for line, cells in table.rows if len(cells) == width]
    draft = TableDraft(table, [])
    if not rows:
        draft.notes.append("the table has no rows: it is left out of the draft")
        return draft
    # totals rows: those whose totals column (the column printing the most totals labels, a text
    # column first) prints one. The labels declared are those of every column that is not
    # numeric: the loader reads them in dimension columns too
    labels: dict[str, list[str]] = {}
    for line, cells in rows:
        for h, c in zip(header, cells):
            if c.strip() and _is_total(c) and c.strip() not in labels.setdefault(h, []):
                labels[h].append(c.strip())
    labels = {h: v for h, v in labels.items() if v}
    facts = {h: column_facts(h, [c[i] for _, c in rows if c[i].strip() not in labels.get(h, ())])
             for i, h in enumerate(header)}
    counts = {h: sum(1 for _, cells in rows if cells[i].strip() in labels.get(h, ())) for i, h in enumerate(header)}
    ranked = sorted(labels, key=lambda h: (-counts[h], facts[h].type in ("integer", "number"), header.index(h)))
    tcol = ranked[0] if ranked else None
    declared = list(dict.fromkeys(x for h in header if h in labels and (h == tcol or facts[h].type not in
                                                                       ("integer", "number")) for x in labels[h]))
    total_lines = {line for line, cells in rows if tcol is not None and cells[header.index(tcol)].strip() in declared}
    for i, h in enumerate(header):
        facts[h].blanks = sum(1 for line, c in rows if line not in total_lines and not c[i].strip())
    # the dimensions of text columns, and the period column
    dims: dict[str, tuple[str, str]] = {}  # column -> (dimension, why)
    period_col = None
    plain_why: dict[str, str] = {}
    for i, h in enumerate(header):
        f = facts[h]
        hw = words(h)
        if f.type == "year" and period_col is None:
            period_col = h
            dims[h] = (PERIOD, f"its values, years such as {shown(f.values[0])}")
            continue
        if f.type != "string":
            continue
        if not f.values:
            plain_why[h] = "no values but blanks and totals labels"
            continue
        if any(len(v) > MAX_MEMBER for v in f.values):
            plain_why[h] = "values too long to be members of a dimension"
            continue
        by_values = value_dimensions(f.values, vocab)
        by_header, phrase = header_dimension(hw, vocab)
        if by_header in by_values:
            dims[h] = (by_header, f"header {shown(h)} (\"{phrase}\") and values such as {shown(f.values[0])}")
        elif by_values:
            dims[h] = (by_values[0], f"values such as {shown(f.values[0])}, members of {by_values[0]}")
        elif by_header and not vocab.dimensions[by_header].closed:
            dims[h] = (by_header, f"header {shown(h)}")
        elif by_header:
            plain_why[h] = (f"the header suggests dimension {by_header}, but values such as {shown(f.values[0])} "
                            "are not its members")
        else:
            plain_why[h] = "no dimension matched the header or the values"
    # one column per closed dimension with the same members (a code beside its label), parents for the others
    parent_of: dict[str, str] = {}
    seen: dict[str, str] = {}
    for h, (d, why) in list(dims.items()):
        if d == PERIOD:
            continue
        if d in seen:
            first = seen[d]
            if vocab.dimensions[d].closed:
                same = all(vocab.dimensions[d].member(a) == vocab.dimensions[d].member(b)
                           for a, b in zip(facts[first].values, facts[h].values))
                keep_new = "header" in why and "header" not in dims[first][1]
                if same and keep_new:
                    plain_why[first] = f"the same members as column {shown(h)}, kept as its dimension"
                    del dims[first]
                    seen[d] = h
                    continue
                plain_why[h] = (f"the same members as column {shown(first)}" if same
                                else f"a second column of {d}, beside {shown(first)}")
                del dims[h]
                continue
            parent_of[h] = seen[d]
            seen[d] = h
        else:
            seen[d] = h
    for h in list(dims):
        if dims[h][0] != PERIOD and h not in parent_of and facts[h].blanks:
            plain_why[h] = f"{dims[h][0]}, from {dims[h][1]}; but some rows leave it blank"
            del dims[h]
            for child, parent in list(parent_of.items()):
                if parent == h:
                    del parent_of[child]
    row_dims = {d for d, _ in dims.values()}
    # rows must be told apart for their figures to be distinct
    keys = [tuple(cells[i] for i, h in enumerate(header) if h in dims) for line, cells in rows
            if line not in total_lines]
    distinct = len(set(keys)) == len(keys) and (bool(dims) or len(keys) <= 1)
    stem_words = words(table.path.stem if table.sheet is None else f"{table.path.stem} {table.sheet}")
    stem_text = table.path.stem if table.sheet is None else f"{table.path.stem} {table.sheet}"
    for i, h in enumerate(header):
        f = facts[h]
        keys_ = {"name": h, "type": f.type}
        review: list[str] = []
        if h in dims:
            d, why = dims[h]
            keys_["dimension"] = d
            if h in parent_of:
                keys_["parent"] = parent_of[h]
                review.append(f"dimension {d} guessed from {why}, within column {shown(parent_of[h])}")
            else:
                review.append(f"dimension {d} guessed from {why}")
            if f.type != "string" and h in labels:
                keys_["missingValues"] = ["", *labels[h]]
        elif f.type in ("integer", "number"):
            held = [x for x in labels.get(h, []) if x.lower() in {d.lower() for d in declared}]
            if held:  # the loader reads a totals label as the row's label, not as a gap: no number there
                review.append(f"not mapped: it prints the totals label {shown(held[0])} among its numbers")
            else:
                _measure(h, vocab, keys_, review, row_dims, period_col, labels, distinct, stem_words, stem_text,
                         draft)
        else:
            why = plain_why.get(h)
            if why:
                review.append(f"not mapped: {why}")
            elif f.type == "year":
                review.append("not mapped: a second column of years")
        if f.type in ("integer", "number"):
            keys_.update(f.keys)
            if f.gaps or h in labels:
                keys_["missingValues"] = ["", *f.gaps, *labels.get(h, [])]
            if f.gaps:
                review.append(f"read {', '.join(shown(g) for g in f.gaps)} as not printed")
        draft.fields.append(FieldDraft(h, keys_, review))
    if tcol is not None:
        draft.totals = {"column": tcol, "labels": declared}
        draft.totals_review.append(f"totals rows guessed from the label {shown(labels[tcol][0])} in column {shown(tcol)}")
    return draft


def _measure(h: str, vocab: Vocabulary, keys_: dict, review: list[str], row_dims: set[str], period_col: str | None,
             labels: dict, distinct: bool, stem_words: list[str], stem_text: str, draft: TableDraft) -> None:
    """The measure, unit, period and coordinates of a numeric column, or why it stays plain."""
    hw = words(h)
    unit, spelling = find_unit(h, hw, vocab)
    unit_words = words(spelling) if spelling else []
    rest = [w for w in hw if w not in unit_words]
    names, phrase, how = find_measure(rest, vocab, unit)
    source = f"header {shown(h)}"
    if not names:
        names, phrase, how = find_measure(stem_words, vocab, unit, descriptions=False)
        source = f"the file name {shown(stem_text)}"
    if not names:
        review.append("not mapped: no measure of the vocabulary matched the header" +
                      (f" (unit {unit})" if unit else ""))
        return
    if len(names) > 1:
        review.append(f"not mapped: the {source} fits the measures {', '.join(names)} equally well")
        return
    measure = vocab.measures[names[0]]
    quantity = vocab.quantities[measure.quantity]
    guess = f"measure {measure.name} guessed from {source}" + (f" (\"{phrase}\")" if how == "synonym"
                                                             else f" (the description's words {phrase})")
    title, spelling_where = draft.table.title, ""
    if unit is None and len(quantity.units) > 1 and title:
        unit, spelling = find_unit(title, words(title), vocab)
        if unit not in quantity.units:
            unit, spelling = None, None
        else:
            spelling_where = " in the caption above the table"
    if unit is None and len(quantity.units) > 1:
        review.append(f"not mapped: {guess}, but no unit is printed (one of {', '.join(quantity.units)}): add "
                      f"measure: {measure.name} and its unit")
        return
    stock = measure.type == "stock"
    period = find_period(h, stock)
    if not distinct:
        review.append(f"not mapped: {guess}, but the rows cannot be told apart (no dimension column whose members "
                      "differ from row to row): map a column to a dimension first")
        return
    if period_col is not None and stock and period_col in labels:
        review.append(f"not mapped: {guess}, a stock, but the totals row sums over the periods of column "
                      f"{shown(period_col)}")
        return
    at: dict = {}
    notes = []
    if period is not None:
        at[PERIOD] = period
        notes.append(f"period {shown(period)} from the header")
    elif period_col is None and PERIOD not in draft.at:
        for text, where in ((title, "the caption above the table"), (stem_text, "the file name")):
            table_period = find_period(text, stock) if text else None
            if table_period is not None:
                break
        if table_period is None:
            review.append(f"not mapped: {guess}, but no period is printed in the header, the "
                          f"{'caption, the ' if title else ''}file name or a column: add it with at: {{period: ...}}")
            return
        draft.at[PERIOD] = table_period
        draft.at_review.append(f"period {shown(table_period)} guessed from {where} {shown(text)}")
    for d, (member, spelt) in find_members(hw, vocab, row_dims).items():
        at[d] = member
        notes.append(f"{d} {shown(member)} from {shown(spelt)}")
    keys_["measure"] = measure.name
    if unit is not None:
        keys_["unit"] = unit
    if at:
        keys_["at"] = at
    review.append(guess + (f"; unit {unit} from {shown(spelling)}{spelling_where}" if unit else "")
                  + ("; " + ", ".join(notes) if notes else ""))


# -- the draft as YAML --------------------------------------------------------------------------

def _comment(notes: list[str]) -> str:
    return ("  # review: " + "; ".join(n.replace("\n", " ") for n in notes)) if notes else ""


def draft_descriptor(folder: str | Path, profile: str, rules: str | None = None) -> tuple[str, int, int]:
    """The draft descriptor of a folder of tables, as YAML text, with the counts of fields mapped
    and of fields left plain. Raises AuditInputError for a folder that cannot be drafted."""
    from .figures.vocabulary import load_vocabulary

    folder = Path(folder)
    if not folder.exists():
        raise AuditInputError(Problem(str(folder), "no such folder", hint="audit init FOLDER: the folder holding the tables"))
    if not folder.is_dir():
        raise AuditInputError(Problem(str(folder), "not a folder", hint="audit init FOLDER: the folder holding the tables"))
    pack = find_figure_pack(profile, rules)
    vocab = load_vocabulary(pack / "vocabulary.yaml")
    problems = ProblemCollector()
    tables = find_tables(folder, problems)
    problems.raise_if_any()
    if not tables:
        raise AuditInputError(Problem(str(folder), "no table to describe: the folder has no CSV file (.csv, .tsv) "
                                      "or spreadsheet (.xlsx, .ods)", hint="put the report's tables in the folder, one file "
                                      "(or one sheet) per table"))
    drafts = [d for d in (draft_table(t, vocab, problems) for t in tables)]
    problems.raise_if_any()
    mapped = sum(1 for d in drafts for f in d.fields if "measure" in f.keys or "dimension" in f.keys)
    plain = sum(1 for d in drafts for f in d.fields) - mapped
    from .paths import shown as shown_path

    lines = [f"# Drafted by `audit init` for profile {profile} ({shown_path(pack.resolve())}) from the tables in "
             "this folder.",
             "# Every guess is marked `# review:` with what it was guessed from: check each against the report,",
             "# then delete the mark. Columns that map to nothing stay plain fields and say why.",
             f"name: {quote(folder.resolve().name)}",
             f"auditProfile: {quote(profile)}"]
    required = {d: folder.resolve().name[:MAX_MEMBER] for d, dim in vocab.dimensions.items() if dim.required}
    if required:
        lines.append(f"at: {flow(required)}" + _comment(
            [f"{d} is required of every dataset: the folder's name stands in for it" for d in required]))
    lines.append("resources:" if any(d.fields for d in drafts) else "resources: []")
    for d in drafts:
        t = d.table
        if not d.fields:
            lines.append(f"  # review: {shown(t.file, 200)} left out: " + "; ".join(d.notes))
            continue
        lines.append(f"  - name: {t.name}")
        lines.append(f"    path: {quote(t.path.name)}")
        if t.encoding:
            lines.append(f"    encoding: {quote(t.encoding)}" + _comment(["the file is not UTF-8: its encoding guessed "
                                                                       "by charset-normalizer (check its text)"]))
        if t.dialect:
            why = [f"the sheet {shown(t.sheet)}, its header guessed as the first full row of text"] if t.sheet else []
            if t.notes:
                why.append(f"the range ends above {len(t.notes)} row(s) of notes below the table, such as "
                           f"{shown(t.notes[0])}")
            lines.append(f"    dialect: {flow(t.dialect)}" + _comment(why))
        if d.at:
            lines.append(f"    at: {flow(d.at)}" + _comment(d.at_review))
        if d.totals:
            lines.append(f"    totals: {flow(d.totals)}" + _comment(d.totals_review))
        lines.append("    schema:")
        lines.append("      fields:")
        for f in d.fields:
            lines.append(f"        - {flow(f.keys)}" + _comment(f.review))
    return "\n".join(lines) + "\n", mapped, plain


def write_draft(folder: str | Path, profile: str, rules: str | None, output: str | None, force: bool) -> int:
    """`audit init`: draft, then write FOLDER/datapackage.yaml (or `output`; `-` prints it)."""
    from .dataset import DESCRIPTOR_NAMES
    from .outputs import Input, refuse_overwrite

    folder = Path(folder)
    text, mapped, plain = draft_descriptor(folder, profile, rules)
    if output == "-":
        sys.stdout.write(text)
        return 0
    target = Path(output) if output else folder / DRAFT
    if output and os.path.realpath(target.parent) != os.path.realpath(folder):
        raise AuditInputError(Problem(str(target), "the draft must be written in the folder of its tables",
                                      field="--output", hint="its resources' paths are relative to the descriptor: "
                                      f"give a file name in {folder}, or print the draft with --output -"))
    if not output:
        other = [n for n in DESCRIPTOR_NAMES if n != DRAFT and os.path.lexists(folder / n)]
        if other:
            raise AuditInputError(Problem(str(folder / other[0]), "the folder already has a descriptor",
                                          hint="remove it first, or print the draft with --output -"))
    if os.path.lexists(target) and not force:
        raise AuditInputError(Problem(str(target), "already exists: refusing to overwrite it",
                                      hint="--force replaces it; --output - prints the draft instead"))
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise AuditInputError(Problem(str(target), "is not a regular file: refusing to write through it"))
    tables = sorted(p for p in folder.iterdir() if p.suffix.lower() in {*TABLE_SUFFIXES, *SHEET_SUFFIXES})
    refuse_overwrite(target, "the draft", [Input(p, "table") for p in tables])
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise AuditInputError(Problem(str(target), f"cannot write: {exc.strerror}")) from None
    print(f"wrote {target}: {mapped} field(s) mapped to measures or dimensions, {plain} left plain; review every "
          f"'# review:' line, then run: audit check {folder}", file=sys.stderr)
    return 0
