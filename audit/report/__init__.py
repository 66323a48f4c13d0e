"""Reports for people: `audit report PATH... --out DIR` writes Markdown and self-contained HTML.

Layout of `DIR` (always the same, for one dataset or many):

    DIR/index.html        the datasets side by side: ranked by errors, findings per dataset and rule
    DIR/index.md          (a matrix), the rules that fire most often; links to each dataset's page
    DIR/<stem>.html       one page per dataset: summary (rules run, passed, failed, not applicable,
    DIR/<stem>.md         broken; findings by severity), the multi-year series as charts, every
                          finding with the reported value (observed), the value the other figures
                          imply (expected), the difference, the tolerance applied and where each
                          figure was printed (table, row, column and source line, or the claim's
                          locator and quote), and the status of every rule.

`<stem>` is the dataset's name with anything but letters, digits, `.`, `_` and `-` replaced by
`-`, cut to 80 characters; a name that would clash with `index` or with another dataset gets
`-2`, `-3`... in the order the runs are given. Nothing else in `DIR` is touched.

The HTML pages load nothing: styles inline, charts inline SVG drawn by `audit.report.charts`,
no script, no web font, and a Content-Security-Policy of `default-src 'none'`. Every text taken
from a dataset, a rule or a finding is escaped (`audit.escape.html_text`, quotes included). The
Markdown carries the same findings, each chart as the table of its figures, escaped with
`audit.escape.markdown_text`.

Output is deterministic: no timestamps or durations, datasets in the order given (the index ranks
them by errors, ties by name), findings by severity and then in rule order, so that reports kept
in a repository can be compared.

Charts, chosen from the data (see `audit.report.model`):
- every table with a `year` field and a numeric column (e.g. `clearance_summary`): the series by
  year, with the years that a `change` or `compare` finding points into marked and linked;
- every `totals` finding: the printed total beside the sum of its rows, split into the rows;
- every `stock_flow` finding: the estimates over time against what the releases (and additions)
  in between imply, with the tolerance and the yearly flows;
- for a dataset in the figure layout, the same charts drawn from its figures rather than its
  tables (`audit.report.figures`): every measure printed for several periods at one combination
  of members, every `additivity` finding's whole beside its parts, every `balance` finding's
  stock over time;
- on the index: the findings per dataset by severity.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Dataset
    from ..findings import Run

__all__ = ["write_reports", "file_stems"]

RESERVED = {"index"}
MAX_STEM = 80  # file systems take 255 bytes per name; a long dataset name must not stop the report


def file_stems(names: list[str]) -> list[str]:
    """A safe, unique file stem for each dataset name, in order."""
    import re

    used: set[str] = set()
    out = []
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(name))[:MAX_STEM].strip("-.") or "dataset"
        stem, n = base, 2
        while stem.lower() in used or stem.lower() in RESERVED:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem.lower())
        out.append(stem)
    return out


def write_reports(runs: list["Run"], datasets: dict[str, "Dataset"], out: Path) -> list[Path]:
    """Write the HTML and Markdown reports of `runs` into `out` (created if missing).

    `datasets` maps `run.dataset` to the loaded dataset; the charts read the figures from it, or,
    for a dataset in the figure layout, from the figures its run kept (`Run.figures`, see
    `audit.figures.run.audit_figures`). A run without either still gets its page, without charts. Returns the paths written: the index
    (HTML, Markdown), then each dataset's page (HTML, Markdown), in the order of `runs`.
    """
    from .html import dataset_page, index_page
    from .markdown import dataset_markdown, index_markdown
    from .model import build_dataset_view, build_index, clear_caches

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stems = file_stems([run.dataset for run in runs])
    try:
        views = [build_dataset_view(run, datasets.get(run.dataset), stem) for run, stem in zip(runs, stems)]
    finally:
        clear_caches()
    index = build_index(views)
    pages: list[tuple[Path, str]] = [(out / "index.html", index_page(index)), (out / "index.md", index_markdown(index))]
    for view in views:
        pages.append((out / f"{view.stem}.html", dataset_page(view)))
        pages.append((out / f"{view.stem}.md", dataset_markdown(view)))
    written = []
    for path, text in pages:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        written.append(path)
    return written
