"""Column-wise canonical texts equal the per-value functions they stand for, and read the
common shapes (null only where the per-value function is needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest

from chainhub.trace import columnar
from chainhub.trace.columnar import (
    Shared,
    by_distinct,
    cbv_texts,
    completed,
    digital_links,
    epc_texts,
    utc_millis,
    utc_times,
)
from chainhub.trace.digital_link import normalise
from chainhub.trace.hashing import _CBV_URNS, _canonize_value, _timestamp
from chainhub.trace.identifiers import canonical_epc

READ = [
    "urn:epc:id:sgtin:6901234.000001.7",
    "urn:epc:id:sgtin:0614141.107346.2018",
    "urn:epc:id:sscc:6901234.0000000001",
    "urn:epc:id:sgln:6901234.00001.0",
    "urn:epc:id:sgln:0614141.00888.12a",
    "urn:epc:id:pgln:6901234.00000",
    "urn:epc:class:lgtin:4012345.012345.998877",
]
LEFT = [
    "urn:epc:id:sgtin:0614141.107346.20%2F18",  # an escaped serial
    "urn:epc:id:sgtin:061414.1073461.1.2",  # not an SGTIN
    "urn:epc:id:sscc:6901234.000000001",  # one digit short
    "urn:epc:id:grai:0614141.12345.400",
    "https://id.gs1.org/01/09506000134352/21/1",
    "urn:epc:id:sgtin:６901234.000001.7",  # a full-width digit
    " urn:epc:id:sgtin:6901234.000001.7",
]
TEXTS = [
    "urn:epcglobal:cbv:bt:6901234000004:A1",
    "urn:example:site:haichuan-foshan",
    "urn:chainhub:ecode:10012345678901234",
    "HDL:88.111.2/abc",
    "88.111.2/abc",
    "(01)09506000134352:x",
    "owning_party",
    "12",
    "x:1.0",
]
TIMES = [
    "2026-03-01T10:00:00+08:00",
    "2026-03-01T10:00:00.1234Z",
    "2026-03-01T10:00:00.1235Z",  # half to even: up
    "2026-03-01T10:00:00.1245-05:30",  # half to even: down
    "2026-12-31T23:59:59.9996+00:00",  # rounds into the next year
    "2026-03-01T10:00:00z",
]
ODD_TIMES = ["2026-03-01T10:00:60Z", "2026-02-30T10:00:00Z", "2026-03-01T10:00:00", "nonsense"]


def _series(values: list[str]) -> pl.Series:
    return pl.Series("value", values, dtype=pl.String)


def test_common_epc_uris_become_digital_links_column_wise() -> None:
    found = digital_links(_series(READ + LEFT)).to_list()
    assert found[: len(READ)] == [normalise(v) for v in READ]
    assert found[len(READ) :] == [None] * len(LEFT)
    assert found[0] == "https://id.gs1.org/01/06901234000016/21/7"


def test_every_shape_and_prefix_length_and_check_digit_as_per_value() -> None:
    """Keys of each shape, company prefixes of 6 to 12 digits, every check digit 0-9."""
    values = []
    for length in range(6, 13):
        for n in range(40):
            digits = f"{n * 7919 + length:017d}"[-17:]
            prefix = digits[:length]
            values += [
                f"urn:epc:id:sgtin:{prefix}.{digits[length:13]}.{n}",
                f"urn:epc:class:lgtin:{prefix}.{digits[length:13]}.L{n}",
                f"urn:epc:id:sscc:{prefix}.{digits[length:17]}",
                f"urn:epc:id:sgln:{prefix}.{digits[length:12]}.{n % 3}",
                f"urn:epc:id:pgln:{prefix}.{digits[length:12]}",
            ]
    found = digital_links(_series(values)).to_list()
    assert found == [normalise(v) for v in values]
    assert {link[-1] for link in found if link is not None and "/00/" in link} == set("0123456789")


def test_a_few_texts_are_linked_one_by_one_as_the_columns_link_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Texts of each shape, of keys a digit short or long, with a company prefix a digit
    longer, with a newline after, and other texts."""
    values = [*READ, *LEFT, *TEXTS, *(v + "\n" for v in READ), None]
    values += [v.replace(".", ".1", 1) for v in READ] + [v.replace("1", "", 1) for v in READ]
    dots = [v.index(".") for v in READ]
    values += [v[:at] + v[at + 1] + "." + v[at + 2 :] for v, at in zip(READ, dots, strict=True)]
    by_columns = digital_links(_series(values)).to_list()  # type: ignore[arg-type]
    monkeypatch.setattr(columnar, "_FEW_LINKS", len(values))
    assert digital_links(_series(values)).to_list() == by_columns  # type: ignore[arg-type]
    assert sum(link is not None for link in by_columns) == 2 * len(READ)


def test_texts_kept_as_they_are_need_no_call_per_value() -> None:
    values = READ + LEFT + TEXTS
    rewritten = tuple(urn for urn, _ in _CBV_URNS)
    cbv = cbv_texts(_series(values), rewritten=rewritten).to_list()
    epc = epc_texts(_series(values)).to_list()
    for value, by_column in zip(values, cbv, strict=True):
        assert by_column is None or by_column == _canonize_value(value), value
    for value, by_column in zip(values, epc, strict=True):
        assert by_column is None or by_column == canonical_epc(value), value
    assert cbv[values.index("urn:example:site:haichuan-foshan")] is not None
    assert epc[values.index("urn:chainhub:ecode:10012345678901234")] is None
    assert epc[values.index("HDL:88.111.2/abc")] is None
    assert cbv[values.index("12")] is None


def test_times_are_read_column_wise_as_python_reads_them() -> None:
    values = TIMES + ODD_TIMES
    millis = utc_millis(_series(values)).to_list()
    instants = utc_times(_series(values)).to_list()
    assert millis[: len(TIMES)] == [_timestamp(v) for v in TIMES]
    assert millis[4] == "2027-01-01T00:00:00.000Z"
    assert millis[len(TIMES) :] == [None] * len(ODD_TIMES)
    expected = [datetime.fromisoformat(v.replace("z", "Z")).astimezone(UTC) for v in TIMES]
    assert instants[: len(TIMES)] == expected


def test_what_the_columns_leave_is_completed_per_value() -> None:
    values = _series([*READ, *LEFT, None])  # type: ignore[list-item]
    done = completed(values, fast=epc_texts, slow=canonical_epc).to_list()
    assert done == [*(canonical_epc(v) for v in READ + LEFT), None]


def test_repeated_texts_are_converted_once_each_in_their_places() -> None:
    calls: list[int] = []

    def convert(values: pl.Series) -> pl.Series:
        calls.append(values.len())
        return completed(values, fast=epc_texts, slow=canonical_epc)

    values = [READ[1], None, READ[0], READ[1], LEFT[0], None, READ[0]]
    done = by_distinct(_series(values), convert).to_list()  # type: ignore[arg-type]
    assert done == [None if v is None else canonical_epc(v) for v in values]
    assert calls == [4]


def test_shared_conversions_are_those_made_alone_each_text_computed_once() -> None:
    """A document's checks, hashes and rows ask for overlapping texts, in any order, with
    repeats and nulls: each gets what it would alone, and each text is converted once."""
    shared, asked = Shared(), []
    found = shared.found

    def counted(kind: str, values: pl.Series, compute: Any) -> pl.DataFrame:
        def spied(new: pl.Series) -> Any:
            asked.append((kind, sorted(new.to_list())))
            return compute(new)

        return found(kind, values, spied)

    shared.found = counted  # type: ignore[method-assign]
    texts = READ + LEFT + TEXTS
    rewritten = tuple(urn for urn, _ in _CBV_URNS)
    firsts = [READ[2], None, READ[0], READ[2], TEXTS[0]]  # repeats, a null
    assert (
        digital_links(_series(firsts), shared).to_list() == digital_links(_series(firsts)).to_list()
    )  # type: ignore[arg-type]
    assert epc_texts(_series(texts), shared).to_list() == epc_texts(_series(texts)).to_list()
    reversed_texts = _series(texts[::-1])
    assert (
        cbv_texts(reversed_texts, rewritten=rewritten, shared=shared).to_list()
        == cbv_texts(reversed_texts, rewritten=rewritten).to_list()
    )
    times = [*TIMES, *ODD_TIMES, None, TIMES[0]]
    assert utc_times(_series(TIMES), shared).to_list() == utc_times(_series(TIMES)).to_list()
    assert utc_millis(_series(times), shared).to_list() == utc_millis(_series(times)).to_list()  # type: ignore[arg-type]
    links = [new for kind, new in asked if kind == "link"]
    assert links[0] == sorted({READ[2], READ[0], TEXTS[0]})
    assert sorted(text for new in links for text in new) == sorted(set(texts))
    assert [new for kind, new in asked if kind == "time"] == [sorted(TIMES), sorted(ODD_TIMES)]
