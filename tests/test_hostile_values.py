"""Property: whatever values a pull request puts in a dataset's claims or descriptor, the audit
changes no file but the output the user named, and exits 0, 1 or 2 without a traceback.

Values of every YAML type (nested lists and mappings, huge and non-finite numbers, dates, very
long strings, control characters, quotes, `$$`, `;`, `--`, markup) are put at the keys of a claim
and at the text and value keys of the descriptor of a copy of a bundled dataset, which is then
audited in-process through the command line's `main`: check in every output format, report,
export, baseline create and explain.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import os
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.cli import main

from .conftest import ROOT

DATASET = ROOT / "datasets" / "azerbaijan-2019"
PACK = ROOT / "rules" / "mine-action"
FORMATS = ["text", "json", "junit", "sarif", "github", "markdown"]

HOSTILE = "'\";$--\\/*%:,\n\r\t\x00\x1b[31m\x07\u202e\u2028<>&@![]()|`{}#=+"
texts = st.one_of(
    st.text(alphabet=st.sampled_from(HOSTILE) | st.characters(), max_size=60),
    st.sampled_from(["'); COPY (SELECT 1) TO 'PWNED.csv'; --", "$$PWNED$$", "x\r=HYPERLINK(1)",
                     "::error file=README.md,line=1::forged", "<img src=x onerror=alert(1)>",
                     "@everyone ![x](http://example.invalid/x.png) </details>", "\x1b]0;title\x07",
                     "../../../../etc/passwd", "2015-03", "Totals", "a" * 5000]),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(), st.dates(min_value=datetime.date(1, 1, 1)), texts,
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=8)

# every command that writes, with the output it names (a file, or a folder for report)
COMMANDS = {
    "check": (["check", "ds", "--rules", str(PACK), "--format", "{fmt}", "--output", "report.out"], "report.out"),
    "report": (["report", "ds", "--rules", str(PACK), "--out", "pages"], "pages"),
    "export": (["export", "ds", "--rules", str(PACK), "-o", "findings.csv"], "findings.csv"),
    "baseline": (["baseline", "create", "ds", "--rules", str(PACK), "-o", "baseline.yaml"], "baseline.yaml"),
    "explain": (["explain", "ds", "--rules", str(PACK), "-o", "explained.txt"], "explained.txt"),
}

CLAIM_KEYS = ["id", "measure", "value", "low", "high", "unit", "qualifier", "quote", "section", "locator",
              "footnote", "table", "year", "region", "type", "note"]


def put_in_claim(folder: Path, index: int, key: str, value) -> None:
    path = folder / "claims.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["claims"][index % len(doc["claims"])][key] = value
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def put_in_descriptor(folder: Path, index: int, where: str, value) -> None:
    path = folder / "datapackage.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    res = doc["resources"][index % len(doc["resources"])]
    if where in ("name", "title", "country"):
        doc[where] = value
    elif where == "resource-title":
        res["title"] = value
    elif where == "dimension":
        res.setdefault("dimensions", {})["year"] = value
    elif where == "totals-labels":
        res["totals"] = {**(res.get("totals") or {"column": res["schema"]["fields"][0]["name"]}), "labels": value}
    elif where == "field-title":
        res["schema"]["fields"][index % len(res["schema"]["fields"])]["title"] = value
    elif where == "provenance":
        res["provenance"] = {"document": value, "table": value}
    elif where == "notes":
        res["notes"] = value
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def audit_in(workdir: Path, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(workdir)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse
                code = exc.code
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


@given(target=st.sampled_from(["claim", "descriptor"]), index=st.integers(0, 40),
       claim_key=st.sampled_from(CLAIM_KEYS),
       where=st.sampled_from(["name", "title", "country", "resource-title", "dimension", "totals-labels",
                              "field-title", "provenance", "notes"]),
       value=values, fmt=st.sampled_from(FORMATS), command=st.sampled_from(sorted(COMMANDS)))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
def test_hostile_values_change_nothing_but_the_named_output(tmp_path_factory, target, index, claim_key, where,
                                                             value, fmt, command):
    work = tmp_path_factory.mktemp("hostile")
    shutil.copytree(DATASET, work / "ds")
    if target == "claim":
        put_in_claim(work / "ds", index, claim_key, value)
    else:
        put_in_descriptor(work / "ds", index, where, value)
    before = snapshot(work)
    repo_before = sorted(p.name for p in ROOT.iterdir())
    argv, output = COMMANDS[command]
    code, stdout, stderr = audit_in(work, [a.replace("{fmt}", fmt) for a in argv])
    assert code in (0, 1, 2), (code, stderr)
    assert "Traceback" not in stderr
    assert "internal error" not in stderr, stderr
    after = snapshot(work)
    written = set(after) - set(before)
    assert all(name == output or name.startswith(output + "/") for name in written), written
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(p.name for p in ROOT.iterdir()) == repo_before
    if code == 2:  # the input was refused (at the file), or a rule broke while running (said in the report)
        assert (stderr.startswith("audit: ") and "ds" in stderr) or "broken" in stdout + stderr, stderr


def test_describing_keys_take_one_plain_value(tmp_path):
    """Found by the property above: a title, country or year holding a date or a list crashed the
    JSON report (a date is not JSON); they are refused at their line instead."""
    for key, value in (("title", [1.5, datetime.date(2112, 9, 27)]), ("country", datetime.date(3718, 4, 27)),
                       ("year", {"a": 1})):
        work = tmp_path / key
        shutil.copytree(DATASET, work / "ds")
        path = work / "ds" / "datapackage.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc[key] = value
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        code, _, stderr = audit_in(work, ["check", "ds", "--rules", str(PACK), "--format", "json"])
        assert code == 2 and f": {key}: expected text or a number, found" in stderr, stderr


def test_a_claims_year_out_of_any_calendar_is_refused_at_its_line(tmp_path):
    """Found by the property above: a claim's year of 10**30 reached DuckDB's BIGINT and ended in
    an internal error of `audit explain`; it is refused at its line, by every command."""
    for command in ("check", "explain"):
        work = tmp_path / command
        shutil.copytree(DATASET, work / "ds")
        put_in_claim(work / "ds", 0, "year", 10**30)
        argv = [command, "ds", "--rules", str(PACK)] + (["-o", "e.txt"] if command == "explain" else [])
        code, _, stderr = audit_in(work, argv)
        assert code == 2 and "claims.yaml:" in stderr and "is not a year from 1 to 9999" in stderr, stderr
