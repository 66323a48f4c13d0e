"""Third-party schemas the CI formats are validated against, committed under `tests/third_party/`
(see its README for where each came from): the tests need no network."""
from __future__ import annotations

import json
from pathlib import Path

THIRD_PARTY = Path(__file__).resolve().parent / "third_party"


def junit_xsd() -> Path:
    """Path of the JUnit XSD (Jenkins' junit-10.xsd, as pytest ships it)."""
    return THIRD_PARTY / "junit-10.xsd"


def sarif_schema() -> dict:
    """The SARIF 2.1.0 JSON schema (OASIS, rtm.5)."""
    return json.loads((THIRD_PARTY / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
