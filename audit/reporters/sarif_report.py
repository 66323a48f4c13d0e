"""SARIF 2.1.0: one SARIF run for all datasets, for code scanning (GitHub, Azure DevOps, IDE viewers).

`tool.driver.rules` lists every rule that ran (id, title, default level); `results` holds one result
per finding, with every figure involved as a location (file relative to the working directory,
forward slashes, `region.startLine` = the 1-based line) and the finding's fingerprint as
`partialFingerprints["auditFinding/v1"]`, so a code-scanning service tracks it across commits.
Findings accepted by a baseline carry an external suppression with the baseline's reason. Broken
rules are tool execution notifications; stale and expired baseline entries are in the run's
property bag. Severity maps to level: error -> error, warning -> warning, info -> note.

Every rule carries `help` (what it checks and why, and the command that documents it, as text and
as Markdown) and `helpUri`: in GitHub Actions, the line of the rule file in the repository at the
commit audited (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_SHA`); otherwise, or for a
bundled pack, the section of the README on the rule's kind (`AUDIT_DOCS_URL` overrides the
project's README address).

Every `message` is plain text escaped with `audit.escape.sarif_text` (no `[text](target)` from the
data becomes an embedded link); no result or notification has a `markdown` message; the rules'
`help.markdown` is written with `audit.escape.markdown_text` and `markdown_code` (text from the pack
stays literal text); the document is written with `audit.escape.json_dumps`.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import IO
from urllib.parse import quote

from .. import __version__
from ..escape import json_dumps, markdown_code, markdown_text, sarif_text
from ..findings import Finding, Location, Run

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "auditFinding/v1"
DOCS_URL = "https://github.com/OWNER/audit/blob/main/README.md"  # where the project's README is published


def help_uri(r) -> str:
    """Where a person reads about a rule (see the module's docstring)."""
    server, repo, sha = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if r.file and server and repo and sha:
        rel = relative_path(r.file)
        if not rel.startswith(("/", "<", "../")):
            return f"{server.rstrip('/')}/{quote(repo)}/blob/{quote(sha)}/{quote(rel)}" + (f"#L{r.line}" if r.line else "")
    base = os.environ.get("AUDIT_DOCS_URL") or DOCS_URL
    return f"{base}#the-rule-language"


def rule_help(r) -> dict:
    """The `help` of a rule: title, rationale, kind and where it is written, as text and Markdown."""
    where = f"{r.file}:{r.line}" if r.file else ""
    rationale = " ".join((r.rationale or "").split())
    text = [r.title or r.rule]
    md = [f"**{markdown_text(r.title or r.rule)}**"]
    if rationale:
        text.append(rationale)
        md.append(markdown_text(rationale))
    text.append(f"Kind {r.kind}, severity {r.severity}" + (f", written at {where}" if where else "") +
                f". Run `audit rules {r.rule}` for its documentation.")
    md.append(f"Kind {markdown_code(r.kind)}, severity {markdown_code(r.severity)}" +
              (f", written at {markdown_code(where)}" if where else "") +
              f". Run {markdown_code('audit rules ' + r.rule)} for its documentation.")
    return {"text": sarif_text("\n\n".join(text)), "markdown": "\n\n".join(md)}


def relative_path(file: str) -> str:
    """A location's file as a path relative to the repository (forward slashes).

    Relative paths are kept as they are (the engine already shows paths under the working
    directory relative to it). Absolute ones are made relative to `$GITHUB_WORKSPACE` when set,
    else to the working directory; a path outside both stays absolute.
    """
    path = Path(file)
    if path.is_absolute():
        for base in (os.environ.get("GITHUB_WORKSPACE"), os.getcwd()):
            if not base:
                continue
            try:
                return path.resolve().relative_to(Path(base).resolve()).as_posix()
            except ValueError:
                continue
        return path.as_posix()
    return PurePath(file).as_posix()


def artifact_uri(file: str) -> str:
    """A URI reference for a file: relative when it can be, `file://` when it is outside the tree."""
    rel = relative_path(file)
    if rel.startswith("/"):
        return Path(rel).as_uri()
    return quote(rel, safe="/")


def _location(loc: Location) -> dict:
    physical: dict = {"artifactLocation": {"uri": artifact_uri(loc.file)}}
    if loc.row is not None:
        physical["region"] = {"startLine": int(loc.row)}
    out: dict = {"physicalLocation": physical}
    if loc.cell:  # a spreadsheet's sheet and cell, a database's table, row key and column
        out["logicalLocations"] = [{"fullyQualifiedName": loc.cell}]  # a name, not a message: JSON-escaped only
    what = loc.label or loc.table or loc.claim
    if what:
        text = f"{what} = {loc.value}" if loc.value is not None else str(what)
        if loc.role:
            text = f"[{loc.role}] {text}"
        out["message"] = {"text": sarif_text(text)}
    return out


def _result(f: Finding, rule_index: dict[str, int], dataset: str) -> dict:
    result: dict = {"ruleId": f.rule}
    if f.rule in rule_index:
        result["ruleIndex"] = rule_index[f.rule]
    result["level"] = LEVEL.get(f.severity, "warning")
    result["message"] = {"text": sarif_text(f.message)}
    result["locations"] = [_location(loc) for loc in f.locations]
    if f.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    if f.accepted:
        suppression: dict = {"kind": "external", "status": "accepted"}
        if f.baseline_reason:
            suppression["justification"] = f.baseline_reason
        result["suppressions"] = [suppression]
    props = {"dataset": dataset}
    for key in ("observed", "expected", "difference", "tolerance"):
        value = getattr(f, key)
        if value is not None:
            props[key] = value
    if f.unit:
        props["unit"] = f.unit
    if f.observed is not None or f.expected is not None:
        props["relation"] = f.relation
    if f.hint:
        props["hint"] = f.hint
    result["properties"] = props
    return result


def document(runs: list[Run]) -> dict:
    rules: list[dict] = []
    rule_index: dict[str, int] = {}
    for run in runs:
        for r in run.rules:
            if r.rule in rule_index:
                continue
            rule_index[r.rule] = len(rules)
            rules.append({
                "id": r.rule,
                "name": r.rule,
                "shortDescription": {"text": r.title or r.rule},
                "fullDescription": {"text": (r.rationale or r.title or r.rule).strip()},
                "help": rule_help(r),
                "helpUri": help_uri(r),
                "defaultConfiguration": {"level": LEVEL.get(r.severity, "warning")},
                "properties": {"kind": r.kind, **({"source": f"{r.file}:{r.line}"} if r.file else {})},
            })

    results = [_result(f, rule_index, run.dataset) for run in runs for f in run.findings]

    notifications = []
    for run in runs:
        for r in run.rules:
            if r.status != "broken":
                continue
            note: dict = {"level": "error", "message": {"text": sarif_text(f"{run.dataset}: rule {r.rule} broke: {r.reason or 'unknown reason'}")},
                          "associatedRule": {"id": r.rule, "index": rule_index[r.rule]}}
            if r.file:
                physical: dict = {"artifactLocation": {"uri": artifact_uri(r.file)}}
                if r.line:
                    physical["region"] = {"startLine": int(r.line)}
                note["locations"] = [{"physicalLocation": physical}]
            notifications.append(note)

    sarif_run: dict = {
        "tool": {"driver": {"name": "audit", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "invocations": [{"executionSuccessful": not notifications,
                         **({"toolExecutionNotifications": notifications} if notifications else {})}],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"datasets": [run.dataset for run in runs]},
    }
    baseline = {run.dataset: {"stale": run.stale, "expired": run.expired} for run in runs if run.stale or run.expired}
    if baseline:
        sarif_run["properties"]["baseline"] = baseline
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [sarif_run]}


def report(runs: list[Run], stream: IO[str], fail_on: str = "error") -> None:
    stream.write(json_dumps(document(runs)) + "\n")
