"""Example values of the standard, assembled from the examples its fields declare."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from pydantic import BaseModel


def example_of(model: type[BaseModel]) -> dict[str, Any]:
    """A full example of `model`: every field that declares an example, set to its first one."""
    return {
        name: deepcopy(info.examples[0])
        for name, info in model.model_fields.items()
        if info.examples
    }
