"""Identifiers beyond EPC URIs: GS1 keys with check digits, Industrial Internet Handles, Ecode,
NMPA drug traceability codes, their packing into cases and pallets, and traces through it.

GS1 examples are the EPC Tag Data Standard's and the EPCIS 2.0 standard's own (SSCC
0614141.1234567890, SGTIN 0614141.812345.6789, the Digital Link twin of example 9.6.3) and the
GTIN 06901234567892 of the 690 (China) prefix; the DOI Handbook's handle is `10.1000/182`.
No public 20-digit drug code or Ecode was at hand, so those examples are made to their layout.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from chainhub.access.schemas import Principal, Role
from chainhub.errors import ChainhubError
from chainhub.trace.genealogy import LotGraph, list_edges
from chainhub.trace.identifiers import (
    canonical_epc,
    check_identifier,
    packing_document,
)
from chainhub.trace.scans import access_duplicate_scans
from chainhub.trace.service import do_capture
from chainhub.trace.tracing import access_trace
from tests.trace.reference import GS1, require

ADMIN = Principal(token_id="t", partner_id=None, role=Role.HUB_ADMIN)
CST = timezone(timedelta(hours=8))
SSCC = "https://id.gs1.org/00/106141412345678908"


@pytest.mark.parametrize(
    "text",
    [
        "urn:epc:id:sscc:0614141.1234567890",
        "https://id.gs1.org/00/106141412345678908",
        "https://example.com/sscc/106141412345678908?x=1",
        "(00)106141412345678908",
        "106141412345678908",
    ],
)
def test_every_sscc_form_names_one_pallet(text: str) -> None:
    found = check_identifier(text)
    assert (found.scheme, found.uri) == ("sscc", SSCC)


def test_gs1_item_and_lot_forms() -> None:
    sgtin = check_identifier("urn:epc:id:sgtin:0614141.812345.6789")
    assert (sgtin.scheme, sgtin.uri) == ("sgtin", "https://id.gs1.org/01/80614141123458/21/6789")
    lot = check_identifier("(01)06901234567892(17)270301(10)JL260305A")
    assert (lot.scheme, lot.uri) == ("lgtin", "https://id.gs1.org/01/06901234567892/10/JL260305A")
    assert lot.class_level
    assert check_identifier("6901234567892").uri == "https://id.gs1.org/01/06901234567892"


def test_digital_link_examples_of_the_standard_pass_their_check_digits() -> None:
    path = require(
        GS1 / "JSON" / "WithDigitalLinkID" / "Example_9.6.3-AggregationEventWithDigitalLink.jsonld"
    )
    event = json.loads(path.read_text(encoding="utf-8"))["epcisBody"]["eventList"][0]
    for epc in event["childEPCs"]:
        assert check_identifier(epc).scheme == "sgtin"


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        ("106141412345678907", "check digit is 7, the GS1 mod-10 check digit of", "校验位应为 8"),
        ("https://id.gs1.org/01/06901234567891/10/A1", "check digit is 1", "校验位应为 2"),
        ("(01)06901234567893(21)7", "check digit is 3", "校验位为 3"),
        ("(01)06901234567892(17)2703", "needs 6 digits YYMMDD", "6 位数字"),
        ("88.101/x1", "88.<industry code>.<enterprise code>", "88.行业代码.企业代码"),
        ("hdl:88.101.5/", "needs a prefix, a '/' and a suffix", "后缀"),
        ("88.101.5/a b", "a space or a control character", "空白"),
        ("10001123456789012345678901", "1 to 20 digits, got 21", "实为 21 位"),
        ("ecode:3000112ab", "digits or capital letters", "大写字母"),
        ("ecode:5000112", "version '5' is not one read here", "版本 '5'"),
        ("nmpa:8123456789012345678", "needs 20 digits, got 19", "须为 20 位数字"),
        ("8123456789012345678X", "with non-digits", "含非数字"),
        ("LOT-1", "is no EPC URI", "不是 EPC URI"),
    ],
)
def test_a_bad_code_is_refused_naming_what_is_wrong(text: str, en: str, zh: str) -> None:
    with pytest.raises(ChainhubError) as caught:
        check_identifier(text)
    assert caught.value.code == "identifier_invalid"
    assert en in caught.value.message("en") and text in caught.value.message("en")
    assert zh in caught.value.message("zh")


def test_industrial_internet_identifiers_are_handles() -> None:
    plain = check_identifier("88.101.5/P100-2603-A.0001")
    assert plain.uri == "hdl:88.101.5/P100-2603-A.0001"
    assert dict(plain.parts) == {"prefix": "88.101.5", "suffix": "P100-2603-A.0001"}
    assert check_identifier("HDL:88.101.5/P100-2603-A.0001").uri == plain.uri
    chinese = check_identifier("88.118.8/电机-1")
    assert chinese.uri == "hdl:88.118.8/%E7%94%B5%E6%9C%BA-1"
    assert check_identifier(chinese.uri).uri == chinese.uri
    assert check_identifier("hdl:10.1000/182").parts["prefix"] == "10.1000"


def test_ecode_and_drug_codes_split_into_their_parts() -> None:
    ecode = check_identifier("10001690123456789012")
    assert ecode.scheme == "nmpa"  # a bare 20-digit number reads as a drug code...
    ecode = check_identifier("10001690123456789012", scheme="ecode")  # ...unless told
    assert ecode.uri == "urn:chainhub:ecode:10001690123456789012"
    assert dict(ecode.parts) == {"version": "1", "nsi": "0001", "md": "690123456789012"}
    v3 = check_identifier("ecode:30001AB12")
    assert dict(v3.parts) == {"version": "3", "nsi": "0001", "md": "AB12"}
    drug = check_identifier("81234560000000012345")
    assert drug.uri == "urn:chainhub:nmpa:81234560000000012345"
    assert dict(drug.parts) == {"product": "8123456", "serial": "0000000012345"}
    assert check_identifier(drug.uri).uri == drug.uri
    assert check_identifier("nmpa:81234560000000012345").uri == drug.uri


def test_canonical_epc_keeps_what_it_cannot_read() -> None:
    assert canonical_epc("urn:example:thing:1") == "urn:example:thing:1"
    assert canonical_epc("LOT-1") == "LOT-1"
    assert canonical_epc("urn:epc:id:sscc:0614141.1234567890") == SSCC
    assert canonical_epc("81234560000000012345") == "urn:chainhub:nmpa:81234560000000012345"


UNITS = [f"812345600000000{i:05d}" for i in range(1, 5)]
CASES = ["81234570000000000001", "81234570000000000002"]
PALLET = "106141412345678908"


def _packing_rows() -> list[tuple[str, str]]:
    return [(CASES[i // 2], unit) for i, unit in enumerate(UNITS)] + [(PALLET, c) for c in CASES]


def test_packing_lists_become_aggregation_events() -> None:
    document = packing_document(_packing_rows(), event_time=datetime(2026, 3, 11, 9, tzinfo=CST))
    events = document["epcisBody"]["eventList"]
    assert [(e["parentID"], len(e["childEPCs"])) for e in events] == [
        ("urn:chainhub:nmpa:81234570000000000001", 2),
        ("urn:chainhub:nmpa:81234570000000000002", 2),
        (SSCC, 2),
    ]
    assert events[0]["eventTimeZoneOffset"] == "+08:00"
    with pytest.raises(ChainhubError, match="is packed into both"):
        packing_document([*_packing_rows(), (CASES[1], UNITS[0])], event_time=datetime.now(CST))
    with pytest.raises(ChainhubError, match="cannot be a packing's parent"):
        packing_document([("06901234567892", UNITS[0])], event_time=datetime.now(CST))


def _commissioning(lot: str) -> dict[str, object]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-10T20:00:00+08:00",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": "2026-03-10T20:00:00+08:00",
                    "eventTimeZoneOffset": "+08:00",
                    "epcList": [canonical_epc(u) for u in UNITS],
                    "action": "ADD",
                    "bizStep": "commissioning",
                    "ilmd": {"cbvmda:lotNumber": lot},
                }
            ]
        },
    }


def test_a_lot_is_traced_into_its_cases_and_pallet_and_back(engine: sa.Engine) -> None:
    packing = packing_document(_packing_rows(), event_time=datetime(2026, 3, 11, 9, tzinfo=CST))
    with engine.begin() as conn:
        do_capture(conn=conn, document=_commissioning("YP2603A"), partner_id="pharma")
        do_capture(conn=conn, document=packing, partner_id="pharma")
    with engine.connect() as conn:
        graph = LotGraph(list_edges(conn=conn))
        forward = access_trace(
            conn=conn, principal=ADMIN, query="YP2603A", direction="forward", graph=graph
        )
        backward = access_trace(
            conn=conn, principal=ADMIN, query=PALLET, direction="backward", graph=graph
        )
        case = access_trace(
            conn=conn, principal=ADMIN, query=CASES[0], direction="backward", graph=graph
        )
    reached = {n.lot_number for n in forward.nodes if n.direction == "forward"}
    assert reached == {canonical_epc(c) for c in [*UNITS, *CASES, PALLET]}
    assert {n.lot_number for n in backward.nodes if n.direction == "backward"} == {
        "YP2603A",
        *(canonical_epc(c) for c in [*UNITS, *CASES]),
    }
    assert {n.lot_number for n in case.nodes if n.direction == "backward"} == {
        "YP2603A",
        *(canonical_epc(u) for u in UNITS[:2]),
    }


def _dispensed(code: str, pharmacy: str, hour: int) -> dict[str, object]:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-04-01T{hour:02d}:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [canonical_epc(code)],
        "action": "OBSERVE",
        "bizStep": "dispensing",
        "disposition": "dispensed",
        "bizLocation": {"id": f"urn:epc:id:sgln:6901234.{pharmacy}.0"},
    }


def _document(*events: dict[str, object]) -> dict[str, object]:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-04-01T00:00:00+08:00",
        "epcisBody": {"eventList": list(events)},
    }


def test_a_code_dispensed_in_two_places_is_flagged(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        do_capture(
            conn=conn,
            partner_id="pharmacy-a",
            document=_document(_dispensed(UNITS[0], "00001", 9), _dispensed(UNITS[1], "00001", 10)),
        )
        do_capture(conn=conn, partner_id="pharmacy-b", document=_document(
            _dispensed(UNITS[0], "00002", 11)))  # fmt: skip
    pharmacy_a = Principal(token_id="a", partner_id="pharmacy-a", role=Role.PARTNER_MEMBER)
    other = Principal(token_id="c", partner_id="pharmacy-c", role=Role.PARTNER_MEMBER)
    with engine.connect() as conn:
        everything = access_duplicate_scans(conn=conn, principal=ADMIN)
        own = access_duplicate_scans(conn=conn, principal=pharmacy_a)
        none = access_duplicate_scans(conn=conn, principal=other)
    assert [(d.epc, d.places) for d in everything] == [(canonical_epc(UNITS[0]), 2)]
    assert [s.partner_id for s in everything[0].scans] == ["pharmacy-a", "pharmacy-b"]
    assert [(s.partner_id, s.place) for s in own[0].scans] == [
        ("pharmacy-a", "https://id.gs1.org/414/6901234000016"),
        (None, None),
    ]
    assert none == []
