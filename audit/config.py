"""Configuration of `audit check` in `audit.toml` or `pyproject.toml` (`[tool.audit]`).

Found like ruff finds its own: from the working directory upwards, the first folder holding an
`audit.toml`, or a `pyproject.toml` with a `[tool.audit]` table, gives the configuration (an
`audit.toml` is a table of keys at its top level, or under `[tool.audit]`). Options on the command
line override it. Paths in the file are relative to the folder of the file.

An unknown key, or a value of the wrong type, is an error at file:line with the keys it could
have meant (exit 2): a misspelt `fail_on` silently ignored would turn a failing CI run green.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AuditInputError, Problem, did_you_mean
from .schemas import CONFIG

CONFIG_FILES = ("audit.toml", "pyproject.toml")

# key: (type, help). Names are the long options of `audit check`, as in ruff's configuration.
KEYS: dict[str, tuple[type, str]] = {  # as declared in audit.schemas.CONFIG (the one declaration)
    key: (list if spec["type"] == "array" else str, spec["description"]) for key, spec in CONFIG["properties"].items()}
PATH_KEYS = ("rules", "baseline")
FORMATS = ("github", "json", "junit", "markdown", "sarif", "text")  # audit.reporters.REPORTERS (a test checks)
CHOICES = {"fail-on": ("error", "warning", "info", "never"), "engine": ("duckdb", "spark"), "format": FORMATS}


@dataclass
class Config:
    file: str | None = None
    values: dict = field(default_factory=dict)


def find_config(start: Path | None = None) -> Path | None:
    """The configuration file that applies in `start` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_FILES:
            path = folder / name
            if not path.is_file():
                continue
            if name == "audit.toml" or _has_tool_audit(path):
                return path
    return None


def _has_tool_audit(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*audit\s*[\].]", text, re.M) is not None


def _line_of(text: str, key: str, table: str | None) -> int | None:
    """The line of `key` in `table` (None: the top level) of a TOML text; tomllib gives no lines."""
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        head = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if head:
            current = re.sub(r"\s+", "", head.group(1))
            continue
        m = re.match(r'^\s*("?)([A-Za-z0-9_.-]+)\1\s*=', line)
        if m and current == table and m.group(2) == key:
            return n
    return None


def load_config(path: Path | None) -> Config:
    """Read and check a configuration file (None: no configuration)."""
    if path is None:
        return Config()
    import tomllib

    shown = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditInputError(Problem(shown, f"cannot read the configuration: {exc}")) from None
    except tomllib.TOMLDecodeError as exc:
        raise AuditInputError(Problem(shown, f"not valid TOML: {exc}")) from None
    table_name = "tool.audit"
    table = doc.get("tool", {}).get("audit") if isinstance(doc.get("tool"), dict) else None
    if table is None and path.name == "audit.toml":
        table, table_name = {k: v for k, v in doc.items() if k != "tool"}, None
    if not isinstance(table, dict):
        raise AuditInputError(Problem(shown, "[tool.audit] must be a table"))
    problems = []
    values: dict = {}
    for key, value in table.items():
        line = _line_of(text, key, table_name)
        if key not in KEYS:
            hint = did_you_mean(key, KEYS) or f"keys: {', '.join(KEYS)}"
            problems.append(Problem(shown, f"unknown configuration key '{key}'", line, hint=hint))
            continue
        kind = KEYS[key][0]
        if kind is list and isinstance(value, str):
            value = [value]
        if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
            what = "a list of strings" if kind is list else "a string"
            problems.append(Problem(shown, f"'{key}' must be {what}", line))
            continue
        if key in CHOICES and value not in CHOICES[key]:
            problems.append(Problem(shown, f"'{key}' must be one of {', '.join(CHOICES[key])}, not '{value}'",
                                    line, hint=did_you_mean(value, CHOICES[key])))
            continue
        if key in PATH_KEYS:
            value = _from(path.parent, value)
        elif key == "paths":
            value = [_from(path.parent, v) for v in value]
        values[key] = value
    if problems:
        raise AuditInputError(problems)
    return Config(shown, values)


def _from(folder: Path, value: str) -> str:
    """A path of the configuration file, as a path from the working directory (relative if it can be)."""
    p = Path(value)
    if not p.is_absolute():
        p = folder / p
    try:
        return os.path.relpath(p)
    except ValueError:  # another drive (Windows)
        return str(p)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
