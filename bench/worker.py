"""One timed run of one implementation, in its own process (bench/run.py starts it).

    python bench/worker.py IMPL DATASET_FOLDER

Prints one JSON object: seconds to import the libraries, to load the data, to run the checks,
the violations per check, and the peak resident memory of this process (ru_maxrss).
"""
from __future__ import annotations

import importlib
import json
import resource
import sys
import time
import warnings

IMPORTS = {  # imported before the clock for load starts, and timed separately
    "audit": ["duckdb", "lark", "yaml", "audit.runner"],  # an audit imports neither pandas nor pandera
    "duckdb": ["duckdb"],
    "pandas": ["duckdb", "pandas"],
    "pandera": ["duckdb", "pandas", "pandera.pandas"],
    "gx": ["duckdb", "pandas", "great_expectations", "great_expectations.expectations"],
}
MODULES = {"audit": "impl.audit_impl", "duckdb": "impl.duckdb_sql", "pandas": "impl.pandas_impl",
           "pandera": "impl.pandera_impl", "gx": "impl.gx_impl"}


def main() -> None:
    name, folder = sys.argv[1], sys.argv[2]
    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    for m in IMPORTS[name]:
        importlib.import_module(m)
    impl = importlib.import_module(MODULES[name])
    t1 = time.perf_counter()
    state = impl.load(folder)
    t2 = time.perf_counter()
    counts = impl.check(state)
    t3 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"impl": name, "import_s": t1 - t0, "load_s": t2 - t1, "check_s": t3 - t2,
                      "peak_mb": peak_kb / 1024, "counts": counts,
                      "detail": getattr(impl, "DETAIL", None)}))


if __name__ == "__main__":
    main()
