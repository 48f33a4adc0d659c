"""The small simulated chain comes from the session fixture in tests/conftest.py."""

from tests.support import SIM_SEED as SEED
from tests.support import SmallChain

__all__ = ["SEED", "SmallChain"]
