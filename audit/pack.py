"""Rule packs: a folder of YAML rule files for one profile of dataset, with the profile's table
contracts (`contracts.yaml`) and the vocabulary of measures claims can speak of (`measures.yaml`).

Loading a pack parses every rule, validates its parameters from its kind's declaration, parses
its expressions and compiles them against the profile's tables and columns, all before any
dataset is read. Every problem is reported with file:line:col; none is fatal until all are found.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import units
from .dataset import CLAIM_KEYS, _line, _relative, item_line
from .errors import AuditInputError, Problem, ProblemCollector, choices_hint
from .expr.compiler import ColumnInfo, CompileError, NotApplicable, Schema
from .kinds import KINDS
from .kinds.base import SEVERITY_LEVELS, Kind, Rule, expr_problem, placeholders, validate_params
from .yamlio import Node, Number, Seq, load_yaml, what_it_is

PACK_FILE = "pack.yaml"
CONTRACTS_FILE = "contracts.yaml"
MEASURES_FILE = "measures.yaml"
COLUMN_TYPES = {"string", "integer", "number", "year", "boolean"}


@dataclass
class ColumnContract:
    name: str
    type: str
    dimension: str | None = None
    required: bool = False
    min: float | None = None
    max: float | None = None
    allowed: list[str] | None = None
    description: str = ""


@dataclass
class TableContract:
    name: str
    title: str
    columns: dict[str, ColumnContract]
    key: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)  # table-wide constants a dataset may declare


@dataclass
class Pack:
    root: Path
    profile: str
    title: str
    contracts: dict[str, TableContract]
    measures: dict[str, units.Dim]
    measure_units: dict[str, str | None]
    rules: list[Kind]
    units: units.UnitSystem = field(default_factory=units.UnitSystem)  # measures.yaml `quantities`
    # what a claim may be narrowed by (measures.yaml `claim_dimensions`), and the one of them that
    # counts years (`claim_period`); by default, derived from the contracts (claim_dimensions())
    claim_dimensions: list[str] = field(default_factory=list)
    claim_period: str | None = None

    def schema(self) -> Schema:
        """The profile's schema: every table and column a dataset of this profile may have."""
        tables = {}
        for t in self.contracts.values():
            cols = {}
            for c in t.columns.values():
                dim = self.units.quantity_dim(c.dimension) if c.dimension else units.NONE
                unit = self.units.base.get(c.dimension) if c.dimension not in self.units.numbers else None
                cols[c.name] = ColumnInfo(c.type in ("integer", "number", "year"), dim, unit)
            for d in t.dimensions:
                cols.setdefault(d, ColumnInfo(d == self.claim_period, units.NONE, None, kind="dimension"))
            tables[t.name] = cols
        return Schema(tables, dict(self.measures), dict(self.measure_units), units=self.units,
                      period=self.claim_period)


def default_rules_dirs() -> list[Path]:
    """Where packs are looked for: ./rules, the checkout the package runs from, the packs installed
    with the package (the package data `audit/_rules`, so a venv, `pip install --user`, a system
    install and a wheel all find them beside the code)."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / "rules"
    installed = package / "_rules"
    found = [p for p in (Path.cwd() / "rules", checkout, installed) if p.is_dir()]
    return list(dict.fromkeys(found)) or [Path.cwd() / "rules"]


def find_pack(profile: str | None, rules_dir: str | Path | None, descriptor: str | Path | None = None) -> Path:
    """The pack folder: `rules_dir` itself if it is a pack, else the pack in it for `profile`.
    `descriptor`: the descriptor that named the profile, where a missing one is reported."""
    candidates = [Path(rules_dir)] if rules_dir else default_rules_dirs()
    for base in candidates:
        if (base / PACK_FILE).exists():
            return base
        if base.is_dir():
            for sub in sorted(base.iterdir()):
                if (sub / PACK_FILE).is_file():
                    meta = load_yaml(sub / PACK_FILE)
                    if isinstance(meta, dict) and meta.get("profile") == profile:
                        return sub
    where = rules_dir or " or ".join(str(c) for c in candidates)
    if profile is None:
        raise AuditInputError(Problem(str(descriptor or where), "the dataset names no profile, so no rule pack can "
                                      "be chosen", 1 if descriptor else None,
                                      hint="give the descriptor 'auditProfile: <profile>', or --profile PROFILE, or --rules DIR"))
    if descriptor is not None:
        raise AuditInputError(Problem(str(descriptor), f"no rule pack for profile '{profile}' in {where}", 1,
                                      hint="give --rules DIR, a folder holding pack.yaml"))
    raise AuditInputError(Problem(str(where), f"no rule pack for profile '{profile}'",
                                  hint="give --rules DIR, a folder holding pack.yaml"))


def load_pack(folder: str | Path) -> Pack:
    folder = _relative(Path(folder))
    problems = ProblemCollector()
    meta_path = folder / PACK_FILE
    if not meta_path.exists():  # a pack.yaml that is not a regular file is refused when read, by name
        raise AuditInputError(Problem(str(folder), "not a rule pack: no pack.yaml"))
    meta = load_yaml(meta_path, kind="pack")
    if not isinstance(meta, dict) or not meta.get("profile"):
        raise AuditInputError(Problem(str(meta_path), "pack.yaml must give the 'profile' the pack is for", 1))
    system, measures, measure_units, declared = _load_measures(folder / MEASURES_FILE, problems)
    contracts = _load_contracts(folder / CONTRACTS_FILE, system, folder / MEASURES_FILE, problems)
    pack = Pack(folder, str(meta["profile"]), str(meta.get("title", meta["profile"])), contracts, measures,
                measure_units, [], system)
    pack.claim_dimensions, pack.claim_period = claim_dimensions(contracts, declared, folder / MEASURES_FILE, problems)
    schema = pack.schema()
    pack.rules = load_rules(folder, (PACK_FILE, CONTRACTS_FILE, MEASURES_FILE),
                            lambda node, file: _load_rule(node, file, schema, problems), problems)
    problems.raise_if_any()
    return pack


def load_rules(folder: Path, skip: tuple[str, ...], load_rule, problems: ProblemCollector) -> list:
    """The rules of every rule file of a pack folder (its `*.yaml` but the `skip` files), each
    made by `load_rule(node, file)` (None when it is wrong); a rule id used twice is an error."""
    rules: list = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in skip:
            continue
        try:
            data = load_yaml(path, kind="rules")
        except AuditInputError as exc:
            problems.problems.extend(exc.problems)
            continue
        items = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(items, list):
            problems.add(path, "a rule file holds a list of rules under 'rules'", 1)
            continue
        for i, node in enumerate(items):
            if not isinstance(node, Node):
                problems.add(path, "each rule must be a mapping", items.item_positions[i][0]
                             if isinstance(items, Seq) else 1, field=f"rules[{i}]")
                continue
            kind = load_rule(node, str(path))
            if kind is None:
                continue
            if kind.rule.id in seen:
                problems.add(path, f"rule id '{kind.rule.id}' is also used in {seen[kind.rule.id]}",
                             node.pos("id")[0], field="id")
                continue
            seen[kind.rule.id] = f"{path}:{kind.rule.line}"
            rules.append(kind)
    return rules


def read_rule(node, file: str, kinds: dict, problems: ProblemCollector, kinds_label: str = "kinds",
              names: set[str] = frozenset(), names_label: str = "") -> tuple[type, Rule] | None:
    """What every rule of every pack says the same way: id, title, kind (one of `kinds`), severity,
    message (its placeholders those of the kind, or `names`), and the kind's parameters. None,
    with the problems added at their file:line:col, when the rule cannot be made."""
    if not isinstance(node, Node):
        problems.add(file, "each rule must be a mapping", getattr(node, "line", None))
        return None
    missing = [k for k in ("id", "title", "kind", "message") if not node.get(k)]
    for key in missing:
        problems.add(file, f"a rule needs '{key}'", node.line, node.column, field=key)
    # the words of a rule are text (a list or mapping here would only fail when a finding is written)
    wrong = [k for k in ("id", "title", "kind", "message", "hint", "rationale", "severity")
             if node.get(k) is not None and (isinstance(node[k], bool) or not isinstance(node[k], (str, Number)))]
    for key in wrong:
        problems.add(file, f"a rule's {key} is text, not {what_it_is(node[key])}", *node.value_pos(key)[:2], field=key)
    if missing or wrong:
        return None
    rid = str(node["id"])
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,99}", rid):
        problems.add(file, f"rule id '{rid[:100]}' must be lower case letters, digits and -", *node.pos("id"),
                     field="id")
    severity = str(node.get("severity", "error"))
    if severity not in SEVERITY_LEVELS:
        problems.add(file, f"unknown severity '{severity}' (one of {', '.join(SEVERITY_LEVELS)})",
                     *node.pos("severity"), field="severity")
        return None
    kind_name = str(node["kind"])
    if kind_name not in kinds:
        problems.add(file, f"unknown rule kind '{kind_name}'", *node.pos("kind"), field="kind",
                     hint=f"{kinds_label}: {', '.join(kinds)}")
        return None
    cls = kinds[kind_name]
    params, exprs, errs = validate_params(cls, node, file)
    if errs:
        problems.problems.extend(errs)
        return None
    rule = Rule(id=rid, title=str(node["title"]), severity=severity, kind=kind_name, message=str(node["message"]),
                rationale=str(node.get("rationale", "")), hint=None if node.get("hint") is None else str(node["hint"]), params=params, file=file,
                line=node.line, node=node, expressions=exprs)
    allowed = set(cls.placeholders) | set(names)
    for name in placeholders(rule.message) + placeholders(str(rule.hint or "")):
        if name not in allowed:
            problems.add(file, f"the message names '{{{name}}}', which kind '{kind_name}' does not provide",
                         *node.pos("message"), field="message",
                         hint=f"available: {', '.join(sorted(cls.placeholders))}{names_label}")
    return cls, rule


def _load_rule(node, file: str, schema: Schema, problems: ProblemCollector) -> Kind | None:
    made = read_rule(node, file, KINDS, problems, names={c for t in schema.tables.values() for c in t},
                     names_label=" and column names")
    if made is None:
        return None
    cls, rule = made
    line = node.line
    kind = cls(rule)
    try:
        kind.check(schema)
    except CompileError as exc:
        key, raw = _expression_key(node, exc)
        problems.problems.append(expr_problem(file, raw, node, key, exc.message, exc.line, exc.column, exc.hint)
                                 if key else Problem(file, exc.message, line, node.column, hint=exc.hint))
        return None
    except NotApplicable:
        pass
    return kind


def _expression_key(node: Node, exc: CompileError):
    """Which expression parameter an error came from (the first one whose text fits its position)."""
    for key in ("assert", "where", "left", "right", "series", "stock", "outflow", "inflow", "against"):
        if key not in node:
            continue
        raw = node[key]
        items = raw if isinstance(raw, list) else [raw]
        for item in items:
            lines = str(item).splitlines() or [""]
            if exc.line <= len(lines) and exc.column <= len(lines[exc.line - 1]) + 1:
                if _mentions(item, exc):
                    return key, item
    return None, None


def _mentions(text, exc: CompileError) -> bool:
    quoted = re.findall(r"'([^']+)'", exc.message)
    return not quoted or any(q.split(".")[-1] in str(text) for q in quoted)


def _load_contracts(path: Path, system: units.UnitSystem, measures_path: Path,
                    problems: ProblemCollector) -> dict[str, TableContract]:
    if not path.exists():
        problems.add(path, "a rule pack needs contracts.yaml (the tables of its profile)")
        return {}
    try:
        data = load_yaml(path, kind="contracts")
    except AuditInputError as exc:
        problems.problems.extend(exc.problems)
        return {}
    out: dict[str, TableContract] = {}
    tables = data.get("tables") if isinstance(data, dict) else None
    if not isinstance(tables, dict):
        problems.add(path, "contracts.yaml holds a mapping of tables under 'tables'", _line(data, "tables"),
                     field="tables")
        return {}
    for tname, spec in tables.items():  # (the types are those of audit.schemas.CONTRACTS: checked when read)
        cols = {}
        for cname, c in (spec.get("columns") or {}).items():
            ctype = str(c.get("type", "string"))
            if ctype not in COLUMN_TYPES:
                problems.add(path, f"unknown type '{ctype}'", c.pos("type")[0], field=f"{tname}.{cname}.type")
                continue
            dim = c.get("dimension")
            if dim is not None and dim not in system.base:
                problems.add(path, f"unknown dimension '{dim}': {_quantities_hint(system, measures_path)}",
                             c.pos("dimension")[0], field=f"{tname}.{cname}.dimension",
                             hint=choices_hint("quantities", system.base, str(dim)) if system.base else None)
            cols[cname] = ColumnContract(cname, ctype, dim, bool(c.get("required", False)),
                                         c.get("min"), c.get("max"),
                                         [str(a) for a in c["allowed"]] if c.get("allowed") else None,
                                         str(c.get("description", "")))
        out[tname] = TableContract(tname, str(spec.get("title", tname)), cols,
                                   [str(k) for k in spec.get("key") or [] if isinstance(k, str)],
                                   [str(d) for d in (spec.get("dimensions") or []) if isinstance(d, str)])
    return out


def _quantities_hint(system: units.UnitSystem, measures_path: Path) -> str:
    if system.base:
        return f"the quantities of {measures_path} are {', '.join(system.base)}"
    return f"{measures_path} declares no quantities (give it `quantities:`, each with its units)"


def _load_measures(path: Path, problems: ProblemCollector
                   ) -> tuple[units.UnitSystem, dict[str, units.Dim], dict[str, str | None], dict]:
    """The pack's units (measures.yaml `quantities`), its measures with their dimensions and base
    units, and the file itself (for its claim keys)."""
    from .figures.vocabulary import quantities_and_units

    if not path.exists():
        return units.UnitSystem(), {}, {}, {}
    try:
        data = load_yaml(path, kind="measures")
    except AuditInputError as exc:
        problems.problems.extend(exc.problems)
        return units.UnitSystem(), {}, {}, {}
    system = units.UnitSystem()
    if isinstance(data, dict) and data.get("quantities") is not None:
        system = units.UnitSystem.from_quantities(*quantities_and_units(data["quantities"], str(path), problems))
    dims, unit_of = {}, {}
    measures = (data.get("measures") or {}) if isinstance(data, dict) else None
    if not isinstance(measures, dict):
        problems.add(path, "measures.yaml holds a mapping of measures under 'measures'", _line(data, "measures") or 1,
                     field="measures")
        return system, {}, {}, {}
    for name, spec in measures.items():
        dim = spec.get("dimension") if isinstance(spec, dict) else None
        if dim not in system.base:
            problems.add(path, f"measure '{name}' needs a dimension: {_quantities_hint(system, path)}",
                         spec.pos()[0] if isinstance(spec, Node) else _line(measures, name), field=name,
                         hint=choices_hint("quantities", system.base, str(dim)) if dim is not None and system.base else None)
            continue
        dims[name] = system.quantity_dim(dim)
        unit_of[name] = None if dim in system.numbers else system.base[dim]  # counts are shown without one
    return system, dims, unit_of, data


def claim_dimensions(contracts: dict[str, TableContract], declared: dict, path: Path,
                     problems: ProblemCollector) -> tuple[list[str], str | None]:
    """The dimensions a claim of this profile may be narrowed by, and its period: as measures.yaml
    declares them (`claim_dimensions`, `claim_period`), each a column or table-wide dimension of the
    contracts; by default every such name that is not a measured quantity (a column with a
    `dimension`), the period being the one the contracts type `year`."""
    names: dict[str, str | None] = {}  # every column and table-wide dimension: its type
    for t in contracts.values():
        for d in t.dimensions:
            names.setdefault(d, None)
        for c in t.columns.values():
            if c.dimension is None and (names.get(c.name) is None):
                names[c.name] = c.type
    for key in (*CLAIM_KEYS, "value__err"):  # a claim's own keys (and columns of __claims) narrow nothing
        names.pop(key, None)
    given = declared.get("claim_dimensions") if isinstance(declared, dict) else None
    if given is None:
        dims = list(names)
    else:
        dims = []
        for i, d in enumerate(given):
            if str(d) not in names:
                problems.add(path, f"claim dimension '{d}' is no column or dimension of the contracts",
                             item_line(given, i) or _line(declared, "claim_dimensions"), field="claim_dimensions",
                             hint=choices_hint("columns and dimensions", names, str(d)))
            else:
                dims.append(str(d))
    period = declared.get("claim_period") if isinstance(declared, dict) else None
    if period is None:
        years = [d for d in dims if names.get(d) == "year"]
        return dims, years[0] if len(years) == 1 else None
    if str(period) not in dims:
        problems.add(path, f"claim period '{period}' is not one of the claim dimensions", _line(declared, "claim_period"),
                     field="claim_period", hint=choices_hint("claim dimensions", dims, str(period)))
        return dims, None
    return dims, str(period)
