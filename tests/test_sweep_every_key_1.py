"""Part 1 of 4 of the sweep of every key of every input file (see tests/sweep.py)."""
from .sweep import sweep, template  # noqa: F401 - the fixture

test_any_change_at_any_key_is_audited_or_refused_at_its_line = sweep(1)
