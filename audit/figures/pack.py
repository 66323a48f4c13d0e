"""Packs of rules over figures: a folder with `pack.yaml`, the profile's `vocabulary.yaml`, and
rule files. Rules name measures and dimensions of the vocabulary, never a table or a column, so
one pack works for every table layout, country and edition of its profile.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..dataset import _relative
from ..errors import AuditInputError, Problem, ProblemCollector
from ..pack import load_rules, read_rule
from ..yamlio import load_yaml
from .kinds import KINDS, FigureKind
from .model import Figure
from .reference import REFERENCE_FILE, load_reference
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
    reference: list[Figure] = field(default_factory=list)  # the facts of reference.yaml, with their sources


def is_figure_pack(folder: str | Path) -> bool:
    return (Path(folder) / VOCABULARY_FILE).is_file()


def load_figure_pack(folder: str | Path) -> FigurePack:
    folder = _relative(Path(folder))
    meta = load_yaml(folder / PACK_FILE, kind="pack")
    if not isinstance(meta, dict) or not meta.get("profile"):
        raise AuditInputError(Problem(str(folder / PACK_FILE), "pack.yaml must give the 'profile' the pack is for", 1))
    vocab = load_vocabulary(folder / VOCABULARY_FILE)
    problems = ProblemCollector()
    rules = load_rules(folder, (PACK_FILE, VOCABULARY_FILE, MIGRATE_FILE, REFERENCE_FILE),
                       lambda node, file: _load_rule(node, file, vocab, problems), problems)
    reference = load_reference(folder / REFERENCE_FILE, vocab, problems)
    problems.raise_if_any()
    return FigurePack(folder, str(meta["profile"]), str(meta.get("title", meta["profile"])), vocab, rules, reference)


def _load_rule(node, file: str, vocab: Vocabulary, problems: ProblemCollector) -> FigureKind | None:
    made = read_rule(node, file, KINDS, problems, kinds_label="kinds over figures")
    if made is None:
        return None
    cls, rule = made
    kind = cls(rule)
    for p in kind.check(vocab):
        p.line = node.pos(p.field)[0] if p.field and p.field in node else p.line
        problems.problems.append(p)
    return kind
