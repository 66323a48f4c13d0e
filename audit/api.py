"""The Python API, for notebooks and scripts.

    import audit
    result = audit.check("datasets/azerbaijan-2019")
    result.findings          # a pandas DataFrame, one row per finding and location
    result                   # renders a summary table in Jupyter
    result.runs[0].rules     # per-rule outcomes
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .escape import html_text
from .findings import SEVERITIES, Run


@dataclass
class AuditResult:
    runs: list[Run]

    @property
    def findings(self):
        """Every finding with each place involved, as a DataFrame (see audit.export.COLUMNS), with
        the plain values (no spreadsheet neutralisation: that is for the CSV file only)."""
        from .export import frame
        return frame(self.runs)

    def summary(self):
        """One row per dataset: rule outcomes and findings by severity."""
        from .extras import need

        pd = need("pandas", "audit.check().summary()")

        rows = []
        for run in self.runs:
            rows.append({"dataset": run.dataset, **run.status_counts(),
                         **{s: sum(1 for f in run.findings if f.severity == s and not f.accepted)
                            for s in SEVERITIES},
                         "accepted": sum(f.accepted for f in run.findings), "seconds": round(run.seconds, 3)})
        return pd.DataFrame(rows)

    def failed(self, fail_on: str = "error") -> bool:
        return any(run.fails(fail_on) for run in self.runs)

    def _repr_html_(self) -> str:
        """The summary as an HTML table for Jupyter; every cell through `audit.escape.html_text`."""
        s = self.summary()
        head = "".join(f"<th>{html_text(c)}</th>" for c in s.columns)
        body = "".join("<tr>" + "".join(f"<td>{html_text(v)}</td>" for v in row) + "</tr>"
                       for row in s.itertuples(index=False))
        n = sum(len(r.findings) for r in self.runs)
        return (f"<p><b>audit</b>: {len(self.runs)} dataset(s), {n} finding(s)</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def __repr__(self) -> str:
        parts = [f"{r.dataset}: " + ", ".join(f"{v} {k}" for k, v in r.counts().items()) for r in self.runs]
        return "AuditResult(" + "; ".join(parts) + ")"


def check(*paths: str | Path, rules: str | Path | None = None, baseline: str | Path | None = None) -> AuditResult:
    """Audit datasets (folders, or folders of datasets) like `audit check`; raises AuditInputError on bad input."""
    from .cli import audit_paths

    runs = audit_paths([str(p) for p in paths], str(rules) if rules else None)
    if baseline:
        from .baseline import apply_baseline, load_baseline
        apply_baseline(runs, load_baseline(baseline))
    return AuditResult(runs)
