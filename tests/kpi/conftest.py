"""The intake tests' registered chain, which the scorecard reads."""

from __future__ import annotations

from tests.intake.conftest import registered, with_crosswalk

__all__ = ["registered", "with_crosswalk"]
