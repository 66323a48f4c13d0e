"""The Python API, for notebooks and scripts.

    import audit
    result = audit.check("datasets/azerbaijan-2019")
    result.findings          # a pandas DataFrame, one row per finding and location
    result                   # renders a summary table in Jupyter
    result.runs[0].rules     # per-rule outcomes
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AuditInputError, Problem
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


def check(*paths: str | Path, rules: str | Path | None = None, baseline: str | Path | None = None,
          descriptor: Mapping | None = None, tables: Mapping[str, Any] | None = None) -> AuditResult:
    """Audit datasets like `audit check`; raises AuditInputError on bad input.

    Either `paths` (dataset folders, or folders of datasets), or one dataset held in memory:
    `descriptor`, what its `datapackage.yaml` holds as a dict (either layout), and `tables`, a
    pandas or Polars DataFrame (or a mapping of column names to lists) for each resource, by its
    name. The descriptor is checked as a file is (its problems name the key path); its paths are
    not read, and its claims are given in it (`"claims": [...]`, the list a claims file holds).
    Each column is read as the text a report prints (`audit.frames`), so the same rules give the
    same findings as for the CSV files; a finding names the frame and row (`<frame NAME>:3`, the
    frame's third row). Keyword arguments rather than a DataFrame-first signature: the descriptor
    is what says what each column means, and a dataset has several tables.
    """
    from .cli import audit_paths

    if descriptor is not None or tables is not None:
        if paths:
            raise AuditInputError(Problem("audit.check", "give dataset paths or descriptor= and tables=, not both"))
        runs = _check_memory(descriptor, tables, rules)
    else:
        runs = audit_paths([str(p) for p in paths], str(rules) if rules else None)
    if baseline:
        from .baseline import apply_baseline, load_baseline
        apply_baseline(runs, load_baseline(baseline))
    return AuditResult(runs)


def _check_memory(descriptor: Any, tables: Any, rules: str | Path | None) -> list[Run]:
    """The run of one dataset in memory (see `check`), in whichever layout its descriptor is."""
    from .dataset import load_dataset
    from .figures.load import is_figure_layout, load_figures
    from .figures.pack import is_figure_pack, load_figure_pack
    from .figures.run import audit_loaded
    from .frames import DESCRIPTOR, Frames, descriptor_tree
    from .pack import find_pack, load_pack
    from .paths import show_runs
    from .runner import audit_dataset

    if descriptor is None:
        raise AuditInputError(Problem("audit.check", "tables= needs descriptor=, the dataset's descriptor as a dict",
                                      hint="the descriptor says what each column of each table is"))
    meta = descriptor_tree(descriptor, DESCRIPTOR)
    frames = Frames(tables)
    if is_figure_layout(meta):
        profile = meta.get("auditProfile") or meta.get("profile")
        folder = find_pack(str(profile) if profile else None, rules).resolve()
        if not is_figure_pack(folder):
            raise AuditInputError(Problem(DESCRIPTOR, f"the dataset maps its columns to figures, but the pack {folder} "
                                          "has no vocabulary.yaml", hint="give rules= a pack of figures"))
        pack = load_figure_pack(folder)
        runs = audit_loaded([load_figures(DESCRIPTOR, pack.vocabulary, meta, frames)], pack)
    else:
        dataset = load_dataset(DESCRIPTOR, {DESCRIPTOR: meta}, frames)
        pack = load_pack(find_pack(dataset.profile, rules))
        runs = [audit_dataset(DESCRIPTOR, pack=pack, dataset=dataset)]
    show_runs(runs)
    return runs
