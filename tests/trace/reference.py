"""Where the GS1 EPCIS reference material sits (shared/ beside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

EPCIS = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "epcis"
GOLDEN = EPCIS / "event-hash-golden" / "tests"
GS1 = EPCIS / "gs1-EPCIS"
OPENEPCIS = (
    EPCIS / "openepcis-test-resources" / "core" / "src" / "main" / "resources" / "2.0" / "EPCIS"
)


def require(path: Path) -> Path:
    """The path, or skip when the reference material is absent (never in CI)."""
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"reference material missing in CI: {path}")
        pytest.skip(f"reference material not present: {path}")
    return path
