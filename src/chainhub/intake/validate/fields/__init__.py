"""Each standard field, by its kind: text to typed value, and the checks on it."""

from chainhub.intake.validate.fields.build import build_field, mapped_text
from chainhub.intake.validate.fields.draft import Field

__all__ = ["Field", "build_field", "mapped_text"]
