"""The rule grammar's parser is kept in the user's cache directory between runs; a cache that cannot
be written or read leaves the parser built on every start, never an error."""
from __future__ import annotations

import os
import subprocess
import sys

PROGRAM = "from audit.expr.ast import parse; print(parse('sum(t.a) >= 2 km2 within 5%').op)"


def run(cache_home) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=60)


def test_parser_cached_in_the_user_cache_dir(tmp_path):
    first = run(tmp_path)
    assert first.returncode == 0 and first.stdout.strip() == ">=" and not first.stderr
    [cached] = list((tmp_path / "audit").glob("grammar-*.lark"))
    assert oct((tmp_path / "audit").stat().st_mode & 0o777) == oct(0o700)
    again = run(tmp_path)
    assert again.returncode == 0 and again.stdout.strip() == ">=" and not again.stderr
    cached.write_bytes(b"not a parser\n")  # a damaged cache is built again and replaced
    damaged = run(tmp_path)
    assert damaged.returncode == 0 and damaged.stdout.strip() == ">=" and not damaged.stderr
    assert cached.read_bytes() != b"not a parser\n"


def test_parser_without_a_writable_cache(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # the cache directory cannot be made under a file
    result = run(blocked)
    assert result.returncode == 0 and result.stdout.strip() == ">=" and not result.stderr
