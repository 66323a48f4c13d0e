"""Special files never block or flood an audit: a named pipe, a device or a folder where an input
file should be is refused by name (exit 2), and so is a file above its size limit, before a byte of
it is read. The parser cache is skipped, never waited on."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit.inputs import MAX_TABLE_BYTES, MAX_TEXT_BYTES

from .limits_support import GiB, refused, run_cli  # noqa: F401

CSV = "table3-mine-clearance-2018.csv"
FIFO = "is a named pipe (FIFO), not a regular file"


def fifo(path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


@pytest.mark.parametrize("name", ["datapackage.yaml", "claims.yaml", CSV])
def test_a_named_pipe_in_a_dataset_is_refused(dataset, name):
    fifo(dataset / name)
    err = refused(run_cli("check", str(dataset)))
    assert f"{dataset / name}: cannot read file: it {FIFO}" in err or f"'{name}' {FIFO}" in err


@pytest.mark.parametrize("name", ["totals.yaml", "a-new-rule-file.yaml", "contracts.yaml", "measures.yaml",
                                  "pack.yaml"])
def test_a_named_pipe_in_a_rule_pack_is_refused(dataset, pack, name):
    fifo(pack / name)
    err = refused(run_cli("check", str(dataset), "--rules", str(pack)))
    assert f"{pack / name}: cannot read file: it {FIFO}" in err


def test_a_rule_file_linked_to_a_device_is_refused(dataset, pack):
    """/dev/zero never ends: read in full, it fills memory (capped here at 1 GiB)."""
    (pack / "zeros.yaml").symlink_to("/dev/zero")
    err = refused(run_cli("check", str(dataset), "--rules", str(pack), memory=GiB))
    assert f"{pack / 'zeros.yaml'}: cannot read file: it is a character device, not a regular file" in err


def test_a_folder_named_like_a_rule_file_is_refused(dataset, pack):
    (pack / "folder.yaml").mkdir()
    err = refused(run_cli("check", str(dataset), "--rules", str(pack)))
    assert f"{pack / 'folder.yaml'}: cannot read file: it is a folder, not a regular file" in err


def test_a_named_pipe_as_baseline_is_refused(dataset, tmp_path):
    fifo(tmp_path / "baseline.yaml")
    err = refused(run_cli("check", str(dataset), "--baseline", str(tmp_path / "baseline.yaml")))
    assert f"{tmp_path / 'baseline.yaml'}: cannot read file: it {FIFO}" in err


@pytest.mark.parametrize("scan", [False, True])
def test_a_table_read_by_the_engine_must_be_a_regular_file(dataset, scan):
    """A Parquet file, or a CSV with `scan: true`, goes to DuckDB, which would block on a pipe."""
    text = (dataset / "datapackage.yaml").read_text()
    if scan:
        text = text.replace(f"    path: {CSV}\n", f"    path: {CSV}\n    scan: true\n")
        fifo(dataset / CSV)
        name = CSV
    else:
        text = text.replace(f"path: {CSV}", "path: clearance.parquet")
        fifo(dataset / "clearance.parquet")
        name = "clearance.parquet"
    (dataset / "datapackage.yaml").write_text(text)
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if f"path: {name}" in t)
    err = refused(run_cli("check", str(dataset)))
    assert f"datapackage.yaml:{line}: path: clearance_by_region: path '{name}' {FIFO}" in err


def grow(path, size: int) -> None:
    with open(path, "r+b") as fh:  # a sparse file: nothing is written
        fh.truncate(size)


def test_a_yaml_file_above_the_size_limit_is_refused_unread(dataset):
    grow(dataset / "claims.yaml", MAX_TEXT_BYTES + 1)
    err = refused(run_cli("check", str(dataset)))
    assert f"{dataset / 'claims.yaml'}: the file is 32.0 MiB, more than the 32 MiB an input file of this kind may be" in err


def test_a_csv_table_above_the_size_limit_is_refused_with_a_remedy(dataset):
    grow(dataset / CSV, MAX_TABLE_BYTES + 1)
    err = refused(run_cli("check", str(dataset)))
    assert f"{dataset / CSV}: the file is 64.0 MiB, more than the 64 MiB" in err
    assert "hint: a larger table is read by the engine, not into memory: give its resource 'scan: true'" in err


@pytest.mark.parametrize("make", ["fifo", "link to a folder outside", "link to a device"])
def test_a_corrected_copy_refuses_what_is_not_a_folder_or_regular_file(dataset, tmp_path, make):
    """`explain --write-corrected` copies the dataset folder: a pipe would block the copy, a device
    would never end it, a link to a folder could copy the whole disk."""
    odd = dataset / "extra"
    if make == "fifo":
        os.mkfifo(odd)
        why = f"it {FIFO.split(', not')[0]}"
    elif make == "link to a folder outside":
        (tmp_path / "elsewhere").mkdir()
        odd.symlink_to(tmp_path / "elsewhere")
        why = "it is a link to outside the dataset folder"
    else:
        odd.symlink_to("/dev/null")
        why = "it is a link to outside the dataset folder"
    out = tmp_path / "corrected"
    err = refused(run_cli("explain", str(dataset), "--write-corrected", str(out), timeout=120))
    assert f"{odd}: cannot copy the dataset: {why}" in err
    assert not out.exists() or not any(out.iterdir())


PARSE = "from audit.expr.ast import parse; print(parse('sum(t.a) >= 2 km2 within 5%').op)"


@pytest.mark.parametrize("make", ["fifo", "folder", "link"])
def test_a_parser_cache_that_is_not_a_regular_file_is_skipped(tmp_path, monkeypatch, make):
    from audit.expr import ast

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = ast._cache_file((Path(ast.__file__).parent / "grammar.lark").read_text())
    assert cache and cache.startswith(str(tmp_path))
    if make == "fifo":
        os.mkfifo(cache)
    elif make == "folder":
        os.mkdir(cache)
    else:
        os.symlink("/dev/zero", cache)
    try:
        out = subprocess.run([sys.executable, "-c", PARSE], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    except subprocess.TimeoutExpired:
        pytest.fail("parsing waited on the parser cache")
    assert out.returncode == 0 and out.stdout.strip() == ">=" and not out.stderr
