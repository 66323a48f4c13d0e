"""The bundled mine-action pack scored against the Checks tables of the sources.

Every collection of `datasets/corpus/` is audited with the pack alone, through the CLI, and each
row of its sources' Checks table (`tests/corpus/<country>.yaml`, format in tests/corpus/README.md)
is decided: a discrepancy must be found, a relation that holds must not be flagged, and every
other finding must be listed with why it is right. A check the pack cannot decide yet says so
(`missed:` or `flagged:`, with the reason); the test fails when such a check starts to pass, so
that the file, and the score the README gives, stay true. The score is printed per country and
in all (`pytest -s tests/test_corpus_checks.py -k score`)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, audit_cli

CORPUS = ROOT / "datasets" / "corpus"
SCORES = sorted((ROOT / "tests" / "corpus").glob("*.yaml"))
EXPECT = ("found", "clean", "beyond")
VERDICTS = ("holds", "discrepancy", "ambiguous")
SOURCES = ROOT.parent / "shared" / "sources"


@dataclass
class Score:
    country: str
    required: int = 0  # discrepancies to find (expect: found)
    found: int = 0
    holds: int = 0  # relations that must not be flagged (expect: clean)
    flagged: int = 0
    beyond: int = 0
    problems: list[str] = field(default_factory=list)


def refs_of(finding: dict, collection: Path) -> set[str]:
    """The figures a finding locates, as the scoring files name them: `edition/file#claim` or
    `edition/file:line:column` (a file outside the collection, the pack's reference data, from the
    checkout: `rules/<pack>/reference.yaml#id`)."""
    out = set()
    for loc in finding["locations"]:
        path = Path(loc["file"])
        try:
            rel = path.resolve().relative_to(collection.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        if loc.get("claim"):
            out.add(f"{rel}#{loc['claim']}")
        elif loc.get("column"):
            out.add(f"{rel}:{loc['row']}:{loc['column']}")
    return out


def about(finding_refs: set[str], refs: list[str]) -> bool:
    return bool(finding_refs) and finding_refs <= set(refs)


def audit_collection(name: str) -> list[dict]:
    out = audit_cli("check", f"datasets/corpus/{name}", "--format", "json", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    runs = doc["runs"] if "runs" in doc else [doc]
    return [f for run in runs for f in run["findings"] if f["severity"] != "info"]


def score(path: Path) -> Score:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = Score(path.stem)
    collection = CORPUS / spec["collection"]
    findings = [(f, refs_of(f, collection)) for f in audit_collection(spec["collection"])]
    explained: set[int] = set()
    numbers = [c["check"] for c in spec["checks"]]
    assert len(numbers) == len(set(numbers)), f"{path.name}: a check is scored twice"
    for check in spec["checks"]:
        label = f"{path.stem} #{check['check']}"
        assert check["verdict"] in VERDICTS and check["expect"] in EXPECT, label
        if check["verdict"] == "ambiguous" or check["expect"] == "beyond" or \
                (check["verdict"], check["expect"]) in (("holds", "found"), ("discrepancy", "clean")):
            assert str(check.get("why") or "").strip(), f"{label}: say why"
        if check["expect"] == "beyond":
            result.beyond += 1
            continue
        refs = check.get("refs") or []
        for ref in refs:  # a ref names a figure that exists: a file of the collection (or of the pack, from
            # the checkout: its reference data), a claim id or a line
            file = ref.split("#")[0].split(":")[0]
            assert (collection / file).is_file() or (ROOT / file).is_file(), f"{label}: no file for {ref}"
        hits = [i for i, (f, fr) in enumerate(findings)
                if about(fr, refs) and check.get("rule") in (None, f["rule"])]
        explained.update(hits)
        if check["expect"] == "found":
            result.required += 1
            result.found += bool(hits)
            if bool(hits) == bool(check.get("missed")):
                result.problems.append(f"{label}: " + ("found now: drop `missed`" if hits else
                                                       "a discrepancy the pack does not find"))
        else:
            result.holds += 1
            result.flagged += bool(hits)
            if bool(hits) != bool(check.get("flagged")):
                result.problems.append(f"{label}: " + (f"flagged by {findings[hits[0]][0]['rule']}: "
                                                       f"{findings[hits[0]][0]['message']}" if hits else
                                                       "no longer flagged: drop `flagged`"))
    for other in spec.get("others") or []:
        assert str(other.get("why") or "").strip(), f"{path.name}: an `others` entry needs why"
        hits = [i for i, (f, fr) in enumerate(findings) if about(fr, other["refs"]) and other["rule"] == f["rule"]]
        if not hits:
            result.problems.append(f"{path.stem}: the finding listed under others ({other['rule']}) is not reported")
        explained.update(hits)
    for i, (f, fr) in enumerate(findings):
        if i not in explained:
            result.problems.append(f"{path.stem}: a finding about no check: {f['rule']}: {f['message']} {sorted(fr)}")
    return result


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    return {p.stem: score(p) for p in SCORES}


def test_every_collection_is_scored():
    collections = {p.name for p in CORPUS.iterdir() if p.is_dir()} if CORPUS.is_dir() else set()
    scored = {yaml.safe_load(p.read_text(encoding="utf-8"))["collection"] for p in SCORES}
    assert collections == scored


@pytest.mark.parametrize("path", SCORES, ids=[p.stem for p in SCORES])
def test_each_check_of_the_sources_is_decided_as_its_scoring_file_says(path, scores):
    assert scores[path.stem].problems == []


@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not beside the checkout")
@pytest.mark.parametrize("path", SCORES, ids=[p.stem for p in SCORES])
def test_each_row_of_the_checks_table_is_scored(path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    text = (SOURCES / spec["source"]).read_text(encoding="utf-8")
    table = text[text.index("## Checks"):]
    rows = [line.split("|") for line in table.splitlines() if line.startswith("| ") and line[2:3].isdigit()]
    verdicts = {int(r[1]): r[4].strip().split()[0].rstrip(".,;") for r in rows}
    scored = {c["check"]: c["verdict"] for c in spec["checks"]}
    assert set(scored) == set(verdicts)
    assert {n: v for n, v in scored.items() if verdicts[n] != v} == {}, "a verdict differs from the sources file"


def test_score(scores, capsys):
    total = Score("all")
    lines = [f"{'country':<20} {'found':>12} {'false flags':>14} {'beyond':>7}"]
    for s in scores.values():
        for name in ("required", "found", "holds", "flagged", "beyond"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
    for s in [*scores.values(), total]:
        lines.append(f"{s.country:<20} {s.found:>5} / {s.required:<4} {s.flagged:>6} / {s.holds:<5} {s.beyond:>7}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("<!-- corpus-score"):]
    block = block[block.index("```text\n") + 8:]
    assert block[:block.index("```")].rstrip("\n").splitlines() == lines, "the README's corpus score is not this one"


def test_a_folder_of_collections_is_audited_edition_by_edition_in_one_run():
    out = audit_cli("check", "datasets/corpus", "--format", "json", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    runs = json.loads(out.stdout)["runs"]
    editions = sorted(p for p in CORPUS.glob("*/*") if (p / "datapackage.yaml").is_file())
    assert sorted(r["dataset"]["path"] for r in runs) == sorted(str(p.relative_to(ROOT)) for p in editions)
