"""The registry of reporters: each renders a list of runs to a stream.

To add a reporter: write `audit/reporters/<name>.py` with `report(runs, stream, fail_on)` and list
it in `REPORTERS`. Reporters only ever see `Run` and `Finding` objects.
"""
from __future__ import annotations

from . import github_report, json_report, junit_report, markdown_report, sarif_report, text_report

REPORTERS = {
    "text": text_report.report,
    "json": json_report.report,
    "junit": junit_report.report,
    "sarif": sarif_report.report,
    "github": github_report.report,
    "markdown": markdown_report.report,
}
