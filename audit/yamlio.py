"""Safe YAML loading that remembers where every value was written.

Mappings load as `Node` dicts that know the line and column of each key and value, so that a
rule or descriptor error can point at `file:line:col`. Numbers keep the text they were written
with (`4.10` stays `4.10`), because the printed precision of a figure is data.

Every YAML file is hostile until read: the document is built from libyaml's events in one loop
(no recursion), within the limits of `audit.inputs`: the file's size, nesting depth, the number
of values, and what aliases may add. An alias (`*name`) stands for a copy of the value its anchor
(`&name`) marks, so nine levels of ten aliases each stand for a billion values; aliases are
allowed (no bundled file uses one), but together they may add at most `MAX_ALIAS_VALUES` values,
and each error names the file, line and column of the alias, value or collection that passes a
limit. Merge keys (`<<: *base`) are read as YAML defines them: the keys the mapping gives itself
win, then those of the first mapping merged. Only the safe scalar tags are read (strings, numbers,
booleans, null, timestamps and binary); `!!set`, `!!omap`, `!!pairs` and every other tag are an
error at their position.
"""
from __future__ import annotations

import datetime
import gc
import math
import re
from pathlib import Path

import yaml

from .errors import AuditInputError, Problem
from .inputs import MAX_ALIAS_VALUES, MAX_DEPTH, MAX_VALUES, read_text, too_deep, too_many


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


class Refused(Exception):
    """A YAML text refused at a mark (0-based line and column): a limit passed, a duplicate key, a bad alias."""

    def __init__(self, message: str, mark):
        super().__init__(message)
        self.message, self.mark = message, mark


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _MERGE = _TAG + "str", _TAG + "int", _TAG + "float", _TAG + "merge"
_MAP, _SEQ = _TAG + "map", _TAG + "seq"
_OTHER_SCALARS = {_TAG + name for name in ("null", "bool", "timestamp", "binary")}
# The first characters of plain scalars that resolve() may give a tag other than str (the safe
# resolver has no resolvers for any first character, which would be listed under None).
_RESOLVED_FIRST = set(_Loader.yaml_implicit_resolvers) | {""}
assert None not in _RESOLVED_FIRST


def _number(loader: _Loader, event: yaml.ScalarEvent, tag: str) -> Number:
    text = event.value
    if text.isdigit() and (text[0] != "0" or text == "0"):  # a decimal integer (not octal): no node needed
        number = Number(int(text))
    elif tag == _FLOAT and _PLAIN_FLOAT.match(text):  # digits, a point, maybe an exponent: float() reads it so
        number = Number(float(text))
    else:
        node = yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style)
        number = Number(float(loader.construct_yaml_float(node)) if tag == _FLOAT else float(
            loader.construct_yaml_int(node)))
    number.text = text.replace("_", "")
    return number


_PLAIN_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?\Z")


# What resolve() answers for a plain scalar's text (it depends on the text alone: the safe resolver
# has no path resolvers), remembered for short texts (a corpus writes the same keys, numbers and
# words in every file); bounded, so that a hostile file cannot grow it.
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX, _RESOLVED_TEXT = 50_000, 40


def _resolve(loader: _Loader, event: yaml.ScalarEvent) -> str:
    value = event.value
    tag = _RESOLVED.get(value)
    if tag is None:
        tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
        if len(value) <= _RESOLVED_TEXT and len(_RESOLVED) < _RESOLVED_MAX:
            _RESOLVED[value] = tag
    return tag


def _scalar(loader: _Loader, event: yaml.ScalarEvent):
    """The value of a scalar, and its tag (a merge key `<<` is returned as its tag)."""
    tag = event.tag
    if tag is None and not (event.implicit[0] and event.value[:1] in _RESOLVED_FIRST):
        tag = _STR  # what resolve() answers, without its lookups: quoted, or no implicit tag starts so
    elif tag is None or tag == "!":
        tag = _resolve(loader, event) if event.implicit[0] else loader.resolve(yaml.ScalarNode, event.value,
                                                                                event.implicit)
    if tag == _STR:
        text = Text(event.value)
        text.line, text.column = event.start_mark.line + 1, event.start_mark.column + 1
        text.style = event.style or ""
        return text, tag
    if tag == _MERGE:
        return None, tag
    try:
        if tag in (_INT, _FLOAT):
            return _number(loader, event, tag), tag
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        if tag in _OTHER_SCALARS:
            return loader.yaml_constructors[tag](loader, node), tag
    except (ValueError, OverflowError) as exc:  # a date that does not exist, an integer of 5,000 digits
        raise yaml.constructor.ConstructorError(None, None, f"cannot read the value '{event.value[:40]}': {exc}",
                                                event.start_mark) from None
    raise yaml.constructor.ConstructorError(None, None, f"could not determine a constructor for the tag {tag!r}",
                                            event.start_mark)


class _Open:
    """A mapping or list being built, with the number of values it holds so far (itself included)."""

    __slots__ = ("value", "anchor", "key", "key_pos", "key_mark", "merges", "size", "seq")

    def __init__(self, value, anchor: str | None):
        self.value, self.anchor, self.key, self.merges, self.size = value, anchor, _NO_KEY, [], 1
        self.seq = isinstance(value, Seq)

    def add(self, value, pos: tuple[int, int, str], tag: str | None, mark) -> None:
        """Add a finished value: a list's next item, a mapping's next key or the value of its key."""
        if tag == _MERGE and (isinstance(self.value, Seq) or self.key is not _NO_KEY):
            raise yaml.constructor.ConstructorError(None, None, "'<<' is a merge key: it only stands before a "
                                                    "mapping's value; quote it to write the text", mark)
        if isinstance(self.value, Seq):
            self.value.append(value)
            self.value.item_positions.append(pos[:2])
        elif self.key is _NO_KEY:
            self.key = _MERGE_KEY if tag == _MERGE else (value if isinstance(value, str) else str(value))
            self.key_pos = pos[:2]
            self.key_mark = mark
        else:
            key, self.key = self.key, _NO_KEY
            if key is _MERGE_KEY:
                self.merges.append((value, mark))
                return
            node = self.value
            key = str(key)
            if key in node:
                raise Refused(f"duplicate key '{key}'", self.key_mark)
            node[key] = value
            node.positions[key] = self.key_pos
            node.value_positions[key] = pos

    def finish(self):
        """The finished value: a mapping with its merge keys (`<<: *base`) applied."""
        if not self.merges:
            return self.value
        merged = _node(self.value.file, self.value.line, self.value.column)
        for value, mark in self.merges:
            for source in (value if isinstance(value, Seq) else [value]):
                if not isinstance(source, Node):
                    raise yaml.constructor.ConstructorError(
                        None, None, "a merge key (<<) takes a mapping or a list of mappings", mark)
                for key in source:
                    if key not in merged and key not in self.value:
                        merged[key] = source[key]
                        merged.positions[key] = source.positions[key]
                        merged.value_positions[key] = source.value_positions[key]
        merged.update(self.value)
        merged.positions.update(self.value.positions)
        merged.value_positions.update(self.value.value_positions)
        return merged


_NO_KEY, _MERGE_KEY, _OPEN_ANCHOR = object(), object(), object()


def _node(file: str, line: int, column: int) -> Node:
    node = Node()
    node.file, node.line, node.column = file, line, column
    node.positions, node.value_positions = {}, {}
    return node


def _start(event, name: str):
    """The empty Node or Seq a MappingStartEvent or SequenceStartEvent opens."""
    mapping = isinstance(event, yaml.MappingStartEvent)
    if event.tag not in (None, "!", _MAP if mapping else _SEQ):
        raise yaml.constructor.ConstructorError(None, None, f"could not determine a constructor for the tag "
                                                f"{event.tag!r}", event.start_mark)
    line, column = event.start_mark.line + 1, event.start_mark.column + 1
    if mapping:
        return _node(name, line, column)
    seq = Seq()
    seq.file, seq.line, seq.column, seq.item_positions = name, line, column, []
    return seq


def _build(loader: _Loader, name: str):
    """The single document of the stream, built from its events in one loop, within the limits."""
    loader.get_event()  # StreamStartEvent
    if loader.check_event(yaml.StreamEndEvent):
        return None
    first = loader.get_event()  # DocumentStartEvent
    stack: list[_Open] = []
    anchors: dict[str, tuple] = {}  # anchor -> (value, (line, column, style), tag, values it holds)
    values = aliased = 0
    while True:
        event = loader.get_event()
        kind = type(event)
        mark = event.start_mark
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if len(stack) >= MAX_DEPTH:
                raise Refused(too_deep(), mark)
            values += 1
            stack.append(_Open(_start(event, name), event.anchor))
            if event.anchor is not None:
                anchors[event.anchor] = _OPEN_ANCHOR
            continue
        if kind is yaml.ScalarEvent:
            line, column, style = mark.line + 1, mark.column + 1, event.style or ""
            if event.tag is None and not (event.implicit[0] and event.value[:1] in _RESOLVED_FIRST):
                value = Text(event.value)  # quoted, or plain and no other tag starts so: what _scalar gives
                value.line, value.column, value.style = line, column, style
                tag = _STR
            else:
                value, tag = _scalar(loader, event)
            pos, size = (line, column, style), 1
            values += 1
            if event.anchor is not None:
                anchors[event.anchor] = (value, pos, tag, 1)
        elif kind is yaml.AliasEvent:
            target = anchors.get(event.anchor)
            if target is None or target is _OPEN_ANCHOR:
                what = "refers to a value that holds it" if target else "has no anchor before it"
                raise Refused(f"the alias *{event.anchor} {what}", mark)
            value, pos, tag, size = target
            aliased += size
            values += size
            if aliased > MAX_ALIAS_VALUES:
                raise Refused(f"aliases add more than {MAX_ALIAS_VALUES:,} values by here (*{event.anchor} "
                                 f"stands for {size:,}), the most an input file's aliases may add", mark)
        else:  # MappingEndEvent, SequenceEndEvent
            done = stack.pop()
            value, size, tag = done.finish(), done.size, None
            pos = (value.line, value.column, "")
            if done.anchor is not None:
                anchors[done.anchor] = (value, pos, tag, size)
        if values > MAX_VALUES:
            raise Refused(too_many(), mark)
        if not stack:
            break
        top = stack[-1]
        top.size += size
        # what _Open.add does, written out for the two common cases (a list's item, a mapping's key)
        if tag == _MERGE:
            top.add(value, pos, tag, mark)
        elif top.seq:
            top.value.append(value)
            top.value.item_positions.append(pos[:2])
        elif top.key is _NO_KEY:
            top.key = value if isinstance(value, str) else str(value)
            top.key_pos = pos[:2]
            top.key_mark = mark
        elif top.key is not _MERGE_KEY and (key := str(top.key)) not in top.value:  # a key's value
            top.key = _NO_KEY
            node = top.value
            node[key] = value
            node.positions[key] = top.key_pos
            node.value_positions[key] = pos
        else:  # the value of a merge key, or of a key written twice (refused)
            top.add(value, pos, tag, mark)
    loader.get_event()  # DocumentEndEvent
    if not loader.check_event(yaml.StreamEndEvent):
        raise yaml.composer.ComposerError("expected a single document in the stream", first.start_mark,
                                          "but found another document", loader.get_event().start_mark)
    return value


def what_it_is(value) -> str:
    """A value from YAML as a message names what was written where something else belongs."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a date" if hasattr(value, "isoformat") else type(value).__name__


def holds(value, kind: str) -> bool:
    """Whether a value from YAML is of `kind`, in the words a loader's table of keys uses:
    "text" (a number written there reads as its text), "a number" (finite), "true/false",
    "a list of text" or "a date (YYYY-MM-DD)" (a date, or text to read as one)."""
    if isinstance(value, bool):
        return kind == "true/false"
    if kind == "a number":
        return isinstance(value, Number) and math.isfinite(value)
    if kind == "a list of text":
        return isinstance(value, list) and all(holds(x, "text") for x in value)
    if kind == "a date (YYYY-MM-DD)":
        return isinstance(value, (datetime.date, str))
    return kind == "text" and isinstance(value, (str, Number))


def load_yaml(path: Path, display: str | None = None, kind: str | None = None):
    """Load a YAML file safely, within the limits of `audit.inputs`; syntax errors and limits passed
    become an `AuditInputError` at file:line:col. With `kind` (a file kind of `audit.schemas`), the
    document must also follow that kind's declaration: each place it does not is a problem."""
    data = _load(path, display or str(path))
    if kind is not None:
        from .schemas import require
        require(kind, data, display or str(path))
    return data


def _load(path: Path, name: str):
    text = read_text(path, name)
    loader = _Loader(text)
    loader.name = name
    collecting = gc.isenabled()
    gc.disable()  # the values built hold no cycles; collecting while building them doubles the time
    try:
        return _build(loader, name)
    except Refused as exc:
        raise AuditInputError(_problem(name, text, exc.message, exc.mark)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise AuditInputError(_problem(name, text, f"invalid YAML: {exc.problem or exc.context}", mark)) from None
    except yaml.YAMLError as exc:
        raise AuditInputError(Problem(name, f"invalid YAML: {exc}")) from None
    finally:
        if collecting:
            gc.enable()
        loader.dispose()


def _problem(name: str, text: str, message: str, mark) -> Problem:
    """A problem at a mark of the text, its line quoted (Problem.render shows a window of it
    around the mark)."""
    if mark is None:
        return Problem(name, message)
    lines = text.splitlines()
    excerpt = lines[mark.line] if mark.line < len(lines) else None
    return Problem(name, message, mark.line + 1, mark.column + 1, excerpt=excerpt, caret=mark.column)
