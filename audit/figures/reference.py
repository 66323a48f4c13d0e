"""Reference figures: facts a pack ships beside its rules, from outside the reports it audits.

A report states "2.2% of the whole" but never prints the whole: the share cannot be checked
from the report's figures alone. A pack's `reference.yaml` gives such facts as figures (written
as claims are), each with the source it was taken from:

```yaml
figures:
  - id: utopia-size
    measure: size                    # a measure of the vocabulary
    at: {country: Utopia}            # its coordinates: the datasets it applies to
    value: 12,345
    unit: acre
    period: end 2020                 # when the source gives it
    source: "An atlas, 2021 edition: Utopia, total size"   # required: where the figure comes from
```

Every dataset of a run that prints a figure at each member a reference figure names (Utopia, for
every edition about Utopia) is given a copy of it, of origin `reference`: the kinds read it as
they read a printed figure, and a finding that uses it names the file, the line and the source.
A reference figure holds for any period of the reports (the area of a country), so a relation
that looks for it finds it whatever its period (see `stated`). Reference figures are never
compared with each other, summed or balanced: they are not what a report says.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from ..errors import ProblemCollector
from ..yamlio import load_yaml
from ..dataset import _line
from .load import FigureDataset, _load_claims
from .model import Figure
from .vocabulary import Vocabulary

REFERENCE_FILE = "reference.yaml"
ORIGIN = "reference"


def load_reference(path: Path, vocab: Vocabulary, problems: ProblemCollector) -> list[Figure]:
    """The figures of a reference file (none when the pack has no such file); each problem at its line."""
    if not path.is_file():
        return []
    display = str(path)
    data = load_yaml(path, display, kind="reference")
    items = data.get("figures") if isinstance(data, dict) else None
    if not isinstance(items, list):
        problems.add(display, "a reference file holds a list of figures under 'figures'", 1)
        return []
    claims = []
    for i, item in enumerate(items):
        line = _line(item) or 1
        source = item.get("source") if isinstance(item, dict) else None
        if not isinstance(source, str) or not source.strip():
            problems.add(display, f"reference figure {i + 1} needs 'source': where its value comes from", line,
                         field="source", hint="name the publication, its edition and the entry the value is read from")
            continue
        if any(k in item for k in ("change", "share", "ratio", "members", "direction", "qualifier")):
            problems.add(display, f"reference figure {i + 1} states a relation or a qualifier; a reference is a "
                         "figure as its source gives it", line)
            continue
        del item["source"]  # read as a claim whose quote is its source (the file was read here, for this)
        item["quote"] = source
        claims.append(item)
    scratch = FigureDataset(name="", root=path.parent, descriptor=display, edition="reference", meta={}, profile=None,
                            figures=[], statements=[], blanks=[], links=[], sources={})
    _load_claims(scratch, None, display, {}, vocab, problems, {"claims": claims})
    for f in scratch.figures:
        f.source = f.origin = ORIGIN
        f.provenance = f.quote
    return scratch.figures


def with_reference(datasets: list[FigureDataset], reference: list[Figure], vocab: Vocabulary) -> list[FigureDataset]:
    """The datasets, each with a copy of the reference figures that apply to it (every member a
    reference figure names, other than a dimension's whole, is a member the dataset prints); the
    datasets given are not changed."""
    if not reference:
        return datasets
    named = {d: vocab.dimensions[d].all for r in reference for d, m in r.coords.items() if m != vocab.dimensions[d].all}
    out = []
    for ds in datasets:  # the members each dataset prints, on the dimensions reference figures name only
        printed = {d: {f.coords[d] for f in ds.figures} for d in named}
        mine = [dataclasses.replace(r, dataset=ds.name, edition=ds.edition) for r in reference
                if all(m == named.get(d, m) or m in printed[d] for d, m in r.coords.items())]
        out.append(dataclasses.replace(ds, figures=ds.figures + mine) if mine else ds)
    return out
