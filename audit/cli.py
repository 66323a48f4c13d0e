"""The `audit` command line.

    audit check PATH... [--rules DIR] [--format text|json] [--fail-on error|warning|info|never]
    audit rules [--rules DIR]
    audit explain KIND

Exit codes: 0 no finding at or above the failing severity; 1 findings that fail the run;
2 the audit could not run (bad rule file, bad dataset, bad arguments) or a rule broke.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import AuditInputError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # bad arguments: exit 2 with a one-line message, like a linter
        self.print_usage(sys.stderr)
        print(f"audit: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .reporters import REPORTERS

    p = _Parser(prog="audit", description="Audit reported data for internal inconsistencies.")
    p.add_argument("--version", action="version", version=f"audit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser("check", help="audit datasets and report every discrepancy")
    check.add_argument("paths", nargs="+", metavar="PATH", help="dataset folders (or folders of datasets)")
    check.add_argument("--rules", metavar="DIR", help="rule pack folder (default: the pack for the dataset's profile)")
    check.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format (default: text)")
    check.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error",
                       help="lowest severity that fails the run (default: error)")
    rules = sub.add_parser("rules", help="list the rules of a pack")
    rules.add_argument("--rules", metavar="DIR", help="rule pack folder (default: every pack under rules/)")
    explain = sub.add_parser("explain", help="print the documentation of a rule kind")
    explain.add_argument("kind")
    return p


def expand_paths(paths: list[str]) -> list[Path]:
    """Dataset folders: each path, or the dataset folders directly inside it."""
    from .dataset import find_descriptor

    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and find_descriptor(path) is None:
            children = sorted(c for c in path.iterdir() if c.is_dir() and find_descriptor(c))
            out.extend(children or [path])
        else:
            out.append(path)
    return out


def cmd_check(args) -> int:
    from .findings import Run
    from .pack import find_pack, load_pack
    from .reporters import REPORTERS
    from .runner import audit_dataset

    runs: list[Run] = []
    packs: dict[Path, object] = {}
    from .dataset import load_dataset

    for path in expand_paths(args.paths):
        dataset = load_dataset(path)
        folder = find_pack(dataset.profile, args.rules).resolve()
        if folder not in packs:
            packs[folder] = load_pack(folder)
        runs.append(audit_dataset(path, pack=packs[folder], dataset=dataset))
    REPORTERS[args.format](runs, sys.stdout, fail_on=args.fail_on)
    if any(r.status == "broken" for run in runs for r in run.rules):
        return EXIT_ERROR
    return EXIT_FINDINGS if any(run.fails(args.fail_on) for run in runs) else EXIT_OK


def cmd_rules(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from .pack import default_rules_dirs, load_pack

    if args.rules and (Path(args.rules) / "pack.yaml").is_file():
        folders = [Path(args.rules)]
    else:
        bases = [Path(args.rules)] if args.rules else default_rules_dirs()
        base = next((b for b in bases if b.is_dir()), None)
        folders = sorted(p.parent for p in base.glob("*/pack.yaml")) if base else []
    console = Console(width=None if sys.stdout.isatty() else 200)
    for folder in folders:
        pack = load_pack(folder)
        table = Table(title=f"{pack.title} ({pack.profile}) - {folder}", title_justify="left")
        for col in ("rule", "kind", "severity"):
            table.add_column(col, no_wrap=True)
        table.add_column("title")
        for k in pack.rules:
            table.add_row(k.rule.id, k.rule.kind, k.rule.severity, k.rule.title)
        console.print(table)
    return EXIT_OK


def cmd_explain(args) -> int:
    import dataclasses
    import inspect

    from .kinds import KINDS

    kind = KINDS.get(args.kind)
    if kind is None:
        print(f"audit: unknown kind '{args.kind}' (one of {', '.join(KINDS)})", file=sys.stderr)
        return EXIT_ERROR
    print(inspect.getdoc(inspect.getmodule(kind)))
    print("\nParameters:")
    for f in dataclasses.fields(kind.Params):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        default = "required" if required else f"default: {f.default if f.default is not dataclasses.MISSING else f.default_factory()!r}"
        print(f"  {f.name.rstrip('_')}: {f.metadata['doc']} ({default})")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"check": cmd_check, "rules": cmd_rules, "explain": cmd_explain}[args.command](args)
    except AuditInputError as exc:
        for problem in exc.problems:
            print("audit: " + problem.render(), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
