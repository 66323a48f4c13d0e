"""What ruff and pre-commit users expect of the command line: rule selection, quiet and verbose
output, a configuration file, one rule's documentation, help on every argument, one rule count."""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from .conftest import ROOT, audit_cli
from .test_cli import match_lines

AZ = str(ROOT / "datasets" / "azerbaijan-2019")


def _rules(out) -> dict[str, str]:
    doc = json.loads(out.stdout)
    return {r["id"]: r["severity"] for r in doc["rules"]}


def test_select_and_ignore_take_ids_globs_and_severities():
    out = audit_cli("check", "datasets/azerbaijan-2019", "--format", "json",
                    "--select", "claim-*,printed-totals", "--select", "warning", "--ignore", "claim-mined-areas")
    rules = _rules(out)
    assert "printed-totals" in rules and "claim-ap-mined-areas" in rules and "clearance-year-on-year" in rules
    assert "claim-mined-areas" not in rules and "cha-count-without-area" not in rules
    assert all(r.startswith("claim-") or r == "printed-totals" or sev == "warning" for r, sev in rules.items())
    doc = json.loads(out.stdout)
    assert {f["rule"] for f in doc["findings"]} <= set(rules)
    # ignoring every rule that fails leaves a passing run
    quiet = audit_cli("check", "datasets/azerbaijan-2019", "--ignore", "error")
    assert quiet.returncode == 0, quiet.stdout


def test_select_of_a_rule_that_does_not_exist_is_an_error_with_a_hint():
    out = audit_cli("check", "datasets/azerbaijan-2019", "--select", "printed-total", "--ignore", "warnings,stok-*")
    assert out.returncode == 2
    assert out.stdout == ""
    match_lines(out.stderr, [
        "audit: --select: 'printed-total' matches no rule",
        "  hint: did you mean 'printed-totals'*",
        "audit: --ignore: 'warnings' matches no rule",
        "  hint: did you mean 'warning'*",
        "audit: --ignore: 'stok-*' matches no rule",
    ])


def test_quiet_prints_the_summary_line_or_nothing_and_verbose_prints_more():
    failing = audit_cli("check", "datasets/azerbaijan-2019", "--quiet")
    assert failing.returncode == 1
    assert failing.stdout.splitlines() == [l for l in failing.stdout.splitlines() if l.strip()]
    match_lines(failing.stdout, ["azerbaijan-2019: 8 errors, 5 warnings, 0 info (*s)"])
    assert len(failing.stdout.splitlines()) == 1
    passing = audit_cli("check", "datasets/croatia-2014", "-q")
    assert passing.returncode == 0 and passing.stdout == ""
    verbose = audit_cli("check", "datasets/croatia-2014", "--verbose")
    match_lines(verbose.stdout, ["Rules that passed (3):", "  printed-totals: * checked  (rules/mine-action/totals.yaml:2)"])
    assert "Rules that passed" not in audit_cli("check", "datasets/croatia-2014").stdout


def test_configuration_in_pyproject_found_upwards_and_overridden_by_flags(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", repo / "data" / "azerbaijan-2019")
    shutil.copytree(ROOT / "rules" / "mine-action", repo / "rules" / "mine-action")
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.audit]\npaths = ["data"]\n'
                                         'select = ["claim-*"]\nfail-on = "never"\n', encoding="utf-8")
    (repo / "sub").mkdir()
    out = audit_cli("check", "--format", "json", cwd=repo / "sub")
    assert out.returncode == 0, out.stderr
    assert set(_rules(out)) and all(r.startswith("claim-") for r in _rules(out))
    # flags override the file
    out = audit_cli("check", "../data", "--fail-on", "error", "--select", "printed-totals", cwd=repo / "sub")
    assert out.returncode == 1
    match_lines(out.stdout, ["*printed-totals*", "Rules: 1 run, *"])
    assert audit_cli("check", "--no-config", cwd=repo / "sub").returncode == 2


def test_unknown_configuration_key_is_an_error_at_its_line(tmp_path):
    (tmp_path / "audit.toml").write_text('paths = ["data"]\n# the severity\nfail_on = "warning"\n', encoding="utf-8")
    out = audit_cli("check", cwd=tmp_path)
    assert out.returncode == 2
    match_lines(out.stderr, ["audit: audit.toml:3: unknown configuration key 'fail_on'",
                             "  hint: did you mean 'fail-on'?"])
    (tmp_path / "audit.toml").write_text('[tool.audit]\nengine = "spork"\n', encoding="utf-8")
    out = audit_cli("check", AZ, cwd=tmp_path)
    assert out.returncode == 2
    match_lines(out.stderr, ["audit: audit.toml:2: 'engine' must be one of duckdb, spark, not 'spork'",
                             "  hint: did you mean 'spark'?"])


def test_rules_id_prints_the_documentation_of_one_rule():
    out = audit_cli("rules", "printed-totals")
    assert out.returncode == 0, out.stderr
    match_lines(out.stdout, [
        "printed-totals: Printed totals equal the sum of their rows",
        "  kind      totals*",
        "  severity  error",
        "  pack      *rules/mine-action",
        "  written   rules/mine-action/totals.yaml:2",
        "  message   {table}: the printed total of {column} is {observed}*",
        "  hint      *",
        "What it checks (the parameters of its kind):",
        "  tables: []",
        "Why:",
        "  A printed total is itself a reported figure*",
        "What a rule of kind totals checks:",
    ])
    row = audit_cli("rules", "cleared-nothing-found").stdout
    match_lines(row, ["cleared-nothing-found: Large areas cleared where no mine was found",
                      "  assert: ap_mines + av_mines > 0", "  where: area_cleared >= 1 ha",
                      "cleared-nothing-found: Land cleared of mines yields mines",  # the same id in the figure pack
                      "  numerator: area_released"])
    bad = audit_cli("rules", "printed-total")
    assert bad.returncode == 2
    match_lines(bad.stderr, ["audit: printed-total: no rule of this id in the packs",
                             "  hint: did you mean 'printed-totals'?"])


def test_one_rule_count_in_the_text_report_and_in_audit_rules():
    listed = audit_cli("rules", "--rules", "rules/mine-action").stdout
    n = int(next(line for line in listed.splitlines() if "rules/mine-action:" in line).split(":")[1].split()[0])
    assert listed.count("│ table-contracts ") == 1
    ran = audit_cli("check", "datasets/croatia-2014").stdout
    match_lines(ran, [f"Rules: {n} run, *"])
    rows = [line for line in listed.splitlines() if line.startswith("│")]
    assert len(rows) == n


def _actions(parser: argparse.ArgumentParser, path: str = "audit"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield path, action
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{path} {name}")
        else:
            yield path, action


def test_every_argument_of_every_command_has_help():
    from audit.cli import build_parser

    missing = [f"{path} {'/'.join(a.option_strings) or a.dest}" for path, a in _actions(build_parser())
               if not a.help or a.help == argparse.SUPPRESS]
    assert missing == []
    assert sum(1 for _ in _actions(build_parser())) > 50


def test_text_report_says_what_data_each_rule_that_did_not_apply_needs():
    out = audit_cli("check", "datasets/croatia-2014").stdout
    match_lines(out, ["Rules that do not apply (24):",
                      "  claim-mined-areas: the dataset makes no claim of measure 'mined_areas'",
                      "  cleared-nothing-found: the dataset has no table 'clearance_by_region'"])
    figures = audit_cli("check", "datasets/figures/croatia-2014").stdout
    assert "prints no figures this rule relates" not in figures
    match_lines(figures, ["Rules that do not apply (*):", "  stock-and-flow: needs the stock at two dates*; the dataset prints no area_released*"])


def test_sarif_rules_have_help_and_help_uri_and_validate(tmp_path):
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for

    from .schemas import sarif_schema

    out = audit_cli("check", "datasets", "datasets/figures", "--format", "sarif", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    schema = sarif_schema()
    errors = list(validator_for(schema)(schema, format_checker=FormatChecker()).iter_errors(doc))
    assert not errors, [e.message for e in errors[:5]]
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) > 30
    for r in rules:
        assert r["help"]["text"] and r["help"]["markdown"].startswith("**"), r["id"]
        assert f"audit rules {r['id']}" in r["help"]["text"]
        assert r["helpUri"].startswith("https://")
    # in GitHub Actions, a rule of the repository's own pack links to its line at the commit audited
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc"}
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "audit"
    ran = subprocess.run([str(exe), "check", "datasets/azerbaijan-2019", "--format", "sarif"], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, **env})
    uris = {r["id"]: r["helpUri"] for r in json.loads(ran.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    assert uris["printed-totals"] == "https://github.com/o/r/blob/abc/rules/mine-action/totals.yaml#L2"


def test_junit_failures_carry_the_findings_and_validate():
    import xml.etree.ElementTree as ET

    import xmlschema

    from .schemas import junit_xsd

    out = audit_cli("check", "datasets/azerbaijan-2019", "--format", "junit")
    assert out.returncode == 1
    xmlschema.XMLSchema(str(junit_xsd())).validate(out.stdout)
    failure = ET.fromstring(out.stdout).find(".//testcase[@name='claim-ap-mined-areas']/failure")
    assert failure.get("message").startswith("The text says 14 anti-personnel mined areas")
    assert "(datasets/azerbaijan-2019/" in failure.get("message")
    assert not any(f.get("message", "").endswith("finding") or f.get("message", "").endswith("findings")
                   for f in ET.fromstring(out.stdout).iter("failure"))


def test_pre_commit_hook_explains_a_missing_baseline_then_shows_only_new_findings(tmp_path):
    import shlex

    import yaml

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "audit" and hook["entry"].split()[:2] == ["audit", "check"]
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", tmp_path / "datasets" / "azerbaijan-2019")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    args = hook["entry"].split()[1:] + hook["args"]
    first = audit_cli(*args, cwd=tmp_path)
    assert first.returncode == 2
    assert "no such baseline file" not in first.stderr
    match_lines(first.stderr, ["audit: audit-baseline.yaml: no baseline file yet",
                               "  hint: record the current findings as accepted with: "
                               "audit baseline create datasets -o audit-baseline.yaml *"])
    command = first.stderr.split("with: ", 1)[1].split("  (", 1)[0]
    made = audit_cli(*shlex.split(command)[1:], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    baseline = tmp_path / "audit-baseline.yaml"
    baseline.write_text(baseline.read_text(encoding="utf-8").replace("reason: ''", "reason: known")
                        .replace("reason: null", "reason: known"), encoding="utf-8")
    table = tmp_path / "datasets" / "azerbaijan-2019" / "table3-mine-clearance-2018.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("Fizuli,ANAMA,3,238396,25,", "Fizuli,ANAMA,3,238396,26,"),
                     encoding="utf-8")
    again = audit_cli(*args, cwd=tmp_path)
    assert again.returncode == 1, again.stderr
    findings = [line for line in again.stdout.splitlines() if line.startswith(("  error ", "  warning ", "  info "))]
    assert len(findings) == 1 and "printed total of AP mines destroyed is 29" in findings[0]
    match_lines(again.stdout, ["ERRORS (1)", "13 findings accepted by the baseline (--verbose lists them)",
                               "azerbaijan-2019: 1 error, 0 warnings, 0 info, 13 accepted (*)"])
    verbose = audit_cli(*args, "--verbose", cwd=tmp_path)
    match_lines(verbose.stdout, ["ACCEPTED BY THE BASELINE (13)", "*reason: known"])


def test_github_action_runs_existing_options_uploads_sarif_and_writes_the_summary():
    import shlex

    import yaml

    from audit.cli import build_parser

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
    scripts = [s["run"] for s in steps if "run" in s]
    assert any("GITHUB_STEP_SUMMARY" in run for run in scripts)
    assert not any("${{" in run for run in scripts), "inputs reach the scripts as environment variables"
    assert any("pip install" in run for run in scripts)
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    commands = [shlex.split(line.split("||")[0].strip()) for run in scripts for line in run.splitlines()
                if line.strip().startswith("audit ")]
    assert len(commands) >= 2
    formats = set()
    for words in commands:
        parser = sub.choices[words[1]]
        options = {o for a in parser._actions for o in a.option_strings}
        used = [w for w in words[2:] if w.startswith("-")]
        assert used and set(used) <= options, (words, set(used) - options)
        formats.add(words[words.index("--format") + 1])
    assert {"sarif", "markdown"} <= formats


def test_human_outputs_show_units_as_people_write_them_at_printed_precision_and_agree_plurals(tmp_path):
    text = audit_cli("check", "datasets/azerbaijan-2019").stdout
    match_lines(text, [
        "*sha-count-without-area  Aghjabedi: 1 suspected hazardous area with an area of 0 m²",
        "*ap-estimate-stock-and-flow  *from 69.90 km² (2015) to 1.65 km² (2018)*",
        "          observed 1.65 km² · required >= 63.33 km² · difference -61.68 km² · tolerance 7.06 km²",
        "        at [[]stock] Table 2 (contamination_by_region), row Jabrayil, CHA area (m²) = 98,887 m²  (*)",
    ])
    assert "1.645486" not in text and " km2" not in text.replace("km2 (see", "")
    assert "Khojavend: 50,000 m² of suspected hazardous area but 0 suspected hazardous areas" in text
    # machine outputs keep the stored values and unit codes
    doc = json.loads(audit_cli("check", "datasets/azerbaijan-2019", "--format", "json").stdout)
    [stock] = [f for f in doc["findings"] if f["rule"] == "ap-estimate-stock-and-flow"]
    assert stock["unit"] == "km2" and stock["observed"] == 1.645486 and "1.65 km2" in stock["message"]
    out = tmp_path / "site"
    assert audit_cli("report", "datasets/azerbaijan-2019", "--out", str(out)).returncode == 0
    page = (out / "azerbaijan-2019.html").read_text(encoding="utf-8")
    md = (out / "azerbaijan-2019.md").read_text(encoding="utf-8")
    for human in (page, md):
        assert "1.65 km²" in human and "1.645486" not in human and "1 suspected hazardous area with" in human


def test_every_output_shows_paths_relative_to_the_working_directory(tmp_path):
    """A dataset given by its absolute path, audited with the pack bundled beside the package:
    no output carries an absolute path; the pack shows as <audit>/rules/NAME."""
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", tmp_path / "ds")
    absolute = str(tmp_path / "ds")
    outputs = {}
    for fmt in ("text", "json", "sarif", "junit", "markdown", "github"):
        outputs[fmt] = audit_cli("check", absolute, "--format", fmt, cwd=tmp_path).stdout
    assert audit_cli("report", absolute, "--out", "site", cwd=tmp_path).returncode == 0
    outputs.update({p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "site").iterdir()})
    for name, text in outputs.items():
        assert str(tmp_path) not in text and str(ROOT) not in text, name
        assert "site-packages" not in text, name
    doc = json.loads(outputs["json"])
    assert doc["dataset"]["path"] == "ds" and doc["pack"] == "<audit>/rules/mine-action"
    assert doc["findings"][0]["locations"][0]["file"].startswith("ds/")
    assert all(r["source"].startswith("<audit>/rules/mine-action/") for r in doc["rules"])


def test_configuration_formats_are_the_registered_reporters(tmp_path):
    from audit.config import FORMATS
    from audit.reporters import REPORTERS

    assert FORMATS == tuple(sorted(REPORTERS))
    (tmp_path / "audit.toml").write_text('format = "sarf"\n', encoding="utf-8")
    out = audit_cli("check", AZ, cwd=tmp_path)
    assert out.returncode == 2
    match_lines(out.stderr, ["audit: audit.toml:1: 'format' must be one of *, not 'sarf'", "  hint: did you mean 'sarif'?"])
