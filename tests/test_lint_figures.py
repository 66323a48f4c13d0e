"""`audit lint` on packs of rules over figures (vocabulary.yaml), without data and with --dataset."""
from __future__ import annotations

import json
import textwrap

from audit.figures.pack import load_figure_pack

from .conftest import ROOT, audit_cli

ELECTION = ROOT / "rules" / "election-results"
LIECHTENSTEIN = "datasets/figures/liechtenstein-2017"
MESSAGE = '"{source}: {whole}"'


def make_pack(tmp_path, rules: str, vocabulary_extra: str = ""):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text((ELECTION / "pack.yaml").read_text())
    vocab = (ELECTION / "vocabulary.yaml").read_text()
    if vocabulary_extra:
        vocab = vocab.replace("measures:\n", "measures:\n" + vocabulary_extra, 1)
    (pack / "vocabulary.yaml").write_text(vocab)
    (pack / "rules.yaml").write_text(textwrap.dedent(rules))
    return pack


def test_the_bundled_figure_packs_pass():
    for pack, dataset in (("rules/mine-action-figures", "datasets/figures/azerbaijan-2019"),
                          ("rules/election-results", LIECHTENSTEIN)):
        out = audit_cli("lint", pack)
        assert out.returncode == 0, out.stdout + out.stderr
        assert out.stdout.strip().startswith(f"{pack}: ") and out.stdout.strip().endswith("0 errors, 0 warnings")
        out = audit_cli("lint", pack, "--dataset", dataset)
        assert out.returncode == 0, out.stdout + out.stderr
        n = len(load_figure_pack(ROOT / pack).rules)
        assert out.stdout.strip().endswith(f"{pack} against {dataset}: {n} rules, 0 errors, 0 warnings")
        doc = json.loads(audit_cli("lint", pack, "--format", "json").stdout)
        assert doc["issues"] == [] and doc["rules"] == n


def test_rule_and_vocabulary_errors_at_file_and_line(tmp_path):
    pack = make_pack(tmp_path, f"""\
        rules:
          - id: totals
            title: Totals
            kind: additivity
            measures: [votes, vots]
            message: {MESSAGE}
          - id: agree
            title: Agree
            kind: agreement
            between: [tables, nowhere]
            message: "{{figure}}"
        """)
    out = audit_cli("lint", str(pack))
    assert out.returncode == 1, out.stdout + out.stderr
    rules = pack / "rules.yaml"
    assert f"{rules}:5: error: load: unknown measure 'vots'" in out.stdout
    assert f"{rules}:10: error: load: 'nowhere' is not one of tables, text, editions" in out.stdout
    assert out.stdout.rstrip().endswith("0 rules, 2 errors, 0 warnings")
    assert "Traceback" not in out.stderr
    doc = json.loads(audit_cli("lint", str(pack), "--format", "json").stdout)
    assert [(i["severity"], i["code"], i["line"]) for i in doc["issues"]] == [("error", "load", 5), ("error", "load", 10)]

    (pack / "vocabulary.yaml").write_text((pack / "vocabulary.yaml").read_text().replace(
        "votes: {quantity: count,", "votes: {quantity: counts,"))
    out = audit_cli("lint", str(pack))
    assert out.returncode == 1
    line = next(i for i, text in enumerate((pack / "vocabulary.yaml").read_text().splitlines(), 1)
                if "quantity: counts" in text)
    assert f"{pack / 'vocabulary.yaml'}:{line}" in out.stdout and "measure 'votes' needs a quantity" in out.stdout


def test_warnings_without_data(tmp_path):
    pack = make_pack(tmp_path, f"""\
        rules:
          - id: totals
            title: Totals
            kind: additivity
            measures: [votes, vote_share]
            message: {MESSAGE}
          - id: votes-trend
            title: Votes do not halve
            kind: trend
            measure: votes
            threshold: 0.5
            at: {{ballot: spoilt}}
            message: "{{measure}}"
        """)
    out = audit_cli("lint", str(pack))
    assert out.returncode == 0, out.stdout + out.stderr  # warnings only
    rules = pack / "rules.yaml"
    assert (f"{rules}:5:5: warning: not-additive: 'vote_share' is a measure of share, which the vocabulary says is "
            "not additive") in out.stdout and "[totals]" in out.stdout
    assert (f"{rules}:12:5: warning: unknown-member: 'at' puts ballot at 'spoilt', which is not a member of the "
            "closed dimension ballot (cast, valid, invalid)") in out.stdout
    assert out.stdout.rstrip().endswith("2 rules, 0 errors, 2 warnings")


def test_warnings_against_a_dataset(tmp_path):
    pack = make_pack(tmp_path, f"""\
        rules:
          - id: totals
            title: Totals
            kind: additivity
            measures: [votes, postal_votes]
            message: {MESSAGE}
          - id: agree
            title: Agree
            kind: agreement
            measures: [votes, seats, postal_votes]
            message: "{{figure}}"
        """, vocabulary_extra="  postal_votes: {quantity: count, type: other, description: votes by post}\n")
    assert audit_cli("lint", str(pack)).returncode == 0
    out = audit_cli("lint", str(pack), "--dataset", LIECHTENSTEIN)
    assert out.returncode == 0, out.stdout + out.stderr
    rules = pack / "rules.yaml"
    assert (f"{rules}:5:5: warning: not-printed: the dataset prints no figure of 'postal_votes', which these rules "
            "relate: they do not apply to it there [totals, agree]") in out.stdout
    # the text gives the turnout twice; no rule relates turnout
    claims = f"{LIECHTENSTEIN}/claims.yaml"
    unchecked = [line for line in out.stdout.splitlines() if "unchecked-claim" in line]
    assert len(unchecked) == 2 and all(line.startswith(claims + ":") for line in unchecked)
    assert "of 'turnout' is checked by no rule of the pack" in unchecked[0]
    assert out.stdout.rstrip().endswith(f"against {LIECHTENSTEIN}: 2 rules, 0 errors, 3 warnings")
    doc = json.loads(audit_cli("lint", str(pack), "--dataset", LIECHTENSTEIN, "--format", "json").stdout)
    assert sorted(i["code"] for i in doc["issues"]) == ["not-printed", "unchecked-claim", "unchecked-claim"]
    assert doc["dataset"] == LIECHTENSTEIN


def test_a_dataset_that_cannot_be_read(tmp_path):
    out = audit_cli("lint", "rules/election-results", "--dataset", str(tmp_path / "nowhere"))
    assert out.returncode == 2 and "no such dataset folder" in out.stderr and "Traceback" not in out.stderr
    out = audit_cli("lint", "rules/mine-action-figures", "--dataset", "datasets/azerbaijan-2019")
    assert out.returncode == 2 and "in the table layout" in out.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in (ROOT / LIECHTENSTEIN).iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    claims = (bad / "claims.yaml").read_text()
    (bad / "claims.yaml").write_text(claims.replace("measure: turnout", "measure: turnover", 1))
    out = audit_cli("lint", "rules/election-results", "--dataset", str(bad))
    assert out.returncode == 1, out.stdout + out.stderr
    line = next(i for i, text in enumerate((bad / "claims.yaml").read_text().splitlines(), 1) if "turnover" in text)
    assert f"claims.yaml:{line}" in out.stdout and ": error: dataset: " in out.stdout and "turnover" in out.stdout
