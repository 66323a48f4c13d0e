"""Mutation test: changing any single number of any bundled table that takes part in a printed
total produces at least one new error finding that names that table.

Both directions are tried. Where the bundled table already holds an inconsistency, a change can
repair it (Table 1 of Azerbaijan prints 17 CHAs for 6 + 10: making the 10 an 11 fixes it); then
the audit must notice by no longer reporting that finding, and the opposite change must still
produce a new one.

A change must be larger than what printed precision can absorb: for an exact figure (a count,
whole m2) one unit; for a rounded figure, twice the most that rounding the rows and their total
can explain (the sum of their half-units), in whole units of the figure's last printed decimal.
"""
from __future__ import annotations

import csv
import math
import io
import shutil
from pathlib import Path

import pytest

from audit.cli import expand_paths
from audit.dataset import load_dataset
from audit.engine import cell_uncertainty
from audit.pack import find_pack, load_pack
from audit.runner import audit_dataset, met_dataset

from .conftest import ROOT

DATASETS = expand_paths([str(ROOT / "datasets")])


def mutations():
    for folder in DATASETS:
        ds = met_dataset(folder)[0]
        for table in ds.tables.values():
            if not table.prints_totals:
                continue
            for f in table.fields.values():
                if not f.numeric or f.type == "year":
                    continue
                for row in table.rows:
                    cell = row.cells[f.name]
                    if cell.value is None:
                        continue
                    unit = 10 ** -cell.decimals
                    slack = sum(cell_uncertainty(r.cells[f.name], f) for r in table.rows) / f.factor
                    delta = max(unit, math.ceil(round(2 * slack / unit, 6)) * unit)
                    for sign in (1, -1):
                        yield pytest.param(folder, table.name, row.line, f.name, sign * delta,
                                           id=f"{folder.name}:{table.path}:{row.line}:{f.name}:{sign:+d}")


def fingerprints(run) -> set[tuple]:
    return {(f.fingerprint, f.observed, f.expected, f.severity, tuple(sorted({loc.table for loc in f.locations
                                                                              if loc.table})))
            for f in run.findings}


@pytest.fixture(scope="module")
def baseline():
    cache = {}

    def get(folder: Path, full: bool):
        key = (folder, full)
        if key not in cache:
            pack = load_pack(find_pack(load_dataset(folder).profile, None))
            if not full:
                pack.rules = [k for k in pack.rules if k.rule.kind == "totals"]
            cache[key] = (pack, fingerprints(audit_dataset(folder, pack=pack)))
        return cache[key]
    return get


def mutate(src: Path, dst: Path, table_path: str, line: int, column: str, delta: float) -> None:
    shutil.copytree(src, dst)
    path = dst / table_path
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = rows[0]
    i = header.index(column)
    text = rows[line - 1][i]
    core = text.strip("*†‡§¶#")
    decimals = len(core.split(".")[1]) if "." in core else 0
    new = f"{float(core.replace(',', '')) + delta:.{decimals}f}"
    rows[line - 1][i] = text.replace(core, new)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("folder,table,line,column,delta", list(mutations()))
def test_single_number_change_is_caught(tmp_path, baseline, folder, table, line, column, delta):
    mutated = tmp_path / folder.name
    mutate(folder, mutated, load_dataset(folder).tables[table].path, line, column, delta)
    repaired = False
    for full in (False, True):  # the totals rule first; the whole pack when that is not enough
        pack, before = baseline(folder, full)
        after = fingerprints(audit_dataset(mutated, pack=pack))
        if any(f[3] == "error" and table in f[4] for f in after - before):
            return
        repaired = repaired or any(f[3] == "error" and table in f[4] for f in before - after)
    if repaired:
        opposite = tmp_path / "opposite"
        mutate(folder, opposite, load_dataset(folder).tables[table].path, line, column, -delta)
        pack, before = baseline(folder, True)
        after = fingerprints(audit_dataset(opposite, pack=pack))
        assert any(f[3] == "error" and table in f[4] for f in after - before)
        return
    pytest.fail(f"changing {table} line {line} {column} by {delta:+g} produced no new error finding")


def test_there_are_mutations_in_every_dataset():
    names = {p.values[0].name for p in mutations()}
    assert len(list(mutations())) > 200
    assert names == {p.name for p in DATASETS}
