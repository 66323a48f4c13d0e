"""The declared schema of every file the audit reads: one declaration per file kind, in JSON
Schema (draft 2020-12), used to validate each file before its loader reads it and to document it
(`audit schema KIND`, `audit schema KIND --json` for an editor's YAML language server).

Validation is the `jsonschema` library's; what is ours is the declaration and the words. Each
problem is placed at the file, line and column of the key or value it is about (the files are read
by `audit.yamlio`, whose mappings remember where each key was written), says what was expected and
what was found, and an unknown key comes with the closest known one ("did you mean"). A key that
starts with `x-` (`x-reviewed-by: ...`) is an extension: it is allowed in every mapping of every
file kind and never read.

Only types and the names of keys are declared here; what needs the rest of the dataset (a column
a rule names, a measure of the vocabulary, a period that parses) is checked by each loader, which
can rely on the types being right once `require` has passed.
"""
from __future__ import annotations

import datetime
import math
from functools import lru_cache
from typing import Any

from .errors import AuditInputError, Problem, did_you_mean
from .yamlio import Node, Seq, what_it_is

EXTENSION_PREFIX = "x-"


# -- the words of a declaration --------------------------------------------------------------------
def text(doc: str = "") -> dict:
    return {"type": "string", "description": doc}


def number(doc: str = "") -> dict:
    """A finite number (YAML's .inf and .nan, and numbers too large for a float, are not numbers here)."""
    return {"type": "number", "description": doc}


def integer(doc: str = "") -> dict:
    return {"type": "integer", "description": doc}


def boolean(doc: str = "") -> dict:
    return {"type": "boolean", "description": doc}


def date(doc: str = "") -> dict:
    """A date: YAML's unquoted 2026-12-31, or the same as text."""
    return {"type": ["date", "string"], "description": doc}


def word(doc: str = "") -> dict:
    """One printed word: text, or a number the loader reads as its text (`year: 2018`, `title: 1989`)."""
    return {"type": ["string", "number"], "description": doc}


def anything(doc: str = "") -> dict:
    """Any value: a key of another standard (Frictionless) that the audit keeps but never reads."""
    return {"description": doc}


def either(*schemas: dict, doc: str = "") -> dict:
    return {"anyOf": list(schemas), "description": doc}


def nullable(schema: dict) -> dict:
    return {**schema, "type": [*_types(schema), "null"]} if "type" in schema else either(schema, {"type": "null"})


def items(item: dict, doc: str = "") -> dict:
    return {"type": "array", "items": item, "description": doc}


def one_or_more(item: dict, doc: str = "") -> dict:
    """One value, or a list of them (`labels: Total` or `labels: [Total, Totals]`)."""
    return either(item, items(item), doc=doc)


def mapping(keys: dict[str, dict], required: tuple[str, ...] = (), doc: str = "", *, other: dict | None = None) -> dict:
    """A mapping of the declared `keys` (and extensions, `x-...`); `other`: the schema of every
    other key's value, for a mapping whose keys are names the file chooses (members, tables)."""
    out: dict[str, Any] = {"type": "object", "properties": keys, "description": doc}
    if required:
        out["required"] = list(required)
    if other is None:
        out["patternProperties"] = {f"^{EXTENSION_PREFIX}": {}}
        out["additionalProperties"] = False
    else:
        out["additionalProperties"] = other
    return out


def names(value: dict, doc: str = "") -> dict:
    """A mapping whose keys are names the file chooses, each holding `value`."""
    return mapping({}, doc=doc, other=value)


def _types(schema: dict) -> list[str]:
    t = schema.get("type", [])
    return [t] if isinstance(t, str) else list(t)


# -- pieces several file kinds share -------------------------------------------------------------------
AT = names(word("a member of that dimension"),
           "coordinates: each dimension the figures lie on, and the member they are of (`{year: 2018, region: North}`)")
DESCRIBING = {
    "name": word("the dataset's name, as outputs print it"),
    "title": word("the title of the report or table"),
    "description": word("what the dataset holds"),
    "country": word("who reported the figures"),
    "year": word("the year of the report"),
}
FRICTIONLESS_PACKAGE = {k: anything("a key of the Frictionless Data Package, kept and not read") for k in (
    "homepage", "version", "keywords", "contributors", "created", "id", "image", "licenses", "sources")}
SOURCE = either(word("the publication the figures are transcribed from"), mapping({k: word() for k in ("title", "file", "table_file", "note", "url", "url_print_view", "id", "date",
                                      "last_updated", "publisher", "page")},
                 doc="the publication the figures are transcribed from"))
EDITION = either(word("the edition's title"),
                 mapping({"title": word("the edition's title"), "published": either(date(), word(), doc="when it was published (a date or a year)")}),
                 doc="the edition of the report (one report published again each year is one series of editions)")
PROFILE_KEYS = {
    "auditProfile": text("the rule profile the dataset is audited with (chooses the rule pack)"),
    "profile": text("the profile, as older descriptors name it (a Frictionless profile URL is ignored)"),
}
EXPLAIN = mapping({"weights": mapping({
    **{k: number("how much a figure of this kind is trusted (above 0)") for k in ("cell", "total", "claim", "derived")},
    "tables": names(number("the weight of the figures of that table"), "weights of single tables"),
}, doc="the trust given to each kind of figure")}, doc="how `audit explain` weighs the figures it may correct")
NUMBER_FORMAT = {
    "decimalChar": text("the character that starts the decimals (`.` unless declared)"),
    "groupChar": text("the character that groups thousands (none unless declared)"),
    "bareNumber": boolean("false when numbers carry other text (`12%`, `$5`)"),
}
DIALECT = mapping({
    **NUMBER_FORMAT,
    "delimiter": text("the character between the fields of a CSV row"),
    "sheetName": word("the spreadsheet's sheet holding the table"),
    "sheetNumber": integer("the sheet by position, 1 the first"),
    "range": text("the block of cells holding the table, header included (`B3:F12`)"),
    "header": boolean("false when the table has no header row"),
    "headerRows": items(integer(), "the rows of the range that make up the header"),
    "headerJoin": text("what joins the texts of several header rows"),
    "table": text("the database table or view the resource reads"),
    "query": text("a SELECT the resource reads, instead of a table"),
    **{k: anything("a key of the Frictionless CSV dialect, kept and not read") for k in (
        "lineTerminator", "quoteChar", "doubleQuote", "escapeChar", "nullSequence", "skipInitialSpace",
        "commentChar", "caseSensitiveHeader", "csvddfVersion")},
}, doc="how the resource's file is written")
MISSING = items(word(), "the texts that stand for no value (`-`, `n/a`)")
CONSTRAINTS = mapping({
    "required": boolean(), "unique": boolean(), "minimum": number(), "maximum": number(),
    "exclusiveMinimum": number(), "exclusiveMaximum": number(), "enum": items(word()), "pattern": text(),
    "minLength": integer(), "maxLength": integer(),
}, doc="Frictionless constraints on the column's values")
FIELD_COMMON = {
    "name": word("the column's header, as printed"),
    "type": text("string, integer, number, ..."),
    "title": word("the column's title"),
    "description": word(),
    "format": anything("a Frictionless format, kept and not read"),
    "constraints": CONSTRAINTS,
    "unit": text("the unit the column's values are in"),
    "missingValues": MISSING,
    "rdfType": anything(), "example": anything(),
    **NUMBER_FORMAT,
}
RESOURCE_COMMON = {
    "name": word("the table's name, as rules and findings name it"),
    "path": text("the file, inside the dataset folder"),
    "database": text("the database file (SQLite or DuckDB) or PostgreSQL URL the table is read from"),
    "title": word("the table's title, as printed"),
    "description": word(),
    "format": text("csv, xlsx, ods, parquet, sqlite, duckdb, postgresql"),
    "encoding": text("the text encoding of the file (UTF-8 unless declared)"),
    "dialect": DIALECT,
    "scan": boolean("true to leave the table in its file and query it there (large tables)"),
    "provenance": mapping({k: word() for k in ("document", "table", "title", "footnote", "page", "section", "url",
                                               "note")}, doc="where in the publication the table is printed"),
    "footnotes": items(mapping({
        "marker": word("the mark printed beside the figures (`*`, `a`)"),
        "text": word("the footnote as printed"),
        "claim": one_or_more(word(), "the claims the footnote states"),
        "applies_to": items(word(), "the rows or columns the footnote is about"),
    }), "the table's footnotes"),
    "notes": one_or_more(word(), "notes printed with the table"),
    **{k: anything("a key of the Frictionless Data Resource, kept and not read") for k in (
        "mediatype", "bytes", "hash", "sources", "licenses", "profile", "type", "scheme")},
}
TOTALS = mapping({
    "column": word("the column whose label marks the totals row"),
    "labels": one_or_more(word(), "the labels of totals rows (`Total`, `Totals`)"),
    "within": items(word(), "the columns a total is taken within (one total per group)"),
}, required=("column",), doc="the rows that print totals of the others")

# the keys of a descriptor, and of a resource's table schema, in both layouts
PACKAGE_COMMON = {
    **DESCRIBING, **PROFILE_KEYS, **FRICTIONLESS_PACKAGE,
    "source": SOURCE, "edition": EDITION, "at": AT,
    "claims": either(text("the claims file, inside the dataset folder"),
                     items(anything(), "in memory (audit.check(descriptor=...)): the claims themselves")),
    "missingValues": MISSING,
    "explain": EXPLAIN,
}
TABLE_SCHEMA_COMMON = {"primaryKey": one_or_more(word()), "missingValues": MISSING, "foreignKeys": anything()}

# -- the table layout -----------------------------------------------------------------------------------
TABLE_DESCRIPTOR = mapping({
    **PACKAGE_COMMON,
    "resources": items(mapping({
        **RESOURCE_COMMON,
        "totals": TOTALS,
        "dimensions": names(one_or_more(word()), "what the whole table is of (`{year: 2018}`)"),
        "hierarchy": mapping({"column": word("the column of codes"),
                              "codelist": text("a CSV file of code,parent inside the dataset folder")},
                             required=("column", "codelist"), doc="the codes of a column and their parents"),
        "schema": mapping({
            "fields": items(mapping({**FIELD_COMMON,
                                     "dimension": text("area, count, ... : what the column's numbers measure"),
                                     "decimals": integer("the decimals the figures are printed with")},
                                    required=("name",))),
            **TABLE_SCHEMA_COMMON,
        }, doc="the table's columns (Frictionless Table Schema)"),
    }), "the tables of the dataset"),
}, required=("resources",), doc="A dataset in the table layout: datapackage.yaml (a Frictionless Data Package)")

TABLE_CLAIM = mapping({
    "id": word("the claim's id, unique in the file"),
    "measure": text("what the sentence states, one of the pack's measures"),
    "value": word("the figure as printed (`1,234`, `4.10`)"),
    "low": word("the lower end of a stated range"), "high": word("the upper end"),
    "unit": text(), "qualifier": text("exact, about, at least, more than, ..."),
    "quote": word("the sentence as printed"),
    "section": word(), "locator": word(), "footnote": word(), "note": word(),
    "table": text("the table the claim is compared with"),
}, doc="a figure stated in the narrative; every other key is a dimension it is narrowed by, one of those "
       "the rule pack declares (`claim_dimensions` of measures.yaml), with one value or a list of them")
TABLE_CLAIM["additionalProperties"] = one_or_more(word(), "a dimension of the claim: its value or values")
TABLE_CLAIMS = either(mapping({"claims": items(TABLE_CLAIM)}), items(TABLE_CLAIM),
                      doc="The claims of a dataset in the table layout: the figures its text states")

# -- the figure layout --------------------------------------------------------------------------------
FIGURE_DESCRIPTOR = mapping({
    **PACKAGE_COMMON,
    "aliases": names(names(word("the member it stands for")),
                     "per dimension, printed spellings and the member each stands for"),
    "resources": items(mapping({
        **RESOURCE_COMMON,
        "totals": TOTALS,
        "at": AT,
        "incomplete": boolean("true when the table is cut: some of its rows are not given"),
        **{key: mapping({
            "column": word("the column naming each row's figure"),
            "figures": names(mapping({"measure": text(), "at": AT, "unit": text()}, required=("measure",)),
                             "each row label and the figure it gives"),
        }, doc="figures named by row (the measure is the row's, not the column's)")
           for key in ("byRow", "rows")},
        "schema": mapping({
            "fields": items(mapping({**FIELD_COMMON,
                                     "measure": text("the measure of the column's figures"),
                                     "dimension": text("the dimension whose members the column holds"),
                                     "parent": word("the column of the same dimension this one is a part of"),
                                     "at": AT}, required=("name",))),
            **TABLE_SCHEMA_COMMON,
        }, doc="the table's columns: dimensions, measures and descriptive text"),
    }), "the tables of the dataset"),
}, doc="A dataset in the figure layout: datapackage.yaml with measures and dimensions")

CLAIM_AT = names(one_or_more(word()), "coordinates of the stated figure; a list of members is their sum")
OF = mapping({"measure": text(), "at": AT, "period": word()}, doc="the figure a relation is stated against")
FIGURE_CLAIM_KEYS = {
    "id": word("the claim's id, unique in the file"),
    "measure": text("the measure of the vocabulary the sentence states"),
    "value": word("the figure as printed"),
    "low": word("the lower end of a stated range"), "high": word("the upper end"),
    "unit": text(), "qualifier": text("exact, about, at least, more than, ..."),
    "rounding": text("rounded (the default) or truncated"),
    "period": word("when the figure is of (`2018`, `end 2018`)"),
    "at": CLAIM_AT,
    "quote": word("the sentence as printed"),
    "section": word(), "locator": word(), "footnote": word(), "note": word(),
    "change": mapping({"from": word("the period it changed from")}, doc="the figure is a change since a period"),
    "share": mapping({"of": OF}, doc="the figure is a share of another"),
    "ratio": mapping({"of": OF}, doc="the figure is a ratio to another"),
    "members": text("the figure counts the members of this dimension"),
    "direction": text("increase or decrease (of a change)"),
}
FIGURE_CLAIM = mapping(FIGURE_CLAIM_KEYS, doc="a figure, or a relation between figures, stated in the narrative")
FIGURE_CLAIMS = either(mapping({"claims": items(FIGURE_CLAIM)}), items(FIGURE_CLAIM),
                       doc="The claims of a dataset in the figure layout: the figures its text states")

# -- rule packs ------------------------------------------------------------------------------------------
PACK = mapping({
    "profile": text("the profile the pack is for (descriptors name it in auditProfile)"),
    "title": word(), "description": word(), "version": word(),
    "explain": EXPLAIN,
}, required=("profile",), doc="pack.yaml: what a rule pack is for")
RULE = mapping({
    "id": word("the rule's id: lower case letters, digits and -"),
    "title": word("one line saying what must hold"),
    "kind": text("the rule kind (`audit explain KIND` documents each and its parameters)"),
    "severity": text("error, warning or info"),
    "message": word("the finding's message; {placeholders} of the kind"),
    "hint": word("what to look at when the rule fails"),
    "rationale": word("why the rule holds"),
}, required=("id", "kind"), doc="one rule: the keys every rule has, then its kind's parameters",
    other=anything("a parameter of the rule's kind (checked against the kind's declaration)"))
RULES = mapping({"rules": items(RULE), "description": word()}, required=("rules",),
                doc="A rule file of a pack: its rules, each of a kind with that kind's parameters")
CONTRACTS = mapping({"tables": names(mapping({
    "title": word(),
    "key": items(word(), "the columns that name a row"),
    "dimensions": items(word(), "the columns a table is split by"),
    "columns": names(mapping({
        "type": text("string, integer, number, ..."),
        "dimension": text("the quantity the column measures (one of measures.yaml `quantities`)"),
        "required": boolean(),
        "min": number(), "max": number(),
        "allowed": items(word()),
        "description": word(),
    }), "each column the profile knows, by name"),
}), "each table the profile knows, by name"), "description": word()}, required=("tables",),
    doc="contracts.yaml: the tables and columns of a table-layout profile")
# the quantities of a profile and their units: a vocabulary's, and a table-layout pack's measures.yaml
QUANTITIES = names(mapping({
    "units": names(number("how many of the quantity's base unit one of this unit is")),
    "aliases": names(text("the unit the spelling stands for"), "other spellings of units"),
    "exact": one_or_more(text(), "units whose whole numbers are exact (recorded, not rounded)"),
    "number": boolean("true when the quantity is a plain number of things (a count): it compares "
                      "with unitless numbers"),
    "additive": boolean("false when parts of the quantity do not add up to a whole"),
    "signed": boolean("true when its figures may be negative: parts printed without all of them "
                      "then bound nothing"),
    "description": word(),
}), "each quantity (area, count, ...) and its units")
MEASURES = mapping({"measures": names(mapping({
    "dimension": text("the quantity the measure is of (one of `quantities`)"), "description": word(), "unit": text(),
}), "each measure a claim may state"), "description": word(),
    "quantities": QUANTITIES,
    "claim_dimensions": items(text(), "the keys a claim may be narrowed by: columns or dimensions of the "
                              "contracts (default: every one that is not a measured quantity)"),
    "claim_period": text("the claim dimension that counts years: whole years, or a span `2016-2018` "
                         "(default: the one the contracts type `year`)")}, required=("measures",),
    doc="measures.yaml: what a claim of a table-layout profile may measure")
VOCABULARY = mapping({
    "description": word(),
    "quantities": QUANTITIES,
    "measures": names(mapping({
        "quantity": text("the quantity the measure is of"),
        "type": text("stock (at a moment) or flow (over a period)"),
        "synonyms": items(word(), "how headers and sentences name it"),
        "description": word(),
    }), "each measure figures may be of"),
    "dimensions": names(mapping({
        "all": word("the member that is the whole"),
        "parts": items(either(word(), names(items(word()))), "members that together make the whole"),
        "aliases": names(word()),
        "synonyms": items(word()),
        "required": boolean("true when every dataset must name its member"),
        "description": word(),
    }), "each dimension figures lie on"),
}, doc="vocabulary.yaml: the quantities, measures and dimensions of a figure-layout profile")
MIGRATE_COLUMN = nullable(mapping({"measure": text(), "dimension": text(), "parent": word(), "at": AT},
                                  doc="{} (descriptive), {measure, at} or {dimension, parent}"))
MIGRATE = mapping({"from": names(mapping({
    "dataset": mapping({"at": names(word(), "a coordinate of every figure, and the old descriptor key it is read from"),
                        "edition": names(word(), "edition fields and the old descriptor keys they are read from")}),
    "dimensions": names(word(), "each old dimension name and the vocabulary's"),
    "tables": names(mapping({
        "columns": names(MIGRATE_COLUMN, "what each old column becomes"),
        "at": AT,
        "when": items(mapping({"match": names(word("a pattern searched for in the text, in any case"),
                                              "keys of the old resource (title, provenance.table) and patterns"),
                               "at": AT}, required=("match", "at")),
                      "more coordinates where the resource's keys match"),
    })),
    "claims": names(mapping({"measure": text(), "at": AT, "members": text()}),
                    "each old measure and the figure it becomes"),
}), "each table-layout profile this pack migrates from")}, required=("from",),
    doc="migrate.yaml: how `audit migrate` rewrites a table-layout dataset in this pack's figures")
REFERENCE = mapping({"figures": items(mapping({
    **{k: v for k, v in FIGURE_CLAIM_KEYS.items() if k not in ("change", "share", "ratio", "members", "direction",
                                                              "qualifier")},
    "source": word("the publication, its edition and the entry the value is read from"),
}, required=("source",))), "description": word()}, required=("figures",),
    doc="reference.yaml: facts from outside the reports that rules need, each with its source")

# -- runs -----------------------------------------------------------------------------------------------
BASELINE = mapping({
    "version": integer(),
    "entries": items(mapping({
        "fingerprint": word("what identifies the finding across runs"),
        "dataset": word(), "rule": word(), "message": word(),
        "reason": word("why the finding is accepted (required)"),
        "owner": word("who accepted it"),
        "observed": nullable(number()), "expected": nullable(number()),
        "where": items(word()),
        "expires": date("when the acceptance ends (YYYY-MM-DD)"),
    })),
}, required=("entries",), doc="A baseline: findings of `audit check` accepted, each with its reason")
CONFIG = mapping({
    "paths": items(text(), "the dataset folders to audit when none is given on the command line"),
    "rules": text("the rule pack folder (--rules)"),
    "select": items(text(), "rule ids, globs or severities to run (--select)"),
    "ignore": items(text(), "rule ids, globs or severities not to run (--ignore)"),
    "fail-on": text("lowest severity that fails the run: error, warning, info or never (--fail-on)"),
    "baseline": text("the baseline of accepted findings (--baseline)"),
    "format": text("output format (--format)"),
    "engine": text("duckdb or spark (--engine)"),
}, doc="[tool.audit] in pyproject.toml, or audit.toml: defaults of `audit check`")

# every file kind: the name `audit schema` takes, and its declaration
KINDS: dict[str, dict] = {
    "descriptor": TABLE_DESCRIPTOR,
    "claims": TABLE_CLAIMS,
    "figure-descriptor": FIGURE_DESCRIPTOR,
    "figure-claims": FIGURE_CLAIMS,
    "pack": PACK,
    "rules": RULES,
    "contracts": CONTRACTS,
    "measures": MEASURES,
    "vocabulary": VOCABULARY,
    "migrate": MIGRATE,
    "reference": REFERENCE,
    "baseline": BASELINE,
    "config": CONFIG,
}


# -- validation ------------------------------------------------------------------------------------------
def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@lru_cache(maxsize=None)
def _validator(kind: str):
    import jsonschema
    checker = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many({
        "number": lambda _c, v: _finite(v),
        "integer": lambda _c, v: _finite(v) and float(v).is_integer(),
        "date": lambda _c, v: isinstance(v, datetime.date),
    })
    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=checker)
    return cls(KINDS[kind])


TYPE_WORDS = {"string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
              "object": "a mapping", "array": "a list", "null": "null", "date": "a date"}


def expected(schema: dict) -> str:
    """What a schema takes, in words (`text or a number`, `a mapping`)."""
    if "anyOf" in schema:
        words = [expected(s) for s in schema["anyOf"]]
    else:
        words = [TYPE_WORDS[t] for t in _types(schema)]
    words = list(dict.fromkeys(w for w in words if w))
    return " or ".join(words) if words else "any value"


def _where(data: Any, path) -> str:
    """A place in a file as its reader names it: from the last item on the way that has a name or an
    id (a resource, a field, a claim, a rule), then the keys below it (`by_region.area.constraints`,
    `claim-3.value`); the keys and positions from the top where nothing is named (`explain.weights`)."""
    out, named_so_far, node = "", "", data
    for step in path:
        child = node[step] if isinstance(node, (dict, list)) and _has(node, step) else None
        named = child.get("name", child.get("id")) if isinstance(step, int) and isinstance(child, dict) else None
        if isinstance(named, str) and named.strip() and len(named) <= 100:
            out = named_so_far = f"{named_so_far}.{named}" if named_so_far else named
        else:
            out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
        node = child
    return out


def _has(node, step) -> bool:
    return (isinstance(node, dict) and step in node) or (isinstance(node, list) and isinstance(step, int)
                                                         and 0 <= step < len(node))


def _position(data: Any, path) -> tuple[int | None, int | None]:
    """The line and column a value at `path` was written at (its key's, for a mapping's value)."""
    node, line, col = data, getattr(data, "line", None) or 1, getattr(data, "column", None)
    for step in path:
        if isinstance(node, Node) and step in node:
            line, col = node.value_pos(step)[:2]
            node = node[step]
        elif isinstance(node, Seq) and isinstance(step, int) and step < len(node):
            if step < len(getattr(node, "item_positions", [])):
                line, col = node.item_positions[step]
            node = node[step]
        else:
            break
    return line, col


def _key_position(instance: Any, key: str, fallback):
    if isinstance(instance, Node) and key in instance:
        return instance.pos(key)
    return fallback


def problems_of(kind: str, data: Any, file: str) -> list[Problem]:
    """Every place where `data` (a file of that kind, as `audit.yamlio` read it) does not follow
    the declaration, as problems at their file:line:col; none when it does."""
    out: list[Problem] = []
    for err in _validator(kind).iter_errors(data):
        out += _problems(err, data, file)
    # one problem per place and message, in the order of the file
    seen, unique = set(), []
    for p in sorted(out, key=lambda p: (p.line or 0, p.column or 0)):
        if (p.line, p.column, p.message) not in seen:
            seen.add((p.line, p.column, p.message))
            unique.append(p)
    return unique


def _problems(err, data: Any, file: str) -> list[Problem]:
    path = list(err.absolute_path)
    where = _where(data, path)
    line, col = _position(data, path)
    schema, instance = err.schema, err.instance
    if err.validator == "additionalProperties" and schema.get("additionalProperties") is False:
        known = list(schema.get("properties", {}))
        out = []
        for key in instance:
            if key in schema.get("properties", {}) or (isinstance(key, str) and key.startswith(EXTENSION_PREFIX)):
                continue
            kline, kcol = _key_position(instance, key, (line, col))
            hint = did_you_mean(str(key), known) if isinstance(key, str) else None
            if not hint:
                hint = (f"{where or 'the file'} takes {', '.join(known)}" if known else "no keys are declared here")
                hint = hint.replace("the file takes", "the file's keys are")
                hint += f"; a key starting with '{EXTENSION_PREFIX}' is an extension, kept and not read"
            if instance[key] is None and isinstance(instance, Node):
                hint += ("; if this is the rest of the value before it, quote that value: in { } or [ ], "
                         "a comma ends a value")
            out.append(Problem(file, f"unknown key '{key}'", kline, kcol, field=_where(data, [*path, key]), hint=hint))
        return out
    if err.validator == "additionalProperties":  # a value of an open mapping
        return [Problem(file, err.message, line, col, field=where)]
    if err.validator == "required":
        missing = [k for k in schema.get("required", []) if not (isinstance(instance, dict) and k in instance)]
        return [Problem(file, f"missing required key '{k}'" +
                        (f" ({schema['properties'][k]['description']})"
                         if schema.get("properties", {}).get(k, {}).get("description") else ""),
                        line, col, field=_where(data, path) + ('.' if path else '') + k) for k in missing]
    if err.validator == "anyOf":  # the alternative of the value's own type, if one is, says what is wrong in it
        inner = [e for e in err.context if e.validator != "type" or list(e.absolute_path) != path]
        if inner:
            return [p for e in inner for p in _problems(e, data, file)]
    if err.validator in ("type", "anyOf"):
        found = what_it_is(instance)
        if isinstance(instance, float) and not math.isfinite(instance):
            found = "not a finite number (.inf, .nan, or a number too large for a float)"
        elif isinstance(instance, list) and path and isinstance(path[-1], int):
            found = "a nested list"
        message = (f"expected {expected(schema)}, " + ("" if found.startswith("not ") else "found ") + found) if where else \
            f"the file must be {expected(schema)}, not {found}"
        hint = None
        if isinstance(instance, datetime.date) and "string" in _types(schema):
            hint = "an unquoted YAML date; quote it to give it as text"
        return [Problem(file, message, line, col, field=where, hint=hint)]
    return [Problem(file, err.message, line, col, field=where or None)]


def check(kind: str, data: Any, file: str, problems) -> None:
    """Add the problems of `data` against the declaration of `kind` to `problems` (a
    ProblemCollector); raise them at once when a value is of a wrong type, which the loader cannot
    read past. Unknown keys alone let the loader go on, to report its own problems in the same run."""
    found = problems_of(kind, data, file)
    problems.problems.extend(found)
    if any(not p.message.startswith("unknown key ") for p in found):
        problems.raise_if_any()


def require(kind: str, data: Any, file: str) -> None:
    """Raise AuditInputError with every problem of `data` against the declaration of `kind`."""
    found = problems_of(kind, data, file)
    if found:
        raise AuditInputError(found)


# -- documentation ----------------------------------------------------------------------------------------
def json_schema(kind: str) -> dict:
    """The declaration as standard JSON Schema (for editors): dates are text in the format `date`."""
    def plain(s):
        if isinstance(s, dict):
            out = {k: plain(v) for k, v in s.items() if not (k == "description" and not v)}
            t = s.get("type")
            if isinstance(t, list) and "date" in t:
                out["type"] = [x for x in t if x != "date"] or "string"
                out["format"] = "date"
            elif t == "date":
                out["type"], out["format"] = "string", "date"
            return out
        if isinstance(s, list):
            return [plain(x) for x in s]
        return s
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": kind, **plain(KINDS[kind])}
    if kind == "rules":  # each kind's parameters, from its declaration (the loader checks them the same way)
        out["properties"]["rules"]["items"]["allOf"] = [
            {"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
             "then": {"properties": {**RULE["properties"], **params}, "additionalProperties": False,
                      "patternProperties": {f"^{EXTENSION_PREFIX}": {}}}}
            for name, params in _kind_parameters().items()]
    return out


def _kind_parameters() -> dict[str, dict]:
    """Every rule kind of both layouts, with the JSON Schema of each of its parameters."""
    import dataclasses
    import types
    import typing

    from .figures.kinds import KINDS as FIGURE_KINDS
    from .kinds import KINDS as TABLE_KINDS

    def of(hint) -> dict:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [of(a) for a in args]}
        if origin is list:  # one item may be given without its list
            item = of(args[0]) if args else {}
            return {"anyOf": [item, {"type": "array", "items": item}]}
        if origin is dict:
            return {"type": "object"}
        return {str: {"type": "string"}, bool: {"type": "boolean"}, int: {"type": "integer"},
                float: {"type": "number"}, type(None): {"type": "null"}}.get(hint, {})

    out = {}
    for name, kind in {**TABLE_KINDS, **FIGURE_KINDS}.items():
        hints = typing.get_type_hints(kind.Params)
        out[name] = {f.name.rstrip("_"): {**of(hints[f.name]), "description": f.metadata.get("doc", "")}
                     for f in dataclasses.fields(kind.Params)}
    return out


def describe(kind: str) -> str:
    """The declaration in words: every key, what it holds and what it is for, indented by depth."""
    schema = KINDS[kind]
    lines = [f"{kind}: {schema.get('description', '')}".rstrip()]

    def walk(s: dict, depth: int) -> None:
        for sub in s.get("anyOf", []):
            if sub.get("type") in ("object", "array"):
                walk(sub, depth)
        if s.get("type") == "array":
            walk(s.get("items", {}), depth)
            return
        for key, sub in s.get("properties", {}).items():
            need = " (required)" if key in s.get("required", []) else ""
            doc = sub.get("description", "")
            lines.append(f"{'  ' * depth}{key}: {expected(sub)}{need}" + (f" — {doc}" if doc else ""))
            walk(sub, depth + 1)
        other = s.get("additionalProperties")
        if isinstance(other, dict):
            doc = other.get("description", "")
            lines.append(f"{'  ' * depth}<name>: {expected(other)}" + (f" — {doc}" if doc else ""))
            walk(other, depth + 1)
    walk(schema, 1)
    lines.append(f"Keys starting with '{EXTENSION_PREFIX}' are allowed anywhere and not read.")
    return "\n".join(lines)
