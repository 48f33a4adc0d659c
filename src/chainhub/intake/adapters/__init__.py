"""ERP adapters: a folder per ERP family holding its vocabulary, loaded once and merged.

Our adapters are the folders beside this module. A deployment adds its own through the
`chainhub.adapters` entry-point group: each entry point names a package, or a directory path,
whose sub-folders hold a `profile.yaml` each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import ModuleType
from typing import Final

import yaml
from pydantic import ValidationError

from chainhub.errors import ChainhubError
from chainhub.intake.adapters.model import AdapterProfile, Terms
from chainhub.standard.unit_words import unit_key

ENTRY_POINT_GROUP: Final = "chainhub.adapters"
PROFILE: Final = "profile.yaml"


@dataclass(frozen=True)
class Adapter:
    """One ERP family: its folder's name and its validated profile."""

    name: str
    profile: AdapterProfile

    @property
    def terms(self) -> frozenset[str]:
        """Every header term the family writes, for any field or description."""
        p = self.profile
        per_type = (
            t for per_field in p.documents.values() for ts in per_field.values() for t in ts
        )
        general = (t for ts in p.fields.values() for t in ts)
        return frozenset((*general, *per_type, *p.descriptions))


def _invalid(path: object, key: str, problem: str) -> ChainhubError:
    where = f"{path}: {key}: " if key else f"{path}: "
    return ChainhubError(
        "adapter_invalid",
        f"invalid ERP adapter {where}{problem}",
        f"ERP 适配器无效 {where}{problem}",
    )


def load_adapter(folder: Traversable) -> Adapter:
    """The adapter of one folder, its profile.yaml validated; the error names file and key."""
    path = folder / PROFILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _invalid(path, "", str(exc).replace("\n", " ")) from None
    try:
        profile = AdapterProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise _invalid(path, key, first["msg"]) from None
    return Adapter(folder.name, profile)


def _roots() -> list[Traversable]:
    """Our adapter folder, then every folder deployments registered as entry points."""
    roots = [files(__name__)]
    for point in entry_points(group=ENTRY_POINT_GROUP):
        target = point.load()
        roots.append(files(target) if isinstance(target, ModuleType) else Path(str(target)))
    return roots


@cache
def list_adapters() -> tuple[Adapter, ...]:
    """Every adapter, ours first, each folder read once."""
    adapters: dict[str, Adapter] = {}
    for root in _roots():
        folders = sorted(
            (f for f in root.iterdir() if f.is_dir() and (f / PROFILE).is_file()),
            key=lambda f: f.name,
        )
        for folder in folders:
            if folder.name in adapters:
                raise _invalid(folder / PROFILE, "", f"a second adapter named '{folder.name}'")
            adapters[folder.name] = load_adapter(folder)
    return tuple(adapters.values())


@dataclass(frozen=True)
class Vocabulary:
    """The words of every adapter merged, each term with the adapters that write it."""

    adapters: tuple[Adapter, ...]
    fields: dict[str, dict[str, frozenset[str]]]
    documents: dict[tuple[str, str], dict[str, frozenset[str]]]
    descriptions: dict[str, frozenset[str]]
    units: dict[str, str | None]
    codes: dict[str, dict[str, Terms]]
    date_formats: tuple[str, ...]
    encodings: tuple[str, ...]


def _add(table: dict[str, set[str]], terms: Terms, name: str) -> None:
    for term in terms:
        table[term].add(name)


def _frozen(table: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {term: frozenset(names) for term, names in table.items()}


def _units(adapters: tuple[Adapter, ...]) -> dict[str, str | None]:
    """Folded unit words to codes; two adapters giving one word two codes is an error."""
    units: dict[str, str | None] = {}
    owner: dict[str, str] = {}
    for adapter in adapters:
        for word, code in adapter.profile.units.items():
            key = unit_key(word)
            if key in units and units[key] != code:
                raise _invalid(
                    f"{adapter.name}/{PROFILE}",
                    f"units.{word}",
                    f"'{code}' but adapter {owner[key]} says '{units[key]}'",
                )
            units[key], owner[key] = code, adapter.name
    return units


def _codes(adapters: tuple[Adapter, ...]) -> dict[str, dict[str, Terms]]:
    codes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for adapter in adapters:
        for enum_name, words in adapter.profile.codes.items():
            for value, terms in words.items():
                codes[enum_name][value].extend(t for t in terms if t not in codes[enum_name][value])
    return {e: {v: tuple(ts) for v, ts in words.items()} for e, words in codes.items()}


def _ordered(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


@cache
def vocabulary() -> Vocabulary:
    """The merged vocabulary of every adapter."""
    adapters = list_adapters()
    fields: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    documents: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    descriptions: dict[str, set[str]] = defaultdict(set)
    for adapter in adapters:
        p = adapter.profile
        for name, terms in p.fields.items():
            _add(fields[name], terms, adapter.name)
        for doc_type, per_field in p.documents.items():
            for name, terms in per_field.items():
                _add(documents[doc_type, name], terms, adapter.name)
        _add(descriptions, p.descriptions, adapter.name)
    return Vocabulary(
        adapters=adapters,
        fields={n: _frozen(t) for n, t in fields.items()},
        documents={k: _frozen(t) for k, t in documents.items()},
        descriptions=_frozen(descriptions),
        units=_units(adapters),
        codes=_codes(adapters),
        date_formats=_ordered([a.profile.date_formats for a in adapters]),
        encodings=_ordered([a.profile.encodings for a in adapters]),
    )
