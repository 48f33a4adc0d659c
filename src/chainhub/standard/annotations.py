"""Reading the standard's type annotations: the one place that unwraps Optional and Annotated."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class Unwrapped:
    """An annotation taken apart.

    `named` is the annotation without Optional (a named alias such as `PartnerId` stays
    recognisable); `base` is the core type under every Annotated; `metadata` collects the
    Annotated constraints met on the way, outermost first.
    """

    named: Any
    base: Any
    optional: bool
    metadata: tuple[Any, ...]

    @property
    def is_list(self) -> bool:
        """True for a list field."""
        return typing.get_origin(self.base) is list

    @property
    def item(self) -> Any:
        """The type of one value: the list's item type for a list, else the base."""
        return unwrap(typing.get_args(self.base)[0]).base if self.is_list else self.base

    @property
    def enum(self) -> type[Enum] | None:
        """The enumeration the values come from, or None."""
        item = self.item
        return item if isinstance(item, type) and issubclass(item, Enum) else None


def unwrap(annotation: Any) -> Unwrapped:
    """Take `X | None`, `Optional[X]` and `Annotated[X, ...]` apart, nested either way."""
    named = _non_none(annotation)[0] if _is_union(annotation) else annotation
    optional, metadata = False, []
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation, *meta = typing.get_args(annotation)
            metadata.extend(meta)
        elif _is_union(annotation):
            inner = _non_none(annotation)
            optional = optional or len(inner) < len(typing.get_args(annotation))
            annotation = inner[0]
        else:
            return Unwrapped(
                named=named, base=annotation, optional=optional, metadata=tuple(metadata)
            )


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _non_none(annotation: Any) -> list[Any]:
    inner = [a for a in typing.get_args(annotation) if a is not type(None)]
    if len(inner) != 1:
        raise TypeError(f"the standard has no field of union type {annotation!r}")
    return inner
