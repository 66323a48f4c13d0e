"""The optional parts of the install, and the one message a command gives when one is missing.

The default install carries what `audit check` imports (DuckDB, orjson, PyYAML, Lark, Rich);
the rest are extras of the distribution (`pyproject.toml`, the README's "Dependencies"): a
command that needs one it lacks stops with exit code 2 and one line saying what to install.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from .errors import AuditInputError, Problem

DISTRIBUTION = "figure-audit"

# the extra that brings each optional top-level module
EXTRAS = {
    "scipy": "explain",
    "numpy": "numpy",
    "pandas": "pandas",
    "pandera": "pandera",
    "polars": "polars",
    "pyspark": "spark",
    "sqlglot": "spark",
    "adbc_driver_sqlite": "sqlite",
    "adbc_driver_postgresql": "postgres",
    "defusedxml": "ods",
}


def need(module: str, purpose: str, extra: str | None = None) -> ModuleType:
    """`module` imported, or AuditInputError naming the extra that brings it (`purpose`: what
    needs it, e.g. "audit explain")."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.partition(".")[0]
        if (exc.name or top).partition(".")[0] != top:
            raise  # the module is there but one of its own dependencies is broken: not ours to explain
        extra = extra or EXTRAS[top]
        raise AuditInputError(Problem(purpose, f"needs {top}, which is not installed: "
                                      f"pip install '{DISTRIBUTION}[{extra}]'")) from None
