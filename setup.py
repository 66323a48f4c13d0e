"""The rule packs live in the repository's top-level `rules/` and ship inside the wheel as the
package data of `audit._rules`, so that every install finds them beside the code (a venv,
`pip install --user`, a system install, a wheel): setuptools maps that package onto `rules/`.
Everything else is declared in pyproject.toml."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["audit", "audit.*"]) + ["audit._rules"],
    package_dir={"audit._rules": "rules"},
    package_data={"audit": ["expr/grammar.lark", "schema/*.json"], "audit._rules": ["*/*.yaml"]},
)
