"""The `audit` command line.

    audit check [PATH...] [--rules DIR] [--format FORMAT] [--output FILE] [--fail-on SEVERITY]
                          [--baseline FILE] [--diff-base REV] [--engine duckdb|spark]
                          [--select RULES] [--ignore RULES] [--quiet | --verbose] [--no-config]
    audit baseline create PATH... -o FILE [--rules DIR]
    audit diff OLD NEW [-- PATH...] [--format text|markdown|json] [--rules DIR]
    audit report PATH... --out DIR [--rules DIR]
    audit export PATH... -o FILE.csv|FILE.parquet [--rules DIR] [--baseline FILE]
    audit rules [ID...] [--rules DIR]
    audit explain PATH... [--rules DIR] [--format text|json] [--severity error|warning|info] [-o FILE]
    audit explain KIND
    audit lint RULES [--dataset PATH] [--format text|json]
    audit migrate DIR [--to PACK] [--out OUT]
    audit init FOLDER --profile PROFILE [--rules DIR] [--output FILE|-] [--force]

Options of `audit check` not given are read from `[tool.audit]` in pyproject.toml or from
audit.toml (audit/config.py). Exit codes: 0 no finding at or above the failing severity; 1 findings
that fail the run; 2 the audit could not run (bad rule file, bad dataset, bad arguments, bad
configuration) or a rule broke.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import AuditInputError, Problem
from .outputs import refuse_overwrite, run_inputs

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # bad arguments: exit 2 with a one-line message, like a linter
        self.print_usage(sys.stderr)
        print(f"audit: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .reporters import REPORTERS

    p = _Parser(prog="audit", description="Audit reported data for internal inconsistencies.",
                epilog="Exit codes: 0 no finding at or above the failing severity; 1 findings that fail the run; "
                       "2 the audit could not run.")
    p.add_argument("--version", action="version", version=f"audit {__version__}", help="print the version and exit")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND",
                           help="what to do (audit COMMAND --help for its options)")
    check = sub.add_parser("check", help="audit datasets and report every discrepancy",
                           description="Audit datasets and report every discrepancy. Options not given are "
                                       "read from [tool.audit] in pyproject.toml or from audit.toml, found "
                                       "from the working directory upwards.")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="dataset folders (or folders of datasets); default: 'paths' of the configuration")
    check.add_argument("--rules", metavar="DIR", help="rule pack folder (default: the pack for the dataset's profile)")
    check.add_argument("--profile", metavar="PROFILE",
                       help="the profile of datasets whose descriptor names none (e.g. one written by "
                            "`frictionless describe`): its pack is found as for auditProfile")
    check.add_argument("--format", choices=sorted(REPORTERS), default=None, help="output format (default: text)")
    check.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default=None,
                       help="lowest severity that fails the run (default: error)")
    check.add_argument("--output", "-o", metavar="FILE",
                       help="write the --format report to FILE; the terminal still shows the text report")
    check.add_argument("--baseline", metavar="FILE", help="accepted findings: fail only on findings not in it")
    check.add_argument("--engine", choices=["duckdb", "spark"], default=None,
                       help="what runs the rules' SQL (both layouts): DuckDB in-process (default) or Spark in local "
                            "mode (needs the spark extra and Java)")
    check.add_argument("--diff-base", metavar="REV",
                       help="git revision the change is against: locations on lines changed since it come first, "
                            "so annotations land on the changed lines")
    check.add_argument("--explain", action="store_true",
                       help="attach to each finding the smallest correction of the figures that resolves it "
                            "(see audit explain)")
    check.add_argument("--select", action="append", metavar="RULES",
                       help="report only these rules: ids, globs (claim-*) or severities (error, warning, info), "
                            "comma-separated or repeated")
    check.add_argument("--ignore", action="append", metavar="RULES",
                       help="do not report these rules: ids, globs or severities, comma-separated or repeated")
    noise = check.add_mutually_exclusive_group()
    noise.add_argument("--quiet", "-q", action="store_true",
                       help="text output: only the summary line of a failing run, nothing when the run passes")
    noise.add_argument("--verbose", "-v", action="store_true",
                       help="text output: also every passed rule, every place of a finding and each accepted finding")
    _database_option(check)
    check.add_argument("--no-config", action="store_true",
                       help="ignore pyproject.toml [tool.audit] and audit.toml")
    base = sub.add_parser("baseline", help="record the current findings as accepted")
    base_sub = base.add_subparsers(dest="baseline_command", required=True, parser_class=_Parser, metavar="ACTION",
                                   help="create: write a baseline of every current finding")
    create = base_sub.add_parser("create", help="write a baseline of every current finding")
    create.add_argument("paths", nargs="+", metavar="PATH", help="dataset folders (or folders of datasets)")
    create.add_argument("-o", "--output", metavar="FILE", required=True, help="the baseline file to write")
    _database_option(create)
    create.add_argument("--rules", metavar="DIR", help="rule pack folder (default: the pack for the dataset's profile)")
    diff = sub.add_parser("diff", help="new, resolved and unchanged findings between two versions",
                          description="OLD and NEW are two folders, or two git revisions of the repository "
                                      "in the working directory followed by -- and the dataset paths.")
    diff.add_argument("old", metavar="OLD", help="the old version: a folder or a git revision")
    diff.add_argument("new", metavar="NEW", help="the new version: a folder or a git revision")
    diff.add_argument("paths", nargs="*", metavar="PATH", help="with git revisions: the dataset paths to compare")
    diff.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                      help="output format (default: text; markdown for a pull-request comment)")
    _database_option(diff)
    diff.add_argument("--rules", metavar="DIR", help="rule pack folder (default: the pack for the dataset's profile)")
    diff.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error",
                      help="exit 1 when a new finding is at least this severe (default: error)")
    report = sub.add_parser("report", help="write Markdown and self-contained HTML discrepancy reports")
    report.add_argument("paths", nargs="+", metavar="PATH", help="dataset folders (or folders of datasets)")
    report.add_argument("--out", metavar="DIR", required=True, help="folder to write the reports to")
    report.add_argument("--rules", metavar="DIR", help="rule pack folder (default: the pack for the dataset's profile)")
    _database_option(report)
    report.add_argument("--explain", action="store_true",
                        help="with each finding, the smallest corrections that resolve it (see audit explain)")
    export = sub.add_parser("export", help="write every finding, one row per finding and location")
    export.add_argument("paths", nargs="+", metavar="PATH", help="dataset folders (or folders of datasets)")
    export.add_argument("-o", "--output", metavar="FILE", required=True, help="a .csv or .parquet file")
    export.add_argument("--rules", metavar="DIR", help="rule pack folder (default: the pack for the dataset's profile)")
    _database_option(export)
    export.add_argument("--baseline", metavar="FILE", help="mark the findings this baseline accepts")
    rules = sub.add_parser("rules", help="list the rules of the packs, or document one rule")
    rules.add_argument("ids", nargs="*", metavar="ID",
                       help="a rule id: print its documentation (title, kind, severity, message, hint, where it "
                            "is written, what it checks)")
    rules.add_argument("--rules", metavar="DIR", help="rule pack folder (default: every pack under rules/)")
    explain = sub.add_parser(
        "explain", help="say which reported figures are most likely wrong (or document a rule kind)",
        description="For each group of failed rules that are linear in the reported figures, the smallest "
                    "set of figures (by weight) whose correction makes every rule hold, with the new values, "
                    "every other set of equal weight, and the next best. With a rule kind's name instead of "
                    "a path: that kind's documentation.")
    explain.add_argument("paths", nargs="+", metavar="PATH", help="dataset folders, or the name of a rule kind")
    explain.add_argument("--rules", metavar="DIR", help="rule pack folder (default: the pack for the dataset's profile)")
    _database_option(explain)
    explain.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    explain.add_argument("--severity", choices=["error", "warning", "info"], default="error",
                         help="explain failed rules of at least this severity (default: error)")
    explain.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    explain.add_argument("--write-corrected", metavar="DIR",
                         help="write a copy of the dataset with the first best correction of every group applied "
                              "(one dataset only; DIR must be new or empty)")
    lint = sub.add_parser("lint", help="check a rule pack without data, or against a dataset's schema",
                          description="Load errors, rules a dataset cannot run, messages quoting placeholders "
                                      "the rule does not have, rules that can never fail or never pass, and sets "
                                      "of linear rules that contradict each other or make one redundant. "
                                      "Exit 1 when an error is found.")
    lint.add_argument("rules", metavar="RULES", help="the rule pack folder")
    lint.add_argument("--dataset", metavar="PATH", help="also check the rules against this dataset's tables")
    lint.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    migrate = sub.add_parser("migrate", help="rewrite a dataset of the table layout in the figure layout",
                             description="Reads a dataset of the table layout and writes it in the figure layout, "
                                         "as the receiving pack's migrate.yaml maps its tables, columns, "
                                         "dimensions and claim measures (see audit/migrate.py). The input is "
                                         "never changed; the CSVs are copied unchanged.")
    migrate.add_argument("path", metavar="DIR", help="the dataset folder (table layout)")
    migrate.add_argument("--to", metavar="PACK",
                         help="the pack of figures to migrate to: a folder or a profile (default: the pack whose "
                              "migrate.yaml maps from the dataset's profile)")
    migrate.add_argument("--out", metavar="OUT",
                         help="the new folder to write (default: figures/<name> beside DIR); never overwritten")
    schema = sub.add_parser("schema", help="the keys of each kind of input file, what each holds and is for",
                            description="Every file the audit reads is checked against the declaration of its "
                                        "kind before it is read (audit/schemas.py); this prints one. Without KIND, "
                                        "the kinds. Keys starting with 'x-' are extensions, allowed anywhere.")
    schema.add_argument("kind", nargs="?", metavar="KIND", help="a file kind (descriptor, claims, rules, ...)")
    schema.add_argument("--json", action="store_true",
                        help="print the declaration as JSON Schema (for an editor's YAML language server)")
    init = sub.add_parser("init", help="draft a descriptor for a folder of tables, every guess marked for review",
                          description="Reads the CSV files and spreadsheets (.xlsx) of FOLDER and drafts "
                                      "FOLDER/datapackage.yaml in the figure layout: each column's type from its "
                                      "values, and its measure, unit, period and dimension guessed from its header "
                                      "with the profile's vocabulary (names, synonyms, descriptions, unit and "
                                      "member spellings). Every guess carries a '# review:' comment saying what it "
                                      "was guessed from. No input file is changed.")
    init.add_argument("folder", metavar="FOLDER", help="the folder holding the tables (CSV files, .xlsx workbooks)")
    init.add_argument("--profile", required=True, metavar="PROFILE",
                      help="the profile whose vocabulary the columns are matched against (e.g. mine-action); "
                           "its pack of figures is found as for auditProfile")
    init.add_argument("--rules", metavar="DIR",
                      help="a pack of figures, or a folder of packs, to find the profile in (default: where packs "
                           "are found)")
    init.add_argument("--output", "-o", metavar="FILE",
                      help="write the draft to FILE instead of FOLDER/datapackage.yaml; '-' prints it")
    init.add_argument("--force", action="store_true",
                      help="overwrite an existing FOLDER/datapackage.yaml (or FILE)")
    return p


def expand_paths(paths: list[str]) -> list[Path]:
    """Dataset folders: each path, or the dataset folders directly inside it, or, for a folder
    of collections (one folder per country, each holding its editions), the dataset folders of
    each collection."""
    from .dataset import find_descriptor

    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and find_descriptor(path) is None:
            children = sorted(c for c in path.iterdir() if c.is_dir() and find_descriptor(c))
            if not children:  # a folder of collections
                children = sorted(d for c in path.iterdir() if c.is_dir() and not c.name.startswith(".")
                                  for d in c.iterdir() if d.is_dir() and find_descriptor(d))
            out.extend(children or [path])
        else:
            out.append(path)
    return out


def audit_paths(paths: list[str], rules: str | None, keep_datasets: dict | None = None, progress: bool = False,
                engine: str = "duckdb"):
    """Audit every dataset under the paths; one pack load per pack. With `progress`, a progress bar
    on the terminal (stderr) while several datasets are audited. `engine` runs the rules: duckdb or spark."""
    from .dataset import load_dataset
    from .pack import find_pack, load_pack
    from .runner import audit_dataset

    runs = []
    packs: dict[Path, object] = {}
    folders = expand_paths(paths)
    bar = None
    if progress and len(folders) > 1 and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from .escape import terminal_markup

        bar = Progress(TextColumn("auditing {task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        bar.start()
        task = bar.add_task("", total=len(folders))
    from .figures.run import figure_paths

    # datasets in the figure layout are audited together, one store per pack (their figures share one space)
    read: dict = {}  # descriptors read once: to tell the layouts apart, then to load the dataset
    folders, figure_runs = figure_paths(folders, rules, read, keep_figures=keep_datasets is not None, engine=engine)
    runs.extend(figure_runs)
    try:
        for path in folders:
            if bar:
                bar.update(task, description=terminal_markup(Path(path).name))
                bar.refresh()  # show each dataset's name even when it is audited between two redraws
            dataset = load_dataset(path, read)
            folder = find_pack(dataset.profile, rules, dataset.descriptor).resolve()
            if folder not in packs:
                packs[folder] = load_pack(folder)
            runs.append(audit_dataset(path, pack=packs[folder], dataset=dataset, engine=engine))
            if keep_datasets is not None:
                keep_datasets[runs[-1].dataset] = dataset
            if bar:
                bar.advance(task)
    finally:
        if bar:
            bar.stop()
    from .paths import show_runs

    show_runs(runs)
    return runs


def _database_option(parser) -> None:
    parser.add_argument("--database", action="append", metavar="NAME=URI", default=None,
                        help="the connection of a database that resources name (database: NAME), e.g. "
                             "monitor=postgresql://reader@localhost/monitor; or set AUDIT_DATABASE_NAME")


def _use_databases(given: list[str]) -> None:
    from .databases import CONNECTION_NAME, use_connections

    connections = {}
    for item in given:
        name, eq, uri = item.partition("=")
        if not eq or not CONNECTION_NAME.fullmatch(name) or not uri.strip():
            raise AuditInputError(Problem("--database", f"'{item[:40]}...' is not NAME=URI" if len(item) > 40
                                          else f"'{item}' is not NAME=URI",
                                          hint="name the connection as the resources do: --database "
                                               "monitor=postgresql://reader@localhost/monitor"))
        connections[name] = uri.strip()
    use_connections(connections)


def _profile_pack(args) -> None:
    """--profile P: the pack of profile P (under --rules DIR, or where packs are found) becomes the
    pack of the run, as if given with --rules; a dataset that names another profile is refused."""
    if getattr(args, "profile", None):
        from .pack import find_pack

        args.rules = str(find_pack(args.profile, args.rules))


def apply_config(args) -> None:
    """Fill the options of `audit check` not given on the command line from the configuration
    file, then from the defaults; `args.config` names the file used (None without one)."""
    from .config import find_config, load_config

    config = load_config(None if args.no_config else find_config())
    args.config = config.file
    given = config.values
    if not args.paths:
        args.paths = given.get("paths") or []
    if not args.paths:
        raise AuditInputError(Problem("audit check", "no dataset to audit",
                                      hint="give PATH..., or 'paths' under [tool.audit] in pyproject.toml "
                                           "or in audit.toml"))
    for key, default in (("rules", None), ("baseline", None), ("format", "text"), ("fail_on", "error"),
                         ("engine", "duckdb")):
        if getattr(args, key) is None:
            setattr(args, key, given.get(key.replace("_", "-"), default))
    from .selection import split_values

    args.select = split_values(args.select) if args.select else split_values(given.get("select"))
    args.ignore = split_values(args.ignore) if args.ignore else split_values(given.get("ignore"))


def baseline_missing(baseline: str, paths: list[str]) -> Problem:
    """The first run of a baseline (a pre-commit hook, a new CI job): say how to create it."""
    import shlex

    command = "audit baseline create " + " ".join(shlex.quote(p) for p in paths) + " -o " + shlex.quote(baseline)
    return Problem(baseline, "no baseline file yet",
                   hint=f"record the current findings as accepted with: {command}  (then give each entry a "
                        "reason and commit the file), or run without --baseline")


def cmd_check(args) -> int:
    from .gitlines import changed_first, resolve_commit
    from .reporters import REPORTERS

    apply_config(args)
    _profile_pack(args)  # after the configuration: a pack it names is where the profile is looked up
    if args.baseline and not os.path.lexists(args.baseline):
        raise AuditInputError(baseline_missing(args.baseline, args.paths))
    if args.output:
        refuse_overwrite(args.output, "--output", run_inputs(expand_paths(args.paths), args.rules, args.baseline))
    base = resolve_commit(args.diff_base) if args.diff_base else None
    datasets: dict = {}
    runs = audit_paths(args.paths, args.rules, keep_datasets=datasets, progress=not args.quiet, engine=args.engine)
    import gc

    # what the audit built is only read from here on: the cycle collector need not walk it again
    # while the reports are written (a tenth of a corpus run, bench/corpus.py)
    gc.freeze()
    if args.select or args.ignore:
        from .selection import select_rules

        select_rules(runs, args.select, args.ignore)
    if args.explain:
        from .explain import explain_runs

        explain_runs(runs, datasets, args.rules)
    if args.baseline:
        from .baseline import apply_baseline, load_baseline

        apply_baseline(runs, load_baseline(args.baseline))
        if args.select or args.ignore:
            from .selection import drop_unselected_entries

            drop_unselected_entries(runs)
    if base:
        changed_first(runs, base)
    verbosity = -1 if args.quiet else 1 if args.verbose else 0
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                REPORTERS[args.format](runs, fh, fail_on=args.fail_on)
        except OSError as exc:
            raise AuditInputError(Problem(args.output, f"cannot write: {exc.strerror}")) from None
        REPORTERS["text"](runs, sys.stdout, fail_on=args.fail_on, verbosity=verbosity)
    elif args.format == "text":
        REPORTERS["text"](runs, sys.stdout, fail_on=args.fail_on, verbosity=verbosity)
    else:
        REPORTERS[args.format](runs, sys.stdout, fail_on=args.fail_on)
    if any(r.status == "broken" for run in runs for r in run.rules):
        return EXIT_ERROR
    return EXIT_FINDINGS if any(run.fails(args.fail_on) for run in runs) else EXIT_OK


def cmd_baseline(args) -> int:
    from .baseline import load_baseline, write_baseline

    # the baseline itself is the output here, rewritten on purpose: only the datasets and packs are inputs
    refuse_overwrite(args.output, "--output", run_inputs(expand_paths(args.paths), args.rules))
    previous = load_baseline(args.output, require_reasons=False) if Path(args.output).is_file() else []
    runs = audit_paths(args.paths, args.rules)
    try:
        with open(args.output, "w", encoding="utf-8") as fh:
            n = write_baseline(runs, fh, previous)
    except OSError as exc:
        raise AuditInputError(Problem(args.output, f"cannot write: {exc.strerror}")) from None
    kept = sum(1 for run in runs for f in run.findings if any(e.matches(f, run.dataset) and e.reason
                                                              for e in previous))
    from .display import count

    print(f"wrote {count(n, 'entry', 'entries')} to {args.output} ({kept} kept their reason); fill in the missing reasons "
          "and commit it", file=sys.stderr)
    return EXIT_OK


def cmd_diff(args) -> int:
    from . import diff as d

    old, new = Path(args.old), Path(args.new)
    if old.is_dir() and new.is_dir() and not args.paths:
        old_runs = audit_paths([str(old)], args.rules)
        new_runs = audit_paths([str(new)], args.rules)
        result = d.compare_runs(old_runs, new_runs, args.old, args.new)
    else:
        from .gitlines import resolve_commit

        repo = d.git_root(Path.cwd())
        old_id, new_id = (resolve_commit(rev, repo, unknown="neither a folder nor a git revision of this repository")
                          for rev in (args.old, args.new))
        paths = args.paths or ["datasets"]
        tmp, old_root, new_root = d.revision_trees(repo, old_id, new_id, paths)
        missing = [p for p in paths if not (old_root / p).exists() and not (new_root / p).exists()]
        if missing:
            tmp.cleanup()
            raise AuditInputError(Problem(missing[0], f"not in {args.old} nor in {args.new}"))
        with tmp:
            runs = {}
            for label, root in (("old", old_root), ("new", new_root)):
                rules = args.rules or (str(root / "rules") if (root / "rules").is_dir() else None)
                present = [str(root / p) for p in paths if (root / p).exists()]
                runs[label] = audit_paths(present, rules) if present else []
                d.relocate(runs[label], root)
        result = d.compare_runs(runs["old"], runs["new"], args.old, args.new)
    {"text": d.render_text, "markdown": d.render_markdown, "json": d.render_json}[args.format](result, sys.stdout)
    levels = {"error": ("error",), "warning": ("error", "warning"), "info": ("error", "warning", "info"),
              "never": ()}[args.fail_on]
    return EXIT_FINDINGS if any(f.severity in levels for _, f in result.new_findings) else EXIT_OK


def cmd_report(args) -> int:
    from .report import write_reports

    refuse_overwrite(args.out, "--out", run_inputs(expand_paths(args.paths), args.rules), folder=True)
    datasets: dict = {}
    runs = audit_paths(args.paths, args.rules, keep_datasets=datasets, progress=True)
    if args.explain:
        from .explain import explain_runs

        explain_runs(runs, datasets, args.rules)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = write_reports(runs, datasets, out)
    except OSError as exc:
        raise AuditInputError(Problem(str(out), f"cannot write: {exc.strerror}")) from None
    for path in written:
        print(path)
    return EXIT_OK


def cmd_export(args) -> int:
    from . import export

    out = Path(args.output)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise AuditInputError(Problem(str(out), "the export file must end in .csv or .parquet"))
    refuse_overwrite(out, "--output", run_inputs(expand_paths(args.paths), args.rules, args.baseline))
    runs = audit_paths(args.paths, args.rules, progress=True)
    if args.baseline:
        from .baseline import apply_baseline, load_baseline

        apply_baseline(runs, load_baseline(args.baseline))
    try:
        n = export.write(runs, out)
    except OSError as exc:
        raise AuditInputError(Problem(str(out), f"cannot write: {exc.strerror}")) from None
    from .display import count

    print(f"wrote {count(n, 'row')} ({count(sum(len(r.findings) for r in runs), 'finding')}) to {out}", file=sys.stderr)
    return EXIT_OK


def _rule_packs(rules: str | None) -> list:
    """The packs `audit rules` shows: the --rules pack, or every pack of a folder of packs."""
    from .figures.pack import is_figure_pack, load_figure_pack
    from .pack import default_rules_dirs, load_pack

    if rules and (Path(rules) / "pack.yaml").is_file():
        folders = [Path(rules)]
    else:
        bases = [Path(rules)] if rules else default_rules_dirs()
        base = next((b for b in bases if b.is_dir()), None)
        folders = sorted(p.parent for p in base.glob("*/pack.yaml")) if base else []
    if not folders:
        from .paths import shown

        where = rules or " or ".join(shown(b) for b in default_rules_dirs())
        raise AuditInputError(Problem(str(where), "no rule pack here (a pack is a folder holding pack.yaml)",
                                      hint="give --rules DIR, a pack or a folder of packs"))
    return [load_figure_pack(f) if is_figure_pack(f) else load_pack(f) for f in folders]


@dataclass(frozen=True)
class RuleDoc:
    """What `audit rules` says of one rule: the rule as written, or the built-in table contracts."""

    id: str
    title: str
    kind: str
    severity: str
    message: str
    hint: str | None
    file: str
    line: int
    rationale: str
    pack: str
    params: tuple = ()  # (name, value) of the kind's parameters, as the rule sets them


def _params(params) -> tuple:
    import dataclasses

    if not dataclasses.is_dataclass(params):
        return ()
    return tuple((f.name.rstrip("_"), getattr(params, f.name)) for f in dataclasses.fields(params))


def rule_docs(pack) -> list[RuleDoc]:
    """Every rule a run of `pack` reports, in the order of a run: the same list and count as the
    rules of `audit check` (a pack of tables also runs the built-in rule of its contracts)."""
    from .paths import shown

    docs = []
    contracts = getattr(pack, "contracts", None)
    if contracts is not None:
        from .contracts import RULE_ID, RULE_TITLE

        docs.append(RuleDoc(RULE_ID, RULE_TITLE, "contract", "error",
                            "values outside a column's range or codes, and keys printed twice, as findings",
                            None, shown(Path(pack.root) / "contracts.yaml"), 1,
                            "Built in: every table of a dataset meets the contracts of the profile's "
                            "contracts.yaml (ranges, allowed codes, unique keys).", shown(pack.root)))
    for k in pack.rules:
        r = k.rule
        docs.append(RuleDoc(r.id, r.title, r.kind, r.severity, r.message, r.hint, shown(r.file), r.line,
                            (r.rationale or "").strip(), shown(pack.root), _params(r.params)))
    return docs


def _param_text(value) -> str:
    """A parameter as the rule file would write it (an expression as its text)."""
    import json

    text = value if isinstance(value, str) else getattr(value, "text", None)
    if isinstance(text, str):
        return text
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def cmd_rules(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from .escape import terminal_markup
    from .paths import shown

    packs = _rule_packs(args.rules)
    if args.ids:
        return _rule_help(packs, args.ids)
    console = Console(width=None if sys.stdout.isatty() else 200)
    for pack in packs:
        docs = rule_docs(pack)
        table = Table(title=terminal_markup(f"{pack.title} ({pack.profile}) - {shown(pack.root)}: "
                                            f"{len(docs)} rules"), title_justify="left")
        for col in ("rule", "kind", "severity"):
            table.add_column(col, no_wrap=True)
        table.add_column("title")
        for d in docs:
            table.add_row(*(terminal_markup(v) for v in (d.id, d.kind, d.severity, d.title)))
        console.print(table)
    return EXIT_OK


def _rule_help(packs: list, ids: list[str]) -> int:
    """`audit rules ID...`: each rule's documentation, from every pack that has it."""
    import inspect

    from .escape import terminal
    from .figures.kinds import KINDS as FIGURE_KINDS
    from .kinds import KINDS

    docs = [(d, pack) for pack in packs for d in rule_docs(pack)]
    problems = []
    for rid in ids:
        if not any(d.id == rid for d, _ in docs):
            from .errors import did_you_mean

            problems.append(Problem(rid, "no rule of this id in the packs",
                                    hint=did_you_mean(rid, sorted({d.id for d, _ in docs}))
                                    or "audit rules lists every rule"))
    if problems:
        raise AuditInputError(problems)
    out = []
    for rid in ids:
        for d, pack in docs:
            if d.id != rid:
                continue
            kind = (FIGURE_KINDS if getattr(pack, "contracts", None) is None else KINDS).get(d.kind)
            checks = (inspect.getdoc(inspect.getmodule(kind)) or "").split("\n\n")[0] if kind else ""
            lines = [f"{d.id}: {d.title}", "",
                     f"  kind      {d.kind}" + (f"  (audit explain {d.kind} documents it)" if kind else ""),
                     f"  severity  {d.severity}",
                     f"  pack      {pack.title} ({pack.profile}), {d.pack}",
                     f"  written   {d.file}:{d.line}",
                     f"  message   {d.message}"]
            if d.hint:
                lines.append(f"  hint      {d.hint}")
            if d.params:
                lines += ["", "What it checks (the parameters of its kind):",
                          *(f"  {name}: {_param_text(value)}" for name, value in d.params)]
            if d.rationale:
                lines += ["", "Why:", *("  " + t for t in d.rationale.splitlines())]
            if checks:
                lines += ["", f"What a rule of kind {d.kind} checks:", *("  " + t for t in checks.splitlines())]
            out.append("\n".join(terminal(line) for line in lines))
    sys.stdout.write("\n\n".join(out) + "\n")
    return EXIT_OK


SEVERITY_AT_LEAST = {"error": ("error",), "warning": ("error", "warning"), "info": ("error", "warning", "info")}


def cmd_explain(args) -> int:
    from .figures.kinds import KINDS as FIGURE_KINDS
    from .kinds import KINDS

    if len(args.paths) == 1 and not Path(args.paths[0]).exists():
        name = args.paths[0]
        if name in KINDS:  # a name of both layouts (none today) documents the table kind
            return explain_kind(KINDS[name])
        if name in FIGURE_KINDS:
            return explain_kind(FIGURE_KINDS[name], over_figures=True)
    import json

    from .dataset import load_dataset
    from .explain import explain_dataset
    from .explain.render import render_text
    from .pack import find_pack, load_pack

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise AuditInputError(Problem(missing[0], "no such dataset folder",
                                      hint=f"or name a rule kind: {', '.join(KINDS)} (tables); "
                                           f"{', '.join(FIGURE_KINDS)} (figures)"))
    explanations = []
    folders = expand_paths(args.paths)
    from .figures.run import is_figure_dataset

    if args.write_corrected and len(folders) != 1:
        raise AuditInputError(Problem(args.write_corrected, "--write-corrected takes one dataset folder"))
    inputs = run_inputs(folders, args.rules)
    if args.output:
        refuse_overwrite(args.output, "--output", inputs)
    if args.write_corrected:
        refuse_overwrite(args.write_corrected, "--write-corrected", inputs, folder=True)
    # the datasets of the figure layout are audited together, as `audit check` does (per pack)
    figure_folders = [path for path in folders if is_figure_dataset(path)]
    together = {}
    if figure_folders:
        from .explain.over_figures import explain_figures_together

        found = explain_figures_together(figure_folders, args.rules, severities=SEVERITY_AT_LEAST[args.severity])
        together = {path: explanation for path, (explanation, _run) in zip(figure_folders, found)}
    for path in folders:
        if path in together:
            explanations.append(together[path])
            dataset = None
            continue
        dataset = load_dataset(path)
        pack = load_pack(find_pack(dataset.profile, args.rules, dataset.descriptor))
        explanations.append(explain_dataset(path, pack=pack, dataset=dataset,
                                            severities=SEVERITY_AT_LEAST[args.severity]))
    if args.write_corrected:
        from .explain.apply import write_corrected, write_corrected_figures

        best = [g.best[0] for g in explanations[0].groups if g.best]
        done = (write_corrected(dataset, best, args.write_corrected) if dataset is not None else
                write_corrected_figures(folders[0], best, args.write_corrected))
        print(f"wrote the corrected copy to {done}", file=sys.stderr)
    if args.format == "json":
        text = json.dumps([e.to_dict() for e in explanations] if len(explanations) > 1
                          else explanations[0].to_dict(), indent=2) + "\n"
    else:
        text = "\n".join(render_text(e) for e in explanations)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise AuditInputError(Problem(args.output, f"cannot write: {exc.strerror}")) from None
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_lint(args) -> int:
    from .lint import lint_pack, render_json, render_text

    report = lint_pack(args.rules, args.dataset)
    sys.stdout.write(render_json(report) if args.format == "json" else render_text(report))
    return EXIT_FINDINGS if report.errors else EXIT_OK


def cmd_migrate(args) -> int:
    from .migrate import migrate

    out, mapping = migrate(args.path, args.out, args.to)
    print(f"wrote {out} ({mapping.old_profile} -> {mapping.new_profile}, as {mapping.file} maps it)", file=sys.stderr)
    return EXIT_OK


def cmd_init(args) -> int:
    from .init import write_draft

    return write_draft(args.folder, args.profile, args.rules, args.output, args.force)


def cmd_schema(args) -> int:
    import json

    from . import schemas
    if args.kind is None:
        for name, schema in schemas.KINDS.items():
            print(f"{name:<18} {schema.get('description', '')}")
        return EXIT_OK
    if args.kind not in schemas.KINDS:
        from .errors import choices_hint
        raise AuditInputError(Problem("KIND", f"unknown file kind '{args.kind}'",
                                      hint=choices_hint("file kinds", schemas.KINDS, args.kind)))
    print(json.dumps(schemas.json_schema(args.kind), indent=2) if args.json else schemas.describe(args.kind))
    return EXIT_OK


def explain_kind(kind, over_figures: bool = False) -> int:
    import dataclasses
    import inspect
    print(inspect.getdoc(inspect.getmodule(kind)))
    if over_figures:
        print("\nA kind of rule over figures: for packs with a vocabulary.yaml (see the README, "
              "'The figure model').")
    print("\nParameters:")
    for f in dataclasses.fields(kind.Params):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        default = "required" if required else f"default: {f.default if f.default is not dataclasses.MISSING else f.default_factory()!r}"
        print(f"  {f.name.rstrip('_')}: {f.metadata['doc']} ({default})")
    if over_figures and kind.placeholders:
        print("\nPlaceholders of the message and hint: " + ", ".join(f"{{{p}}}" for p in kind.placeholders))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        commands = {"check": cmd_check, "baseline": cmd_baseline, "diff": cmd_diff, "report": cmd_report,
                    "export": cmd_export, "rules": cmd_rules, "explain": cmd_explain,
                    "lint": cmd_lint, "migrate": cmd_migrate, "init": cmd_init, "schema": cmd_schema}
        if getattr(args, "database", None) is not None:
            _use_databases(args.database)
        return commands[args.command](args)
    except AuditInputError as exc:
        from .paths import shown

        for problem in exc.problems:
            if os.path.isabs(problem.file):  # a file of a bundled pack: <audit>/rules/..., as in the outputs
                problem.file = shown(problem.file)
            print("audit: " + problem.render(), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a bug must not look like findings (exit 1) or a bare traceback
        if os.environ.get("AUDIT_DEBUG") == "1":
            raise
        inputs = getattr(args, "paths", None) or [getattr(args, "rules", None) or args.command]
        problem = Problem(" ".join(str(p) for p in inputs),
                          f"internal error in 'audit {args.command}': {type(exc).__name__}: {str(exc)[:300]}",
                          hint="this is a bug of audit, not of the input: please report it with the input "
                               "(AUDIT_DEBUG=1 shows the traceback)")
        print("audit: " + problem.render(), file=sys.stderr)
        return EXIT_ERROR


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
