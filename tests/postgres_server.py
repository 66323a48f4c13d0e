"""A private PostgreSQL server for the tests, from the machine's own packages (Debian's postgresql,
which `.ci/run` installs): a fresh cluster in a temporary folder, reached only through a Unix
socket in that folder (no TCP port is opened), stopped and removed when the tests end.

Where no PostgreSQL is installed the tests that need it are skipped, except in CI (CI=true), where
that is a failure: the server is part of what the tests must run against there.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager

import pytest


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


@contextmanager
def postgres_server():
    """Yields a libpq URI of a new, empty server (database postgres, superuser audit)."""
    bindir = _binaries()
    if bindir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message + ": .ci/run installs it")
        pytest.skip(message)
    folder = tempfile.mkdtemp(prefix="audit-pg-")
    prefix: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: as the postgres user the package made
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, log = os.path.join(folder, "data"), os.path.join(folder, "log")
    try:
        subprocess.run([*prefix, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "audit", "-E", "UTF8"],
                       check=True, capture_output=True)
        subprocess.run([*prefix, f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "-o",
                        f"-k {folder} -c listen_addresses='' -c fsync=off", "start"], check=True, capture_output=True)
        yield f"postgresql:///postgres?host={folder}&user=audit"
    finally:
        subprocess.run([*prefix, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
