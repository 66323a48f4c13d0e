"""The Python API, for notebooks and scripts.

    import audit
    result = audit.check("datasets/azerbaijan-2019")
    result.findings          # a pandas DataFrame, one row per finding and location
    result                   # in Jupyter: the summary and the findings by rule
    result.runs[0].rules     # per-rule outcomes

    audit.check(descriptor=meta, tables={"contamination_by_region": df})   # a dataset in memory
    audit.contract_schemas("rules/mine-action")   # {table: pandera.DataFrameSchema}
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
        return pd.DataFrame(self._summary_rows())

    def _summary_rows(self) -> list[dict]:
        return [{"dataset": run.dataset, **run.status_counts(),
                 **{s: sum(1 for f in run.findings if f.severity == s and not f.accepted) for s in SEVERITIES},
                 "accepted": sum(f.accepted for f in run.findings), "seconds": round(run.seconds, 3)}
                for run in self.runs]

    def failed(self, fail_on: str = "error") -> bool:
        return any(run.fails(fail_on) for run in self.runs)

    def _repr_html_(self) -> str:
        """The result in Jupyter: the summary of each dataset, then its findings grouped by rule
        (id, title, severity, count; each finding's message and places, at most `HTML_FINDINGS`
        per rule), and the rules that broke with their reason. Needs no pandas; every value
        goes through `audit.escape.html_text`."""
        h = html_text
        rows = self._summary_rows()
        n = sum(len(r.findings) for r in self.runs)
        head = "".join(f"<th>{h(c)}</th>" for c in rows[0]) if rows else ""
        body = "".join("<tr>" + "".join(f"<td>{h(v)}</td>" for v in row.values()) + "</tr>" for row in rows)
        out = [f"<div class=\"audit-result\"><p><b>audit</b>: {len(self.runs)} dataset(s), {n} finding(s)</p>",
               f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"]
        for run in self.runs:
            out.append(_run_html(run, len(self.runs) > 1))
        out.append("</div>")
        return "".join(out)

    def __repr__(self) -> str:
        parts = [f"{r.dataset}: " + ", ".join(f"{v} {k}" for k, v in r.counts().items()) for r in self.runs]
        return "AuditResult(" + "; ".join(parts) + ")"


HTML_FINDINGS = 50  # findings listed per rule in a notebook; `.findings` has them all
HTML_PLACES = 12  # places listed per finding


def _run_html(run: Run, named: bool) -> str:
    """One dataset's findings by rule, and its broken rules, as HTML (every value escaped)."""
    h = html_text
    out = [f"<h4>{h(run.dataset)}</h4>"] if named else []
    with_findings = [r for r in run.rules if r.findings]
    if with_findings:
        out.append("<table><thead><tr><th>rule</th><th>title</th><th>severity</th><th>findings</th></tr></thead><tbody>")
        for r in with_findings:
            count = len(r.findings) + r.truncated
            out.append(f"<tr><td><code>{h(r.rule)}</code></td><td>{h(r.title)}</td><td>{h(r.severity)}</td>"
                       f"<td>{count}</td></tr><tr><td colspan=\"4\"><ul>")
            for f in r.findings[:HTML_FINDINGS]:
                accepted = f" <i>(accepted: {h(f.baseline_reason or 'baseline')})</i>" if f.accepted else ""
                places = "".join(f"<li>{_place_html(loc)}</li>" for loc in f.locations[:HTML_PLACES])
                if len(f.locations) > HTML_PLACES:
                    places += f"<li>and {len(f.locations) - HTML_PLACES} more</li>"
                out.append(f"<li>{h(f.message)}{accepted}<ul style=\"font-size: smaller\">{places}</ul></li>")
            if count > HTML_FINDINGS:
                out.append(f"<li><i>and {count - HTML_FINDINGS} more: see .findings</i></li>")
            out.append("</ul></td></tr>")
        out.append("</tbody></table>")
    broken = [r for r in run.rules if r.status == "broken"]
    if broken:
        out.append("<p>broken rules:</p><ul>" + "".join(f"<li><code>{h(r.rule)}</code>: {h(r.reason or '')}</li>"
                                                       for r in broken) + "</ul>")
    if not with_findings and not broken:
        out.append("<p>no findings</p>")
    return "".join(out)


def _place_html(loc) -> str:
    """Where a figure of a finding is (`file:row column = value`), with its role and label."""
    h = html_text
    where = loc.place if loc.row is not None or loc.cell else loc.file
    text = f"<code>{h(where)}</code>"
    if loc.column:
        text += f" {h(loc.column)}"
    if loc.value is not None:
        text += f" = {h(loc.value)}"
    extra = ", ".join(h(x) for x in (loc.role, loc.label) if x)
    return text + (f" ({extra})" if extra else "")


def check(*paths: str | Path, rules: str | Path | None = None, baseline: str | Path | None = None,
          descriptor: Mapping | None = None, tables: Mapping[str, Any] | None = None,
          databases: Mapping[str, str] | None = None) -> AuditResult:
    """Audit datasets like `audit check`; raises AuditInputError on bad input.

    Either `paths` (dataset folders, or folders of datasets), or one dataset held in memory:
    `descriptor`, what its `datapackage.yaml` holds as a dict (either layout), and `tables`, a
    pandas or Polars DataFrame (or a mapping of column names to lists) for each resource, by its
    name. The descriptor is checked as a file is (its problems name the key path); its paths are
    not read, and its claims are given in it (`"claims": [...]`, the list a claims file holds).
    Each column is read as the text a report prints (`audit.frames`), so the same rules give the
    same findings as for the CSV files; a finding names the frame and row (`<frame NAME>:3`, the
    frame's third row). Keyword arguments rather than a DataFrame-first signature: the descriptor
    is what says what each column means, and a dataset has several tables. `databases`: the
    connections that database resources name (`{"national": "postgresql://reader@host/db"}`, as
    `--database` gives them; `audit.databases`).
    """
    from .cli import audit_paths
    from .databases import use_connections

    use_connections(dict(databases or {}))

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
        pack = load_pack(find_pack(dataset.profile, rules, dataset.descriptor))
        runs = [audit_dataset(DESCRIPTOR, pack=pack, dataset=dataset)]
    show_runs(runs)
    return runs


def contract_schemas(rules: str | Path) -> dict:
    """The table contracts of a rule pack (its `contracts.yaml`) as pandera schemas, by table:
    `audit.contract_schemas("rules/mine-action")["contamination_by_region"].validate(df)`.
    `rules` is a pack folder, or the profile of a pack where packs are found. Needs the pandera
    extra; see `audit.contracts.contract_schemas` for what each schema checks."""
    from .extras import need
    from .pack import find_pack, load_pack

    need("pandas", "audit.contract_schemas()", "pandera")
    from .contracts import _pandera, contract_schemas as schemas

    try:
        _pandera()
    except ImportError:
        need("pandera", "audit.contract_schemas()")
        raise
    from .figures.pack import is_figure_pack

    folder = Path(rules)
    if not (folder / "pack.yaml").exists():
        folder = find_pack(str(rules), None)
    if is_figure_pack(folder) and not (folder / "contracts.yaml").exists():
        raise AuditInputError(Problem(str(folder), "a pack of figures (vocabulary.yaml) has no table contracts",
                                      hint="its tables are described by their descriptors; give a pack with "
                                           "contracts.yaml"))
    return schemas(load_pack(folder))
