"""The command line through the real entry point: output, formats and exit codes 0, 1, 2."""
from __future__ import annotations

import fnmatch
import json
import shutil

from .conftest import ROOT, audit_cli


def match_lines(text: str, patterns: list[str]) -> None:
    """Each pattern (a glob) matches some line, in order (like pytest's fnmatch_lines)."""
    lines = text.splitlines()
    i = 0
    for pat in patterns:
        while i < len(lines) and not fnmatch.fnmatch(lines[i], pat):
            i += 1
        assert i < len(lines), f"no line matches {pat!r} (in order) in:\n{text}"
        i += 1


def test_check_prints_findings_grouped_by_severity_and_exits_1():
    out = audit_cli("check", "datasets/azerbaijan-2019")
    assert out.returncode == 1, out.stderr
    match_lines(out.stdout, [
        "azerbaijan-2019*",
        "ERRORS (8)",
        "*printed-totals*printed total of CHAs is 17*add up to 16*",
        "*table1-mined-area-by-type.csv:4*",
        "WARNINGS (5)",
        "*cleared-nothing-found*Jabrayil*",
        "Rules: * run, * passed, * failed, * undecided, * not applicable, 0 broken",
        "azerbaijan-2019: 8 errors, 5 warnings, 0 info*",
    ])


def test_fail_on_never_exits_0_and_warning_level_counts():
    assert audit_cli("check", "datasets/azerbaijan-2019", "--fail-on", "never").returncode == 0
    # Croatia's run has no error, so --fail-on error passes; the exit depends only on severity
    out = audit_cli("check", "datasets/croatia-2014", "--format", "json")
    doc = json.loads(out.stdout)
    assert out.returncode == (1 if doc["summary"]["findings"]["error"] else 0)


def test_json_format_is_the_same_run():
    out = audit_cli("check", "datasets/azerbaijan-2019", "--format", "json")
    doc = json.loads(out.stdout)
    assert out.returncode == 1
    assert doc["dataset"]["name"] == "azerbaijan-2019"
    assert doc["summary"]["findings"] == {"error": 8, "warning": 5, "info": 0}
    assert {"rule", "severity", "message", "locations", "observed", "expected", "difference", "tolerance",
            "fingerprint"} <= set(doc["findings"][0])


def test_many_datasets_from_a_folder():
    out = audit_cli("check", "datasets", "--format", "json", "--fail-on", "never")
    assert out.returncode == 0
    doc = json.loads(out.stdout)
    assert len(doc["runs"]) >= 4


def test_clean_dataset_exits_0(tmp_path):
    folder = tmp_path / "azerbaijan-fixed"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", folder)
    (folder / "claims.yaml").write_text("claims: []\n")
    for name, old, new in [
        ("table1-mined-area-by-type.csv", "Totals,,17,", "Totals,,16,"),
        ("table2-ap-mined-area-by-region.csv", "Khojavend,1,226500,0,50000", "Khojavend,1,226500,1,50000"),
        ("table2-ap-mined-area-by-region.csv", "Aghjabedi,0,0,1,0", "Aghjabedi,0,0,0,0"),
        ("table3-mine-clearance-2018.csv", "Aghdam,RA,0,", "Aghdam,RA,1,"),
        ("table3-mine-clearance-2018.csv", "Aghjabedi,RA,0,", "Aghjabedi,RA,1,"),
        ("table3-mine-clearance-2018.csv", "Totals,,5,", "Totals,,7,"),
    ]:
        path = folder / name
        path.write_text(path.read_text().replace(old, new))
    out = audit_cli("check", str(folder))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 errors" in out.stdout


def test_rules_lists_every_rule_with_its_title():
    out = audit_cli("rules")
    assert out.returncode == 0
    for rule_id in ("printed-totals", "claim-mined-areas", "ap-estimate-stock-and-flow"):
        assert rule_id in out.stdout
    assert "Printed totals equal the sum of their rows" in out.stdout


def test_explain_prints_the_kind_documentation():
    out = audit_cli("explain", "totals")
    assert out.returncode == 0
    assert "printed total" in out.stdout and "Parameters:" in out.stdout
    assert audit_cli("explain", "nonsense").returncode == 2


def test_bad_arguments_exit_2():
    assert audit_cli("check").returncode == 2
    assert audit_cli("check", "datasets/azerbaijan-2019", "--format", "xml").returncode == 2
    out = audit_cli("check", "no/such/folder")
    assert out.returncode == 2 and "no such dataset folder" in out.stderr
    assert "Traceback" not in out.stderr


def test_many_datasets_end_with_a_summary_table():
    out = audit_cli("check", "datasets", "--fail-on", "never")
    match_lines(out.stdout, ["4 datasets*", "*dataset*errors*warnings*", "*azerbaijan-2019*8*5*",
                             "*croatia-2014*0*0*", "4 datasets: 8 errors, 5 warnings, 0 info"])


def test_a_progress_bar_shows_on_a_terminal(tmp_path):
    """Under a pseudo-terminal (util-linux `script`), the bar names each dataset as it goes."""
    import subprocess
    import sys
    from pathlib import Path
    exe = Path(sys.executable).parent / "audit"
    typescript = subprocess.run(["script", "-qc", f"{exe} check datasets --fail-on never", "/dev/null"],
                                cwd=ROOT, capture_output=True, text=True, timeout=120).stdout
    for name in ("azerbaijan-2019", "croatia-2014", "serbia-2014", "tajikistan-2014"):
        assert f"auditing {name}" in typescript
    plain = audit_cli("check", "datasets", "--fail-on", "never")
    assert "auditing" not in plain.stdout + plain.stderr  # no bar when not on a terminal


def test_a_crash_exits_2_with_one_line_not_1_with_a_traceback(monkeypatch, capsys):
    """An exception the engine did not expect is a bug: exit 2 (the audit could not run), never 1
    (findings), with one line naming the command and its inputs; AUDIT_DEBUG=1 shows the traceback."""
    import pytest

    from audit import cli, runner

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(runner, "audit_dataset", broken)
    monkeypatch.delenv("AUDIT_DEBUG", raising=False)
    assert cli.main(["check", "datasets/azerbaijan-2019"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("audit: datasets/azerbaijan-2019: internal error in 'audit check': KeyError: 'surprise'")
    assert "AUDIT_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setenv("AUDIT_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.main(["check", "datasets/azerbaijan-2019"])


def test_explain_documents_the_kinds_over_figures(monkeypatch, capsys):
    import dataclasses

    from audit import cli
    from audit.figures import kinds as figure_kinds

    for name, kind in figure_kinds.KINDS.items():
        out = audit_cli("explain", name)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith(f"{name}: ") and "Parameters:" in out.stdout
        assert "A kind of rule over figures" in out.stdout
        for f in dataclasses.fields(kind.Params):
            assert f"  {f.name.rstrip('_')}: {f.metadata['doc']}" in out.stdout
        assert all(f"{{{p}}}" in out.stdout for p in kind.placeholders)
    missing = audit_cli("explain", "nonsense")
    assert missing.returncode == 2 and "additivity" in missing.stderr and "totals" in missing.stderr
    # a name of both layouts (none today) documents the table kind
    monkeypatch.setitem(figure_kinds.KINDS, "totals", figure_kinds.KINDS["additivity"])
    assert cli.main(["explain", "totals"]) == 0
    out = capsys.readouterr().out
    assert "Kind `totals`" in out and "over figures" not in out


def test_explain_takes_a_folder_of_datasets_in_the_figure_layout():
    out = audit_cli("explain", "datasets/figures", "--format", "json")
    assert out.returncode == 0, out.stderr
    docs = json.loads(out.stdout)
    assert sorted(d["dataset"] for d in docs) == sorted(p.name for p in (ROOT / "datasets" / "figures").iterdir()
                                                        if p.is_dir())
    # --explain on check: the figures' findings carry their explanation, and nothing is said about it
    out = audit_cli("check", "datasets/figures/azerbaijan-2019", "--explain", "--format", "json")
    assert out.returncode == 1 and out.stderr == ""
    assert any("explanation" in f for f in json.loads(out.stdout)["findings"])
