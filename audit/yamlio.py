"""Safe YAML loading that remembers where every value was written.

Mappings load as `Node` dicts that know the line and column of each key and value, so that a
rule or descriptor error can point at `file:line:col`. Numbers keep the text they were written
with (`4.10` stays `4.10`), because the printed precision of a figure is data.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import AuditInputError, Problem
from .inputs import read_text


class Node(dict):
    """A mapping from YAML with the position of each key (1-based line and column)."""

    file: str = "?"
    line: int = 0
    column: int = 0

    def pos(self, key: str | None = None) -> tuple[int, int]:
        if key is not None and key in self.positions:
            return self.positions[key]
        return (self.line, self.column)

    def value_pos(self, key: str) -> tuple[int, int, str]:
        """Line, column and scalar style of a key's value."""
        return self.value_positions.get(key, (*self.pos(key), ""))


class Seq(list):
    file: str = "?"
    line: int = 0
    column: int = 0
    item_positions: list[tuple[int, int]]


class Text(str):
    """A string scalar that knows where it was written."""

    line: int = 0
    column: int = 0
    style: str = ""


class Number(float):
    """A numeric scalar that keeps its written text (for printed precision)."""

    text: str = ""

    @property
    def is_integer_text(self) -> bool:
        return "." not in self.text and "e" not in self.text.lower()


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    result = Node()
    result.file = loader.name
    result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
    result.positions = {}
    result.value_positions = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise AuditInputError(Problem(loader.name, f"duplicate key '{key}'",
                                          key_node.start_mark.line + 1, key_node.start_mark.column + 1))
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.positions[str(key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        style = getattr(value_node, "style", None) or ""
        result.value_positions[str(key)] = (value_node.start_mark.line + 1,
                                            value_node.start_mark.column + 1, style)
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> Seq:
    result = Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.file = loader.name
    result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
    result.item_positions = [(c.start_mark.line + 1, c.start_mark.column + 1) for c in node.value]
    return result


def _number(loader: _Loader, node: yaml.ScalarNode) -> Number | int:
    value = float(loader.construct_yaml_float(node)) if node.tag.endswith("float") else float(
        loader.construct_yaml_int(node))
    number = Number(value)
    number.text = node.value.replace("_", "")
    return number


def _string(loader: _Loader, node: yaml.ScalarNode) -> Text:
    text = Text(loader.construct_scalar(node))
    text.line, text.column = node.start_mark.line + 1, node.start_mark.column + 1
    text.style = node.style or ""
    return text


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor("tag:yaml.org,2002:float", _number)
_Loader.add_constructor("tag:yaml.org,2002:int", _number)
_Loader.add_constructor("tag:yaml.org,2002:str", _string)


def load_yaml(path: Path, display: str | None = None):
    """Load a YAML file safely; syntax errors become an `AuditInputError` at file:line:col."""
    name = display or str(path)
    text = read_text(path, name)
    loader = _Loader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        excerpt = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else None
        raise AuditInputError(Problem(name, f"invalid YAML: {exc.problem or exc.context}", line, col,
                                      excerpt=excerpt, caret=(col - 1) if col else None)) from None
    except yaml.YAMLError as exc:
        raise AuditInputError(Problem(name, f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()
