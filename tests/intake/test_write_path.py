"""One write path: the same file sent through every entry is stored, audited and announced alike.

Each entry gets its own seeded hub (the named chain of tests/api/hub.py) in which the OEM
subscribes to shipment announcements at a local receiver; jinli-motor then sends one shipment
file through the API upload, `chainhub ingest`, and the demo's loader.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chainhub.access.models import audit_log
from chainhub.cli import demo as demo_cli
from chainhub.cli.main import _register
from chainhub.cli.main import app as cli_app
from chainhub.intake.schemas import SourceFormat, standard_profile
from chainhub.partners.models import webhook_deliveries
from chainhub.storage.engine import create_engine_for
from chainhub.storage.models import doc_table
from tests.api.hub import JINLI, OEM, SITES, running_hub
from tests.partners.test_webhooks import Receiver

SHIPMENT: dict[str, Any] = {
    "shipment_number": "ASN-JL-77",
    "shipper_id": JINLI,
    "receiver_id": OEM,
    "ship_from_site": SITES[JINLI],
    "ship_to_site": SITES[OEM],
    "ship_date": "2026-03-06",
    "expected_delivery_date": "2026-03-09",
    "line_no": "10",
    "po_number": "PO-HC-JL-1",
    "po_line_no": "10",
    "material_code": "M004",
    "quantity": "150",
    "unit": "H87",
    "lot_number": "JL260306B",
}
# What differs by entry on purpose: the entry itself and the ids each attempt mints.
_PER_ENTRY = ("channel", "attempt_id", "submission_id")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=0)
    yield server
    server.close()


def _shipment_file(folder: Path) -> Path:
    path = folder / "asn-jl-77.csv"
    pl.DataFrame([SHIPMENT]).write_csv(path)
    return path


def _via_upload(url: str, path: Path, receiver: Receiver) -> None:
    with running_hub(url) as hub:
        _subscribe(hub.post, receiver)
        with path.open("rb") as file:
            response = hub.post(
                JINLI,
                "/api/v1/documents/shipment/upload",
                files={"file": (path.name, file, "text/csv")},
            )
        assert response.status_code == 201, response.text
        _wait_for(lambda: len(receiver.requests) == 1)


def _via_cli(url: str, path: Path, receiver: Receiver) -> None:
    with running_hub(url) as hub:
        _subscribe(hub.post, receiver)
    if not any(c.callback and c.callback.__name__ == "ingest" for c in cli_app.registered_commands):
        _register()
    args = ["ingest", str(path), "--partner", JINLI, "--type", "shipment", "--db", url]
    # The receiver listens on loopback, which webhooks reach only when allowed.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHAINHUB_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
        result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    # The command sends what it queued once it has committed, with no server running.
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0][1])["doc_key"] == "jinli-motor|ASN-JL-77"
    logged = CliRunner().invoke(cli_app, ["audit", "log", "--partner", JINLI, "--format", "json",
                                          "--db", url])  # fmt: skip
    assert logged.exit_code == 0, logged.output
    newest = json.loads(logged.output)[0]
    assert (newest["action"], newest["outcome"]) == ("submit shipment", "submission_stored")
    assert json.loads(newest["target"])["channel"] == "cli"


def _via_demo(url: str, path: Path, receiver: Receiver) -> None:
    with running_hub(url) as hub:
        _subscribe(hub.post, receiver)
    folder = path.parent
    profile = standard_profile(
        partner_id=JINLI,
        document_type="shipment",
        columns=SHIPMENT.keys(),
        source=SourceFormat(format="csv"),
    )
    (folder / "profile.yaml").write_text(profile.to_yaml(), encoding="utf-8")
    entry = {
        "partner_id": JINLI,
        "document_type": "shipment",
        "file": path.name,
        "profile": "profile.yaml",
    }
    manifest = {"submissions": [entry]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert demo_cli._load(db=url, data_dir=folder) == {"stored": 1, "duplicate": 0}


def _subscribe(post: Callable[..., Any], receiver: Receiver) -> None:
    events = {"url": receiver.url, "events": ["shipment.announced"]}
    assert post(OEM, "/api/v1/subscriptions", json=events).status_code == 201


def _wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _what_the_hub_holds(url: str) -> dict[str, Any]:
    """The stored shipment, the submission's audit entry and the queued announcements."""
    engine = create_engine_for(url)
    table = doc_table("shipment")
    record_fields = [c for c in table.columns if not c.name.startswith("_")]
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(*record_fields, table.c._submitted_by).where(
                table.c.shipment_number == "ASN-JL-77"
            )
        ).all()
        audit = (
            conn.execute(sa.select(audit_log).where(audit_log.c.action == "submit shipment"))
            .mappings()
            .all()
        )
        announced = conn.execute(
            sa.select(webhook_deliveries.c.event, webhook_deliveries.c.payload)
        ).all()
    engine.dispose()
    entries = []
    for row in audit:
        target = json.loads(row["target"])
        if target["source_file"] != "asn-jl-77.csv":
            continue  # the seed's own submissions
        assert target["channel"] in ("upload", "cli", "demo")
        entries.append(
            (
                row["partner_id"],
                row["status"],
                row["outcome"],
                {k: v for k, v in target.items() if k not in _PER_ENTRY},
            )
        )
    deliveries = [(event, json.loads(payload)["doc_key"]) for event, payload in announced]
    return {"stored": [tuple(r) for r in stored], "audit": entries, "announced": deliveries}


def test_every_entry_stores_audits_and_announces_a_file_alike(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    if database_url.startswith("postgresql"):
        urls = {"upload": database_url}
    else:
        urls = {e: f"duckdb:///{tmp_path / e}.duckdb" for e in ("upload", "cli", "demo")}
    entries = {"upload": _via_upload, "cli": _via_cli, "demo": _via_demo}
    held = {}
    for name, url in urls.items():
        folder = tmp_path / name
        folder.mkdir()
        receiver.requests.clear()
        entries[name](url, _shipment_file(folder), receiver)
        held[name] = _what_the_hub_holds(url)

    first = held["upload"]
    assert len(first["stored"]) == 1 and first["stored"][0][-1] == JINLI
    assert first["audit"] == [
        (
            JINLI,
            201,
            "submission_stored",
            {
                "document_type": "shipment",
                "source_file": "asn-jl-77.csv",
                "content_hash": first["audit"][0][3]["content_hash"],
                "rows": 1,
                "stored_rows": 1,
                "quarantined_rows": 0,
            },
        )
    ]
    assert first["announced"] == [("shipment.announced", "jinli-motor|ASN-JL-77")]
    for name, holds in held.items():
        assert holds == first, name
