"""Cells left blank in the figure layout are undecided items, not absent ones (as R validate's NA):
a whole left blank beside its parts (additivity), a term of a ratio left blank, one of a pair left
blank (co_occurrence); and a `signed` quantity, whose figures may be negative, lets no part printed
without the others bound its whole."""
from __future__ import annotations

import textwrap
from pathlib import Path

from tests.test_figure_kinds import result, run

VOCABULARY = """
quantities:
  amount: {units: {u: 1}, exact: [u], signed: SIGNED}
  count: {units: {count: 1}, exact: [count], number: true}
measures:
  total: {quantity: amount, type: flow, description: an amount}
  gain: {quantity: amount, type: flow, description: another amount}
  things: {quantity: count, type: other, description: a number of things}
dimensions:
  record: {all: all}
  part: {all: whole, parts: [a, b]}
"""

RULES = """
rules:
  - {id: adds-up, title: adds up, kind: additivity, message: "{whole}"}
  - {id: bounded, title: bounded, kind: ratio, numerator: gain, denominator: total, at_most: 0.5, message: "{at}"}
  - {id: together, title: together, kind: co_occurrence, pairs: [[things, gain]], message: "{at}"}
"""

DESCRIPTOR = """
name: blanks
auditProfile: tiny
at: {period: 2000}
resources:
  - name: records
    path: records.csv
    schema:
      missingValues: ["NA"]
      fields:
        - {name: id, type: string, dimension: record}
        - {name: a, type: number, measure: total, at: {part: a}}
        - {name: b, type: number, measure: total, at: {part: b}}
        - {name: t, type: number, measure: total}
        - {name: g, type: number, measure: gain}
        - {name: n, type: integer, measure: things}
"""


def audit(tmp_path: Path, csv: str, signed: bool = False):
    pack = tmp_path / "pack"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text("profile: tiny\ntitle: Tiny\n")
    (pack / "vocabulary.yaml").write_text(textwrap.dedent(VOCABULARY).replace("SIGNED", str(signed).lower()))
    (pack / "rules.yaml").write_text(textwrap.dedent(RULES))
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "datapackage.yaml").write_text(textwrap.dedent(DESCRIPTOR))
    (folder / "records.csv").write_text("id,a,b,t,g,n\n" + textwrap.dedent(csv).strip() + "\n")
    return run(pack, folder)["blanks"]


def counts(res):
    return (res.items, res.passed, res.failed, res.undecided)


def test_a_whole_left_blank_beside_its_parts_is_undecided(tmp_path):
    r = audit(tmp_path, """
        r1,1,2,3,1,1
        r2,1,2,NA,1,1
        r3,NA,NA,NA,1,1
        r4,1,NA,3,1,1
    """, signed=True)
    res = result(r, "adds-up")
    assert counts(res) == (4, 1, 0, 3)
    assert "line 3 (t) is left blank" in res.reason


def test_parts_beside_a_whole_bound_it_unless_the_quantity_is_signed(tmp_path):
    csv = "r1,5,NA,3,1,1\nr2,1,2,3,1,1"
    assert counts(result(audit(tmp_path / "unsigned", csv), "adds-up")) == (3, 1, 1, 1)
    assert counts(result(audit(tmp_path / "signed", csv, signed=True), "adds-up")) == (2, 1, 0, 1)


def test_a_term_of_a_ratio_left_blank_is_undecided(tmp_path):
    r = audit(tmp_path, """
        r1,1,2,3,1,1
        r2,1,2,3,NA,1
        r3,NA,NA,NA,1,1
        r4,1,2,4,3,1
    """, signed=True)
    res = result(r, "bounded")  # (a denominator left blank beside its printed parts is their sum)
    assert counts(res) == (4, 1, 1, 2)
    assert "left blank" in res.reason


def test_one_of_a_pair_left_blank_is_undecided(tmp_path):
    r = audit(tmp_path, """
        r1,1,2,3,1,1
        r2,1,2,3,NA,1
        r3,1,2,3,1,NA
        r4,1,2,3,0,1
    """, signed=True)
    res = result(r, "together")
    assert counts(res) == (4, 1, 1, 2)
    assert "left blank" in res.reason
