"""Packs of rules over figures: a folder with `pack.yaml`, the profile's `vocabulary.yaml`, and
rule files. Rules name measures and dimensions of the vocabulary, never a table or a column, so
one pack works for every table layout, country and edition of its profile.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..dataset import _relative
from ..errors import AuditInputError, Problem, ProblemCollector
from ..kinds.base import SEVERITY_LEVELS, Rule, placeholders, validate_params
from ..pack import load_rules
from ..yamlio import Node, load_yaml
from .kinds import KINDS, FigureKind
from .vocabulary import Vocabulary, load_vocabulary

PACK_FILE = "pack.yaml"
VOCABULARY_FILE = "vocabulary.yaml"
MIGRATE_FILE = "migrate.yaml"  # how datasets of an older pack become this pack's (audit/migrate.py): not rules


@dataclass
class FigurePack:
    root: Path
    profile: str
    title: str
    vocabulary: Vocabulary
    rules: list[FigureKind]


def is_figure_pack(folder: str | Path) -> bool:
    return (Path(folder) / VOCABULARY_FILE).is_file()


def load_figure_pack(folder: str | Path) -> FigurePack:
    folder = _relative(Path(folder))
    meta = load_yaml(folder / PACK_FILE)
    if not isinstance(meta, dict) or not meta.get("profile"):
        raise AuditInputError(Problem(str(folder / PACK_FILE), "pack.yaml must give the 'profile' the pack is for", 1))
    vocab = load_vocabulary(folder / VOCABULARY_FILE)
    problems = ProblemCollector()
    rules = load_rules(folder, (PACK_FILE, VOCABULARY_FILE, MIGRATE_FILE), lambda node, file: _load_rule(node, file, vocab, problems),
                       problems)
    problems.raise_if_any()
    return FigurePack(folder, str(meta["profile"]), str(meta.get("title", meta["profile"])), vocab, rules)


def _load_rule(node, file: str, vocab: Vocabulary, problems: ProblemCollector) -> FigureKind | None:
    if not isinstance(node, Node):
        problems.add(file, "each rule must be a mapping", getattr(node, "line", None))
        return None
    missing = [k for k in ("id", "title", "kind", "message") if not node.get(k)]
    for key in missing:
        problems.add(file, f"a rule needs '{key}'", node.line, node.column, field=key)
    if missing:
        return None
    rid = str(node["id"])
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,99}", rid):
        problems.add(file, f"rule id '{rid[:100]}' must be lower case letters, digits and -", *node.pos("id"), field="id")
        return None
    severity = str(node.get("severity", "error"))
    if severity not in SEVERITY_LEVELS:
        problems.add(file, f"unknown severity '{severity}' (one of {', '.join(SEVERITY_LEVELS)})", *node.pos("severity"),
                     field="severity")
        return None
    kind_name = str(node["kind"])
    if kind_name not in KINDS:
        problems.add(file, f"unknown rule kind '{kind_name}'", *node.pos("kind"), field="kind",
                     hint=f"kinds over figures: {', '.join(KINDS)}")
        return None
    cls = KINDS[kind_name]
    params, _exprs, errs = validate_params(cls, node, file)
    if errs:
        problems.problems.extend(errs)
        return None
    rule = Rule(id=rid, title=str(node["title"]), severity=severity, kind=kind_name, message=str(node["message"]),
                rationale=str(node.get("rationale", "")), hint=node.get("hint"), params=params, file=file,
                line=node.line, node=node)
    for name in placeholders(rule.message) + placeholders(str(rule.hint or "")):
        if name not in cls.placeholders:
            problems.add(file, f"the message names '{{{name}}}', which kind '{kind_name}' does not provide",
                         *node.pos("message"), field="message", hint=f"available: {', '.join(cls.placeholders)}")
    kind = cls(rule)
    for p in kind.check(vocab):
        p.line = node.pos(p.field)[0] if p.field and p.field in node else p.line
        problems.problems.append(p)
    return kind
