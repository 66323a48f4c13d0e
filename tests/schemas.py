"""Third-party schemas the CI formats are validated against, fetched at test time and cached.

- `junit_xsd()`: the JUnit XSD pytest validates its own `--junitxml` output against (Jenkins'
  junit-10.xsd), from the sdist of the installed pytest version (`pip download`).
- `sarif_schema()`: the SARIF 2.1.0 JSON schema shipped in the npm package `@microsoft/jest-sarif`
  (`npm pack`).

Files are cached under `tests/.schemas/` (which ignores itself in git). A failed download fails the
test with the reason: these tests are not skipped when offline.
"""
from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

import pytest

CACHE = Path(__file__).resolve().parent / ".schemas"
JEST_SARIF = "@microsoft/jest-sarif@1.0.0-beta.0"
SARIF_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
JUNIT_MEMBER = "*/testing/example_scripts/junit-10.xsd"
TIMEOUT = 600


def _cache_dir() -> Path:
    CACHE.mkdir(exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return CACHE


def _store(target: Path, data: bytes) -> Path:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.fail(f"could not fetch {what}: `{' '.join(cmd)}` failed to run: {e}", pytrace=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        pytest.fail(f"could not fetch {what}: `{' '.join(cmd)}` exited with {proc.returncode}:\n{tail}",
                    pytrace=False)


def _extract(archive: Path, pattern: str, what: str) -> bytes:
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        matches = [n for n in names if fnmatch.fnmatch(n, pattern)]
        if not matches:
            pytest.fail(f"{what}: {archive.name} has no member matching {pattern!r} "
                        f"({len(names)} members)", pytrace=False)
        member = tar.extractfile(matches[0])
        assert member is not None
        return member.read()


def junit_xsd() -> Path:
    """Path of junit-10.xsd from the sdist of the pytest version installed here."""
    pytest_version = version("pytest")
    target = _cache_dir() / f"junit-10.pytest-{pytest_version}.xsd"
    if target.is_file() and target.stat().st_size:
        return target
    what = f"the JUnit XSD (pytest {pytest_version} sdist)"
    with tempfile.TemporaryDirectory() as tmp:
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
              f"pytest=={pytest_version}", "-d", tmp, "--disable-pip-version-check"], Path(tmp), what)
        sdists = sorted(Path(tmp).glob("pytest-*.tar.gz"))
        if not sdists:
            pytest.fail(f"could not fetch {what}: pip download wrote no pytest-*.tar.gz "
                        f"(got {[p.name for p in Path(tmp).iterdir()]})", pytrace=False)
        data = _extract(sdists[0], JUNIT_MEMBER, what)
    if b"<xs:schema" not in data:
        pytest.fail(f"{what}: the extracted file is not an XML schema", pytrace=False)
    return _store(target, data)


def sarif_schema() -> dict:
    """The SARIF 2.1.0 JSON schema, from the npm package @microsoft/jest-sarif."""
    target = _cache_dir() / Path(SARIF_MEMBER).name
    if not (target.is_file() and target.stat().st_size):
        what = f"the SARIF schema ({JEST_SARIF})"
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"could not fetch {what}: npm is not installed", pytrace=False)
        with tempfile.TemporaryDirectory() as tmp:
            _run([npm, "pack", JEST_SARIF, "--loglevel=error"], Path(tmp), what)
            tarballs = sorted(Path(tmp).glob("*.tgz"))
            if not tarballs:
                pytest.fail(f"could not fetch {what}: npm pack wrote no .tgz", pytrace=False)
            data = _extract(tarballs[0], SARIF_MEMBER, what)
        try:
            json.loads(data)
        except ValueError as e:
            pytest.fail(f"{what}: {SARIF_MEMBER} is not JSON: {e}", pytrace=False)
        _store(target, data)
    return json.loads(target.read_text(encoding="utf-8"))
