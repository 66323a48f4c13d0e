"""How long a corpus of many small editions takes to audit in the figure model.

Writes N copies of `datasets/figures/azerbaijan-2019` (each its own edition of its own country,
so that no two share coordinates), then times `audit check` on the folder holding them all: one
process, one store of every figure, each rule run once over the corpus, the report written to a
file (JSON, then the text report a terminal gets). `--formats report` times `audit report` instead:
the HTML and Markdown pages of every edition and the index, charts included. Prints the seconds
for each N and format, and the ratio per edition to the first (the machine is shared: compare the
ratios of one run).

    .venv/bin/python bench/corpus.py [--editions 100 1000] [--runs 1] [--formats json text report]
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "datasets" / "figures" / "azerbaijan-2019"


def write_corpus(folder: Path, n: int) -> Path:
    corpus = folder / f"corpus-{n}"
    for i in range(n):
        target = corpus / f"edition-{i:05d}"
        shutil.copytree(SOURCE, target)
        descriptor = target / "datapackage.yaml"
        text = descriptor.read_text()
        text = re.sub(r"^name: .*$", f"name: edition-{i:05d}", text, count=1, flags=re.M)
        text = text.replace("at: {country: Azerbaijan}", f"at: {{country: Country {i:05d}}}")
        descriptor.write_text(text)
    return corpus


def timed(corpus: Path, fmt: str) -> float:
    """Seconds of one `audit check CORPUS --format FMT`, its report written to a file (stdout); for
    `report`, of one `audit report CORPUS --out DIR` (a new folder each time)."""
    if fmt == "report":
        out_dir = Path(tempfile.mkdtemp(dir=corpus.parent, prefix=f"{corpus.name}-report-"))
        command = ["report", str(corpus), "--out", str(out_dir)]
    else:
        command = ["check", str(corpus), "--fail-on", "never", "--format", fmt]
    start = time.perf_counter()
    with open(corpus.parent / f"{corpus.name}.{fmt}", "w") as report:
        out = subprocess.run([sys.executable, "-m", "audit", *command], stdout=report, stderr=subprocess.PIPE,
                             text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--editions", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--formats", nargs="+", default=["json", "text"], help="the report formats timed")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for n in args.editions:
            corpus = write_corpus(Path(tmp), n)
            for fmt in args.formats:
                seconds = statistics.median(timed(corpus, fmt) for _ in range(args.runs))
                base = base or seconds / n
                print(f"{n:>6} editions  --format {fmt:<5} {seconds:7.2f} s  {1000 * seconds / n:6.1f} ms per edition  "
                      f"x{seconds / n / base:.2f} per edition vs the first")


if __name__ == "__main__":
    main()
