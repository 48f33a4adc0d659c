"""Plain events read as columns: a document's events in one Arrow conversion, which of them are
plain, their distinct texts and their CBV pre-hash strings, built by column operations.

A plain event has only text fields, EPC lists, places with only an id, typed business
transactions, sources and destinations, and ilmd of text (`hashing.is_plain_event`): most
captured events. Arrow's conversion checks most of that on the way (one type per field across
the document); what it cannot tell apart (a key missing or given null) is left to the caller.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

# Fields of a plain event, in the canonical order: text, a list of EPCs, or {"id": text}.
PLAIN_TEXT: Final = ("eventTime", "eventTimeZoneOffset", "parentID")
PLAIN_LISTS: Final = ("epcList", "inputEPCList", "childEPCs", "outputEPCList")
PLAIN_AFTER: Final = ("action", "transformationID", "bizStep", "disposition")
PLAIN_PLACES: Final = ("readPoint", "bizLocation")
# Typed business transactions, sources and destinations: the tree walk hashes them after the
# rest, in the order of their names.
PLAIN_PAIRED: Final = {
    "bizTransactionList": "bizTransaction",
    "destinationList": "destination",
    "sourceList": "source",
}
UNHASHED: Final = ("type", "eventID", "recordTime")
PLAIN_KEYS: Final = frozenset(
    (*UNHASHED, *PLAIN_TEXT, *PLAIN_LISTS, *PLAIN_AFTER, *PLAIN_PLACES, *PLAIN_PAIRED, "ilmd")
)
_TEXTS: Final = frozenset((*UNHASHED, *PLAIN_TEXT, *PLAIN_AFTER))
_VISIBLE: Final = "[!-~]"  # a text with a visible ASCII character is not blank


def is_ilmd_name(key: str) -> bool:
    """Whether an ilmd field of text is hashed as a plain one: a namespaced name, no list."""
    return ":" in key and not key.startswith("@") and not key.endswith("List") and (
        key != "rdfs:comment"
    )  # fmt: skip


def _fits(field: pa.Field) -> bool:
    """Whether a top-level field's type across the document is that of a plain event's."""
    kind, name = field.type, field.name
    if name in _TEXTS:
        return bool(pa.types.is_string(kind))
    if name in PLAIN_LISTS:
        return bool(pa.types.is_list(kind)) and (
            pa.types.is_string(kind.value_type) or pa.types.is_null(kind.value_type)
        )
    if name in PLAIN_PLACES:
        return pa.types.is_struct(kind) and [(f.name, f.type) for f in kind] == [
            ("id", pa.string())
        ]
    if name in PLAIN_PAIRED:
        item = kind.value_type if pa.types.is_list(kind) else None
        return (
            item is not None
            and pa.types.is_struct(item)
            and sorted(f.name for f in item) == sorted(("type", PLAIN_PAIRED[name]))
            and all(pa.types.is_string(f.type) for f in item)
        )
    if name == "ilmd":
        return pa.types.is_struct(kind) and all(
            pa.types.is_string(f.type) and is_ilmd_name(f.name) for f in kind
        )
    return False


@dataclass(frozen=True)
class PlainColumns:
    """A document's events as Arrow columns, and whether each is surely plain (False: to be
    checked one by one)."""

    events: pa.StructArray
    sure: pl.Series

    def has(self, name: str) -> bool:
        """Whether any event has the field `name`."""
        return bool(self.events.type.get_field_index(name) >= 0)

    def field(self, name: str) -> Any:
        """The column of field `name`."""
        return pc.struct_field(self.events, name)


def _parents(lists: Any) -> np.ndarray[Any, Any]:
    """The event of each value of a list column, as its flattened values come."""
    return np.asarray(pc.list_parent_indices(lists).to_numpy())


def event_array(events: Any) -> pa.StructArray | None:
    """A document's events in one Arrow conversion, each field's type inferred across them
    (what a capture's checks, hashes and rows read); None when they are no list of objects
    Arrow reads (a field of two kinds, say)."""
    if not isinstance(events, list) or not events:
        return None
    try:
        array = pa.array(events)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None
    return array if pa.types.is_struct(array.type) else None


def _convertible(given: pa.DataType, wanted: pa.DataType) -> bool:
    """Whether values of type `given` are those of `wanted` as a conversion to it would read
    them: the same type, nulls only, a whole number for a double, or structs and lists of
    such (a field missing from `given` is null)."""
    if given == wanted or pa.types.is_null(given):
        return True
    if pa.types.is_struct(given) and pa.types.is_struct(wanted):
        index = given.get_field_index
        return all(index(f.name) < 0 or _convertible(given.field(f.name).type, f.type)
                   for f in wanted)  # fmt: skip
    if pa.types.is_list(given) and pa.types.is_list(wanted):
        return _convertible(given.value_type, wanted.value_type)
    return bool(pa.types.is_int64(given) and pa.types.is_float64(wanted))


def as_type(array: pa.StructArray | None, kind: pa.StructType) -> pa.StructArray | None:
    """The events' columns (`event_array`) as `pa.array(events, type=kind)` reads them, cast
    rather than converted again; None when their types are not `kind`'s (`_convertible`) or
    a whole number is too large for a double."""
    if array is None or not _convertible(array.type, kind):
        return None
    try:
        return array.cast(kind)
    except pa.ArrowInvalid:
        return None


def of_plain_kinds(array: pa.StructArray | None) -> bool:
    """Whether events read as columns (`event_array`) are all of plain kinds, as their types
    tell: Arrow read them and each field is of a plain event's type."""
    return array is not None and all(_fits(f) for f in array.type)


def plain_columns(array: pa.StructArray | None) -> PlainColumns | None:
    """The events as columns (`event_array`), or None when they are not all of plain kinds
    (`of_plain_kinds`).

    A text field given null reads as one left out: the schema refuses null there, so a
    document whose hashes are kept (a valid one) has none.
    """
    if array is None or not of_plain_kinds(array):
        return None
    read = PlainColumns(array, pl.Series([], dtype=pl.Boolean))
    # A null event reads as an event of null fields.
    doubt = array.is_null().to_numpy(zero_copy_only=False)
    for name in PLAIN_LISTS:
        if read.has(name):
            lists = read.field(name)
            doubt[_parents(lists)[lists.flatten().is_null().to_numpy(zero_copy_only=False)]] = True
    for name in PLAIN_PLACES:
        if read.has(name):
            place = read.field(name)
            doubt |= pc.and_(place.is_valid(), pc.struct_field(place, "id").is_null()).to_numpy(
                zero_copy_only=False
            )
    for name, value in PLAIN_PAIRED.items():
        if read.has(name):
            lists = read.field(name)
            items = lists.flatten()
            plain = pc.and_(
                pc.match_substring_regex(pc.struct_field(items, "type"), _VISIBLE),
                pc.match_substring_regex(pc.struct_field(items, value), _VISIBLE),
            )
            doubt[_parents(lists)[~plain.fill_null(False).to_numpy(zero_copy_only=False)]] = True
    if read.has("ilmd"):
        ilmd = read.field("ilmd")
        # A field left out of one event's ilmd reads as null, as a field given null does.
        missing = np.zeros(len(array), dtype=bool) if ilmd.type.num_fields else ~doubt
        for at in range(ilmd.type.num_fields):
            missing |= pc.struct_field(ilmd, at).is_null().to_numpy(zero_copy_only=False)
        doubt |= ilmd.is_valid().to_numpy(zero_copy_only=False) & missing
    return PlainColumns(array, pl.Series(~doubt))


def _texts(read: PlainColumns) -> list[tuple[str, Any]]:
    """Every hashed value of the events but their times, by where it is: a field's name, or
    the field and the name within it (with nulls and repeats)."""
    found = []
    for name in (*PLAIN_TEXT[1:], *PLAIN_AFTER, *PLAIN_PLACES, *PLAIN_LISTS):
        if read.has(name):
            column = read.field(name)
            if name in PLAIN_PLACES:
                column = pc.struct_field(column, "id")
            elif name in PLAIN_LISTS:
                column = column.flatten()
            found.append((name, column))
    for name, value in PLAIN_PAIRED.items():
        if read.has(name):
            items = read.field(name).flatten()
            found.append((name + ".type", pc.struct_field(items, "type")))
            found.append((name, pc.struct_field(items, value)))
    if read.has("ilmd"):
        ilmd = read.field("ilmd")
        found += [("ilmd." + f.name, pc.struct_field(ilmd, f.name)) for f in ilmd.type]
    return [(name, column.cast(pa.string())) for name, column in found]


def distinct_words(read: PlainColumns) -> set[tuple[str, str]]:
    """The distinct (field, text) pairs a vocabulary may expand: business steps, dispositions
    and the types of business transactions, sources and destinations."""
    found: set[tuple[str, str]] = set()
    for name in ("bizStep", "disposition"):
        if read.has(name):
            found.update((name, w) for w in pc.unique(read.field(name)).drop_null().to_pylist())
    for name in PLAIN_PAIRED:
        if read.has(name):
            types = pc.unique(pc.struct_field(read.field(name).flatten(), "type")).drop_null()
            found.update(("type", word) for word in types.to_pylist())
    return found


def ilmd_names(read: PlainColumns) -> list[str]:
    """The names of the ilmd fields of the events."""
    return [f.name for f in read.field("ilmd").type] if read.has("ilmd") else []


def _time_column(read: PlainColumns) -> Any:
    return read.field("eventTime") if read.has("eventTime") else pa.array([], type=pa.string())


Written = Callable[[pl.Series, pl.Series], tuple[pl.DataFrame, pl.DataFrame]]


def _encoded(columns: list[Any]) -> tuple[Any, pl.Series]:
    """The values of `columns` one after the other, as indices into their distinct values."""
    flat = pa.concat_arrays(columns) if columns else pa.array([], type=pa.string())
    encoded = flat.dictionary_encode()
    return encoded.indices, pl.Series("value", encoded.dictionary, dtype=pl.String)


def plain_prehashes(read: PlainColumns, *, written: Written, names: Mapping[str, str]) -> pl.Series:
    """The CBV pre-hash string of each event taken as plain, as `hashing._PlainPreHash.event`
    writes one event. `written(texts, times)` gives the text in the pre-hash of each distinct
    value of the events (their times apart) and of each distinct time, as frames of `value`
    and `text`; `names` the name in it of each ilmd field."""
    parts = _texts(read)
    times = [("eventTime", read.field("eventTime"))] if read.has("eventTime") else []
    (text_at, texts), (time_at, distinct_times) = (
        _encoded([c for _, c in parts]),
        _encoded([c for _, c in times]),
    )
    columns = {}
    for where, indices, distinct, frame in zip(
        (parts, times), (text_at, time_at), (texts, distinct_times),
        written(texts, distinct_times), strict=True,
    ):  # fmt: skip
        text = distinct.to_frame().join(frame, on="value", how="left", maintain_order="left")
        mapped = pc.take(text["text"].to_arrow().cast(pa.string()), indices)
        at = 0
        for name, column in where:
            columns[name] = mapped.slice(at, len(column))
            at += len(column)
    return _assembled(read, columns, names)


def _sorted_lists(read: PlainColumns, name: str, flat: Any, keep: Any = None) -> pl.Series:
    """The values `flat` (one per value of list field `name`, as flattened) as lists again, per
    event, each sorted (as Python sorts text: by code point), less those `keep` says not to."""
    parents = _parents(read.field(name))
    if keep is not None:
        parents, flat = parents[keep], flat.filter(pa.array(keep))
    # Sorted all at once: Polars sorts a list column list by list, at a cost per list.
    order = pa.table({"event": parents, "text": flat}).sort_by([("event", "ascending"),
                                                               ("text", "ascending")])  # fmt: skip
    offsets = np.zeros(len(read.events) + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents, minlength=len(read.events)), out=offsets[1:])
    return pl.Series(pa.ListArray.from_arrays(pa.array(offsets), order["text"].combine_chunks()))


def _sorted_join(texts: Sequence[pl.Expr], names: Iterable[str]) -> pl.Expr:
    """The texts (or nulls) of each event sorted and joined, each text starting with its name
    (`names`, in the order of `texts`, which are sorted by them)."""
    ordered = sorted(names)
    if not texts:
        return pl.lit("")
    if any(b.startswith(a) for a, b in itertools.pairwise(ordered)):
        # Then two texts' order depends on what follows the shorter name.
        return pl.concat_list(texts).list.drop_nulls().list.sort().list.join("")
    # Two texts differ within their names first, so are ordered as those.
    return pl.concat_str(texts, ignore_nulls=True)


def _assembled(
    read: PlainColumns, columns: Mapping[str, Any], names: Mapping[str, str]
) -> pl.Series:
    """The pre-hash strings from each value's text in it, by where it is (`_texts`)."""

    def labelled(label: str, found: Any) -> pl.Expr:
        text = pl.lit(pl.Series(found, dtype=pl.String))
        return pl.when(text != "").then(pl.lit(label) + text)

    slots: list[pl.Expr] = []
    for name in (*PLAIN_TEXT, *PLAIN_LISTS, *PLAIN_AFTER, *PLAIN_PLACES):
        if not read.has(name):
            continue
        if name == "eventTime":
            slots.append(labelled("eventTime=", columns[name]))
        elif name in PLAIN_PLACES:
            slots.append(labelled(name + "id=", columns[name]))
        elif name in PLAIN_LISTS:
            flat = columns[name]
            keep = pc.not_equal(flat, "").fill_null(False).to_numpy(zero_copy_only=False)
            found = pl.lit(_sorted_lists(read, name, flat, keep))
            # "epc=" before each text sorts them as the texts alone sort.
            slots.append(
                pl.when(found.list.len() > 0).then(name + "epc=" + found.list.join("epc="))
            )
        else:
            slots.append(labelled(name + "=", columns[name]))
    last: list[tuple[str, pl.Expr]] = []
    for name, value in PLAIN_PAIRED.items():
        if read.has(name):
            items = pc.binary_join_element_wise(
                "type=", columns[name + ".type"], value + "=", columns[name], ""
            )
            pairs = pl.lit(_sorted_lists(read, name, items))
            last.append((name, pl.when(pairs.list.len() > 0).then(name + pairs.list.join(""))))
    if read.has("ilmd"):
        ilmd, fields = read.field("ilmd"), []
        for field, named in sorted(names.items(), key=lambda item: item[1]):
            found = pl.lit(pl.Series(columns["ilmd." + field], dtype=pl.String))
            written = pl.when(found != "").then(named + "=" + found).otherwise(pl.lit(named))
            given = pl.lit(pl.Series(pc.struct_field(ilmd, field).is_valid()))
            fields.append(pl.when(given).then(written))
        if fields:
            present = pl.lit(pl.Series(ilmd.is_valid()))
            fields_joined = _sorted_join(fields, names.values())
            last.append(("ilmd", pl.when(present).then("ilmd" + fields_joined)))
    last.sort(key=lambda part: part[0])
    tail = _sorted_join([part for _, part in last], [name for name, _ in last])
    kind = pl.lit(pl.Series(read.field("type"), dtype=pl.String))
    pre = pl.concat_str(pl.lit("eventType="), kind, *slots, tail, ignore_nulls=True)
    return pl.select(pre.alias("prehash")).to_series()
