"""The install: a wheel built offline carries the rule packs, and an install that is not a checkout
(here `pip install --target`, which is neither sys.prefix nor the checkout, as a `--user` install
is not) finds them; the default install lacks the extras, and each command that needs one says
which to install."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from audit.cli import main

from .conftest import ROOT

SOURCES = ["audit", "rules", "setup.py", "pyproject.toml", "README.md"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the checkout gets no build/ folder), offline."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "--no-index", "-w", str(out), str(src)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    [whl] = out.glob("*.whl")
    return whl


@pytest.fixture(scope="module")
def target(wheel, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target",
                           str(site), str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return site


def test_the_distribution_is_not_named_audit(wheel):
    assert wheel.name.startswith("figure_audit-")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    with zipfile.ZipFile(wheel) as z:
        assert "Name: figure-audit" in z.read(meta).decode()
    assert "audit/cli.py" in names


def test_the_wheel_carries_every_rule_pack(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    for f in sorted((ROOT / "rules").glob("*/*.yaml")):
        assert f"audit/_rules/{f.parent.name}/{f.name}" in names
    assert not any(n.startswith(("share/", "figure_audit-0.1.0.data/")) for n in names)


def _installed(target: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m audit` from the installed copy, run outside the checkout (the venv's
    dependencies stay importable; the installed `audit` comes first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run([sys.executable, "-m", "audit", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_an_install_outside_the_checkout_finds_its_packs(target, tmp_path):
    out = _installed(target, "rules", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    for pack in ("mine-action", "mine-action-figures", "election-results"):
        assert pack in text
    assert str(ROOT / "rules") not in out.stdout.replace("\n", "")
    where = subprocess.run([sys.executable, "-c", "import audit.pack as p; print(p.default_rules_dirs())"],
                           cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(target)}, capture_output=True,
                           text=True)
    assert where.stdout.strip() == str([target / "audit" / "_rules"])


def test_an_install_outside_the_checkout_audits(target, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", data / "azerbaijan-2019")
    shutil.copytree(ROOT / "datasets" / "figures" / "azerbaijan-2019", data / "figures-azerbaijan-2019")
    out = _installed(target, "check", "data", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    runs = json.loads(out.stdout)["runs"]
    assert len(runs) == 2 and all(r["findings"] for r in runs)
    # the packs of the install are named as on every machine, not by the folder they were installed in
    assert str(target) not in out.stdout
    assert all(r["pack"].startswith("<audit>/rules/mine-action") for r in runs), [r["pack"] for r in runs]


@pytest.mark.parametrize("argv, missing, extra", [
    (["explain", "datasets/azerbaijan-2019"], "scipy.optimize", "explain"),
    (["lint", "rules/mine-action"], "scipy.optimize", "explain"),
    (["export", "datasets/azerbaijan-2019", "-o", "{tmp}/findings.csv"], "pandas", "pandas"),
    (["check", "datasets/azerbaijan-2019", "--engine", "spark"], "pyspark", "spark"),
])
def test_a_missing_extra_is_one_line_and_exit_2(argv, missing, extra, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(sys.modules, missing, None)  # `import <missing>` raises ImportError
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"which is not installed: pip install 'figure-audit[{extra}]'" in err
    assert f"audit {argv[0]}" in err


def test_figures_reach_duckdb_the_same_without_numpy(monkeypatch, capsys):
    """Without NumPy (the default install) the figure store binds lists: the same run."""
    monkeypatch.chdir(ROOT)
    paths = ["datasets/figures", "datasets/corpus/croatia"]

    def run() -> list:
        assert main(["check", *paths, "--format", "json", "--fail-on", "never"]) == 0
        doc = json.loads(capsys.readouterr().out)
        return [{"findings": r["findings"], "rules": [{k: v for k, v in rule.items() if k != "seconds"}
                                                      for rule in r["rules"]]} for r in doc["runs"]]

    with_numpy = run()
    monkeypatch.setitem(sys.modules, "numpy", None)
    without = run()
    assert without == with_numpy


def test_import_audit_loads_nothing_heavy():
    code = "import sys, audit; print(sorted(m for m in ('duckdb', 'numpy', 'pandas', 'scipy', 'lark', 'rich') " \
           "if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr
