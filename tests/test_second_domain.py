"""A second profile from another domain (election results), run through the real CLI: the engine
audits it with no code of its own, and `audit/` names none of the profile's words."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, audit_cli

DATASET = Path("datasets/figures/liechtenstein-2017")
PACK = ROOT / "rules" / "election-results"


def check_json(path) -> dict:
    out = audit_cli("check", str(path), "--format", "json", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def where(loc) -> tuple:
    return (Path(loc["file"]).name, loc["row"], loc["column"], loc["role"], loc["value"])


def test_the_audit_finds_the_two_publications_disagree_on_party_votes():
    report = check_json(DATASET)
    assert report["summary"]["findings"] == {"error": 5, "warning": 0, "info": 0}
    rules = {r["id"]: r for r in report["rules"]}
    # Psephos' own totals add up: parties to 194,970 votes and 25 seats, valid + invalid to cast
    assert {k: rules["totals-add-up"][k] for k in ("status", "items", "passed", "failed", "undecided")} == \
        {"status": "passed", "items": 3, "passed": 3, "failed": 0, "undecided": 0}
    agree = rules["figures-agree"]
    assert {k: agree[k] for k in ("status", "items", "passed", "failed", "undecided")} == \
        {"status": "failed", "items": 28, "passed": 20, "failed": 5, "undecided": 3}
    # undecided: the text's seats of the two constituencies and the 2013 turnout, which no table prints
    assert agree["reason"].count("matches no figure of the tables") == 3
    assert "constituency Oberland" in agree["reason"] and "constituency Unterland" in agree["reason"]

    found = [(f["rule"], f["locations"][0]["key"], f["observed"], f["expected"], f["difference"], f["tolerance"],
              [where(loc) for loc in f["locations"]]) for f in report["findings"]]
    psephos, wiki = "psephos-parties.csv", "wikipedia-results.csv"
    assert found == [
        ("figures-agree", {"electorate": "Liechtenstein", "party": "DU", "period": "2017"}, 35901, 35885, 16, 0,
         [(psephos, 2, "votes", "observed", "35,901"), (wiki, 4, "votes", "compared", "35,885")]),
        ("figures-agree", {"electorate": "Liechtenstein", "party": "FBP", "period": "2017"}, 68688, 68673, 15, 0,
         [(psephos, 3, "votes", "observed", "68,688"), (wiki, 2, "votes", "compared", "68,673")]),
        ("figures-agree", {"electorate": "Liechtenstein", "party": "FL", "period": "2017"}, 24597, 24595, 2, 0,
         [(psephos, 4, "votes", "observed", "24,597"), (wiki, 5, "votes", "compared", "24,595")]),
        ("figures-agree", {"electorate": "Liechtenstein", "party": "VU", "period": "2017"}, 65784, 65742, 42, 0,
         [(psephos, 5, "votes", "observed", "65,784"), (wiki, 3, "votes", "compared", "65,742")]),
        ("figures-agree", {"electorate": "Liechtenstein", "period": "2017"}, 194970, 194895, 75, 0,
         [(psephos, 6, "votes", "observed", "194,970")]
         + [(wiki, line, "votes", "compared", v) for line, v in
            ((2, "68,673"), (3, "65,742"), (4, "35,885"), (5, "24,595"))]),
    ]


def test_text_report_and_exit_code():
    out = audit_cli("check", str(DATASET))
    assert out.returncode == 1, out.stderr
    assert "(profile election-results)" in out.stdout
    assert "liechtenstein-2017: 5 errors, 0 warnings, 0 info" in out.stdout


@pytest.mark.parametrize("file, line, column, printed, broken, observed, expected, parts", [
    ("psephos-parties.csv", 6, "votes", '"194,970"', '"194,907"', 194907, 194970, 4),   # the Total row
    ("psephos-parties.csv", 6, "seats", ",25,", ",26,", 26, 25, 4),
    ("psephos-summary.csv", 2, "votes_cast", '"15,167"', '"15,176"', 15176, 15167, 2),  # cast = valid + invalid
])
def test_a_broken_printed_total_is_found_at_its_cell(tmp_path, file, line, column, printed, broken, observed,
                                                    expected, parts):
    folder = tmp_path / "ds"
    shutil.copytree(ROOT / DATASET, folder)
    csv = folder / file
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[line - 1].count(printed) == 1
    lines[line - 1] = lines[line - 1].replace(printed, broken)
    csv.write_text("".join(lines), encoding="utf-8")

    report = check_json(folder)
    adds = [f for f in report["findings"] if f["rule"] == "totals-add-up"]
    assert len(adds) == 1, adds
    f = adds[0]
    assert (f["observed"], f["expected"], f["difference"]) == (observed, expected, observed - expected)
    total = f["locations"][0]
    assert total["role"] == "total"
    assert Path(total["file"]) .resolve() == csv.resolve()
    assert (total["row"], total["column"]) == (line, column)
    assert len([loc for loc in f["locations"] if loc["role"] == "part"]) == parts


def profile_words() -> set[str]:
    vocab = yaml.safe_load((PACK / "vocabulary.yaml").read_text(encoding="utf-8"))
    return set(vocab["measures"]) | set(vocab["dimensions"])


def test_the_engine_names_no_word_of_the_profile():
    words = profile_words()
    assert {"votes", "seats", "party", "constituency", "ballot"} <= words
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, words))) + r")\b", re.IGNORECASE)
    hits = []
    for path in sorted((ROOT / "audit").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            for m in pattern.finditer(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {m.group(0)}")
    assert not hits, "\n".join(hits)
