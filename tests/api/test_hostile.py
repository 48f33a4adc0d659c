"""A hostile partner's inputs: each is refused with a clear error body in en and zh, quickly,
and the hub keeps answering the other partners."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest
import sqlalchemy as sa

from chainhub.access.models import audit_log
from chainhub.errors import ChainhubError
from chainhub.intake.upload import safe_file_name
from chainhub.storage.models import submissions
from chainhub.trace.prepare import parsed_document, prepared_capture
from tests.api.hub import HUAYANG, JINLI, OEM, Hub, running_hub

ASN_HEADER = (
    "shipment_number,shipper_id,receiver_id,ship_from_site,ship_to_site,ship_date,"
    "expected_delivery_date,line_no,material_code,quantity,unit,lot_number\n"
)
ASN_ROW = (
    "ASN-JL-{n},jinli-motor,haichuan,jinli-ningbo,haichuan-foshan,2026-03-09,2026-03-12,"
    "10,M004,50,H87,JL260309A\n"
)
LIMIT = 64 * 1024


@pytest.fixture
def small_hub(database_url: str) -> Iterator[Hub]:
    """A seeded hub that accepts uploads of at most 64 KiB."""
    with running_hub(database_url, upload_max_bytes=LIMIT) as seeded:
        yield seeded


def _stored(hub: Hub, partner: str = JINLI) -> int:
    with hub.engine.connect() as conn:
        query = sa.select(sa.func.count()).where(submissions.c.partner_id == partner)
        return int(conn.execute(query).scalar_one())


def _upload(hub: Hub, lang: str, files: dict[str, Any], document_type: str = "shipment") -> Any:
    return hub.client.post(
        f"/api/v1/documents/{document_type}/upload", headers=hub.headers(JINLI, lang), files=files
    )


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    assert "Traceback" not in response.text
    return error


def _asn(n: int = 2) -> bytes:
    return (ASN_HEADER + ASN_ROW.format(n=n)).encode()


PROFILE_HEAD = """chainhub_profile: 1
partner_id: jinli-motor
document_type: shipment
"""


def _mapping() -> str:
    columns = ASN_HEADER.strip().split(",")
    return "fields:\n" + "".join(f"  {c}: {{column: {c}}}\n" for c in columns)


def test_a_header_row_beyond_the_bound_is_refused_at_once(hub: Hub) -> None:
    profile = PROFILE_HEAD + "source: {format: csv, header_row: 99999999999}\n" + _mapping()
    before = _stored(hub)
    started = time.monotonic()
    for lang, words in (("en", "less than or equal to 1000"), ("zh", "不能大于 1000")):
        files = {"file": ("asn.csv", _asn(), "text/csv"), "profile": ("p.yaml", profile.encode())}
        error = _error(_upload(hub, lang, files), 400, "profile_invalid")
        assert error["location"]["field"] == "source.header_row"
        assert words in error["message"] and "source.header_row" in error["message"]
    assert time.monotonic() - started < 5
    assert _stored(hub) == before


def test_a_yaml_alias_bomb_is_refused_at_once(hub: Hub) -> None:
    bomb = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    bomb += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    profile = PROFILE_HEAD + "\n".join(bomb) + "\n"
    started = time.monotonic()
    for lang, words in (
        ("en", "more than 20 YAML aliases"),
        ("zh", "YAML 别名（*name）超过 20 个"),
    ):
        files = {"file": ("asn.csv", _asn(), "text/csv"), "profile": ("p.yaml", profile.encode())}
        error = _error(_upload(hub, lang, files), 422, "profile_aliases")
        assert words in error["message"]
    assert time.monotonic() - started < 5
    # A few aliases, as a profile may use them, still load.
    shared = "source: {format: csv}\n" + _mapping().replace(
        "  unit: {column: unit}\n", "  unit: &u {column: unit}\n"
    )
    files = {
        "file": ("asn.csv", _asn(3), "text/csv"),
        "profile": ("p.yaml", (PROFILE_HEAD + shared).encode()),
    }
    assert _upload(hub, "en", files).status_code == 201


def test_an_upload_over_the_limit_is_refused_while_it_streams(small_hub: Hub) -> None:
    big = ASN_HEADER + "".join(ASN_ROW.format(n=n) for n in range(3, 3000))
    assert len(big) > LIMIT
    before = _stored(small_hub)
    for lang, words in (("en", "larger than the hub accepts"), ("zh", "超过枢纽接受的大小上限")):
        files = {"file": ("asn.csv", big.encode(), "text/csv")}
        error = _error(_upload(small_hub, lang, files), 413, "upload_too_large")
        assert words in error["message"] and error["location"] == {"limit_bytes": LIMIT}
    # Without a declared length: refused once the streamed bytes pass the limit, unread beyond.
    boundary = "chainhubtestboundary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="asn.csv"'
            "\r\nContent-Type: text/csv\r\n\r\n"
        ).encode()
        for _ in range(200):
            yield big.encode()[:4096]
        yield f"\r\n--{boundary}--\r\n".encode()

    response = small_hub.client.post(
        "/api/v1/documents/shipment/upload",
        headers={
            **small_hub.headers(JINLI),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        content=body(),
    )
    _error(response, 413, "upload_too_large")
    assert _stored(small_hub) == before
    assert small_hub.get(HUAYANG, "/api/v1/documents/purchase_order").status_code == 200


def _multipart(boundary: str, payload: bytes) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="asn.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )


def _asgi_upload(hub: Hub, chunks: list[bytes], hang_once: bool) -> list[dict[str, Any]]:
    """Send an upload straight to the app; after the chunks, the client is gone (with
    `hang_once`, only from the second time the app asks)."""
    boundary = "chainhubgone"
    body = _multipart(boundary, b"".join(chunks))
    parts = [body[: len(body) // 2], body[len(body) // 2 :]] if not hang_once else [body]
    messages: list[dict[str, Any]] = []
    calls = {"after": 0}

    async def receive() -> dict[str, Any]:
        if parts:
            chunk = parts.pop(0)
            return {
                "type": "http.request",
                "body": chunk,
                "more_body": bool(parts) or not hang_once,
            }
        calls["after"] += 1
        if hang_once and calls["after"] == 1:
            await anyio.sleep(3600)  # still there when first asked
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    token = hub.tokens[JINLI]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/documents/shipment/upload",
        "raw_path": b"/api/v1/documents/shipment/upload",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }

    async def call() -> None:
        await hub.client.app(scope, receive, send)  # type: ignore[arg-type]

    assert hub.client.portal is not None
    hub.client.portal.call(call)
    return messages


@pytest.mark.parametrize("when", ["mid-upload", "while-checked"])
def test_a_client_that_leaves_gets_nothing_stored(hub: Hub, when: str) -> None:
    before = _stored(hub)
    rows = [ASN_ROW.format(n=n).encode() for n in range(10, 400)]
    messages = _asgi_upload(hub, [ASN_HEADER.encode(), *rows], hang_once=when == "while-checked")
    assert _stored(hub) == before
    statuses = [m["status"] for m in messages if m["type"] == "http.response.start"]
    assert all(s >= 400 for s in statuses), statuses
    page = hub.get(JINLI, "/api/v1/documents/shipment").json()
    assert {r["shipment_number"] for r in page["records"]} == {"ASN-JL-1"}
    assert hub.get(OEM, "/api/v1/documents/purchase_order").status_code == 200


@pytest.mark.parametrize(
    ("name", "stored_as"),
    [
        ("..", None),
        ("../", None),
        ("..csv", "upload.csv"),
        ("../../etc/asn.csv", "asn.csv"),
        ("..\\..\\asn.csv", "asn.csv"),
        ("长" * 120 + ".csv", "长" * 65 + ".csv"),
        ("a" * 300 + ".csv", "a" * 196 + ".csv"),
    ],
)
def test_upload_names_are_reduced_to_a_safe_base_name(
    hub: Hub, name: str, stored_as: str | None
) -> None:
    response = _upload(hub, "zh", {"file": (name, _asn(7), "text/csv")})
    assert response.status_code < 500, response.text
    if stored_as is None:
        error = _error(response, 415, "file_format")
        assert "upload" in error["message"]
        return
    assert response.status_code == 201, response.text
    stored = hub.get(OEM, "/api/v1/documents/shipment/jinli-motor%7CASN-JL-7").json()
    assert stored["current"]["source_file"] == stored_as
    assert len(stored_as.encode()) <= 200


def test_control_characters_and_folders_leave_the_name() -> None:
    assert safe_file_name("\x00evil\n.csv") == "evil.csv"
    assert safe_file_name("C:\\Users\\..\\.hidden.xlsx") == "hidden.xlsx"
    assert safe_file_name(None) == safe_file_name("\t") == safe_file_name("...") == "upload"
    assert safe_file_name("..csv") == safe_file_name(". .csv") == "upload.csv"


def test_the_hub_answers_others_while_a_large_file_is_checked(hub: Hub) -> None:
    big = ASN_HEADER + "".join(ASN_ROW.format(n=n) for n in range(10, 60_000))
    outcome: dict[str, Any] = {}

    def upload() -> None:
        files = {"file": ("big.csv", big.encode(), "text/csv")}
        outcome["response"] = _upload(hub, "en", files)

    worker = threading.Thread(target=upload)
    started = time.monotonic()
    worker.start()
    answered = []
    while worker.is_alive() and len(answered) < 5:
        asked = time.monotonic()
        assert hub.get(HUAYANG, "/api/v1/documents/purchase_order").status_code == 200
        answered.append(time.monotonic() - asked)
    worker.join()
    took = time.monotonic() - started
    assert outcome["response"].status_code == 201, outcome["response"].text
    assert answered, took
    assert max(answered) < max(2.0, took / 2), (answered, took)


@pytest.fixture(scope="module")
def budget_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A seeded hub whose file checks may take 0.25 s each (a 450,000-row file takes five times
    that on an idle machine)."""
    folder = tmp_path_factory.mktemp("budget")
    with running_hub(f"duckdb:///{folder / 'hub.duckdb'}", file_check_seconds=0.25) as seeded:
        yield seeded


def test_a_file_check_over_its_time_budget_is_stopped(budget_hub: Hub) -> None:
    hub = budget_hub
    assert _upload(hub, "en", {"file": ("asn.csv", _asn(4), "text/csv")}).status_code == 201
    big = ASN_HEADER + "".join(ASN_ROW.format(n=n) for n in range(10, 450_000))
    before = _stored(hub)
    outcome: dict[str, Any] = {}

    def upload() -> None:
        outcome["response"] = _upload(hub, "zh", {"file": ("big.csv", big.encode(), "text/csv")})

    worker = threading.Thread(target=upload)
    worker.start()
    answered = []
    while worker.is_alive():
        asked = time.monotonic()
        assert hub.get(HUAYANG, "/api/v1/documents/purchase_order").status_code == 200
        answered.append(time.monotonic() - asked)
    worker.join()
    error = _error(outcome["response"], 422, "file_check_time")
    assert "检查 big.csv 超过枢纽允许的时间（0.25 秒）；未入库" in error["message"]
    assert error["location"] == {"file": "big.csv", "limit_seconds": "0.25"}
    assert answered and max(answered) < 1.0, answered
    assert _stored(hub) == before
    with hub.engine.connect() as conn:
        refused = conn.execute(
            sa.select(audit_log.c.partner_id, audit_log.c.status).where(
                audit_log.c.outcome == "file_check_time"
            )
        ).all()
    assert [tuple(r) for r in refused] == [(JINLI, 422)]
    # A fresh worker takes the stopped one's place.
    assert _upload(hub, "en", {"file": ("asn.csv", _asn(5), "text/csv")}).status_code == 201


_EVENT = (
    '{"type": "ObjectEvent", "eventTime": "2026-03-05T10:00:00+08:00", "eventTimeZoneOffset": '
    '"+08:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:6901234.012345.1007"], '
    '"x:deep": %s}'
)
_JSON = (
    '{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", '
    '{"x": "urn:example:x:"}], "type": "EPCISDocument", "schemaVersion": "2.0", '
    '"creationDate": "2026-03-05T10:00:00Z", "epcisBody": {"eventList": [%s]}}'
)
_XML = (
    '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:x="urn:example:x" '
    'schemaVersion="2.0" creationDate="2026-03-05T10:00:00Z"><EPCISBody><EventList><ObjectEvent>'
    "<eventTime>2026-03-05T10:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00"
    "</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:6901234.012345.1007</epc></epcList>"
    "<action>OBSERVE</action>%s</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"
)


def _nested_json(levels: int) -> bytes:
    return (_JSON % (_EVENT % ('{"a": ' * levels + "1" + "}" * levels))).encode()


def _nested_xml(levels: int) -> bytes:
    return (_XML % ("<x:a>" * levels + "1" + "</x:a>" * levels)).encode()


def test_a_deeply_nested_capture_is_a_malformed_400(hub: Hub) -> None:
    bodies = [
        ("application/json", b"[" * 100_000, "body", "请求体"),
        ("application/json", _nested_json(900), "epcisBody.eventList.0.x:deep", "嵌套超过"),
        ("application/xml", _nested_xml(200), "epcisBody.eventList.0.x:a", "嵌套超过"),
        ("application/xml", _nested_xml(100_000), "body", "XML"),
    ]
    for kind, body, field, said_zh in bodies:
        for lang in ("en", "zh"):
            headers = {**hub.headers(JINLI, lang), "Content-Type": kind}
            response = hub.client.post("/epcis/capture", content=body, headers=headers)
            error = _error(response, 400, "epcis_malformed")
            assert str(error["location"]["field"]).startswith(field), error
            if lang == "zh":
                assert said_zh in error["message"], error


def _prepared(body: bytes, form: str, *, parsed: bool) -> Any:
    read = parsed_document(body, form)  # type: ignore[arg-type]
    return prepared_capture(document=read.document, xml=read.xml, xml_tree=read.xml_tree,
                            parsed=parsed, partner_id="a", capture_id="c",
                            received_at=datetime.now(UTC))  # fmt: skip


@pytest.mark.parametrize("parsed", [False, True], ids=["walked", "arrow-typed"])
def test_nesting_under_the_bound_goes_through_every_step(parsed: bool) -> None:
    for body, form in ((_nested_json(95), "json"), (_nested_xml(95), "xml")):
        assert len(_prepared(body, form, parsed=parsed).hashes) == 1


@pytest.mark.parametrize("parsed", [False, True], ids=["walked", "arrow-typed"])
def test_the_bound_is_the_same_whether_the_events_are_walked_or_typed(parsed: bool) -> None:
    """An event's field nesting 97 objects reaches depth 100, the bound; 98 go past it, and
    the refusal names where (the same path whether the events are walked or read by Arrow)."""
    assert len(_prepared(_nested_json(97), "json", parsed=parsed).hashes) == 1
    with pytest.raises(ChainhubError) as refused:
        _prepared(_nested_json(98), "json", parsed=parsed)
    assert refused.value.code == "epcis_malformed"
    assert refused.value.location == {"field": "epcisBody.eventList.0.x:deep.a.a.a.a.…"}
