"""The chainhub data standard: versioned Pydantic models, code lists and their published form."""

from chainhub.standard.version import STANDARD_VERSION

__all__ = ["STANDARD_VERSION"]
