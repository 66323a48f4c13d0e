"""A consistency auditing engine for reported data.

`audit.check(path, ...)` audits datasets from Python, files or DataFrames (see `audit.api`); the command line is
`audit` (see `audit.cli`). Heavy modules load only when used.
"""
__version__ = "0.1.0"

__all__ = ["check", "contract_schemas", "AuditResult", "__version__"]


def __getattr__(name):
    if name in ("check", "contract_schemas", "AuditResult"):
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'audit' has no attribute {name!r}")
