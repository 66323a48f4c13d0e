"""The explicit registries are complete: every kind module and every reporter module is listed,
and every kind documents itself and its parameters."""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import audit.kinds
import audit.reporters
from audit.kinds import KINDS
from audit.kinds.base import Kind
from audit.reporters import REPORTERS


def test_every_kind_module_is_registered():
    found = set()
    for mod in pkgutil.iter_modules(audit.kinds.__path__):
        if mod.name == "base":
            continue
        module = importlib.import_module(f"audit.kinds.{mod.name}")
        kinds = [c for _, c in inspect.getmembers(module, inspect.isclass)
                 if issubclass(c, Kind) and c is not Kind and c.__module__ == module.__name__]
        assert kinds, f"audit/kinds/{mod.name}.py defines no kind"
        found.update(k.name for k in kinds)
    assert found == set(KINDS)


def test_every_kind_is_documented():
    for name, kind in KINDS.items():
        doc = inspect.getdoc(inspect.getmodule(kind))
        assert doc and f"Kind `{name}`" in doc and "Example" in doc
        for f in dataclasses.fields(kind.Params):
            assert f.metadata.get("doc"), f"{name}.{f.name} has no doc"


def test_every_reporter_module_is_registered():
    modules = {m.name for m in pkgutil.iter_modules(audit.reporters.__path__)}
    assert {f.__module__.rsplit(".", 1)[1] for f in REPORTERS.values()} == modules
