"""Recall cases on the simulated small chain, through HTTP on both backends: a case opened for
an injected defective lot names exactly the partners `ground_truth/defects.json` says it reached,
notifies each once, and closes when all have acknowledged; a partner sees only its own line.
Also the `trace`, `recall report` and `recall open` commands."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import psycopg
import pytest
import sqlalchemy as sa
import typer
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from chainhub.access.schemas import Role
from chainhub.access.tokens import do_create_token, do_set_chain_leader
from chainhub.app import create_app
from chainhub.cli import trace as trace_cli
from chainhub.partners.models import webhook_deliveries
from chainhub.settings import Settings
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade
from tests.conftest import BACKENDS
from tests.support import LEADER, SmallChain

ADMIN = "admin"
UNAFFECTED = "jinli-motor"


@dataclass
class RecallHub:
    """The small chain loaded through intake, served, a token per partner, each subscribed."""

    client: TestClient
    engine: sa.Engine
    url: str
    tokens: dict[str, str]
    subscriptions: dict[str, str]
    defects: list[dict[str, Any]]

    def call(self, method: str, who: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request as `who`."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(method, path, headers=headers, **kwargs)

    def affected(self, defect: dict[str, Any]) -> set[str]:
        """The partners holding or having received the defective lot or a lot made from it."""
        return {defect["supplier_id"], *defect["partners_reached"]}


@contextmanager
def _database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if request.param == "duckdb":
        yield f"duckdb:///{folder / 'hub.duckdb'}"
        return
    admin = make_url(request.getfixturevalue("postgres_admin_url")).set(drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module", params=BACKENDS)
def hub(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    small_chain: SmallChain,
) -> Iterator[RecallHub]:
    """One loaded hub per backend for the module; each test opens its own cases."""
    partners = sorted({sub["partner_id"] for sub in small_chain.manifest["submissions"]})
    defects = json.loads((small_chain.root / "ground_truth" / "defects.json").read_text("utf-8"))
    with _database(request, tmp_path_factory.mktemp("recall")) as url:
        loader = create_engine_for(url)
        do_upgrade(engine=loader)
        small_chain.load(loader)
        with loader.begin() as conn:
            do_set_chain_leader(conn=conn, partner_id=LEADER)
            tokens = {
                p: do_create_token(conn=conn, partner_id=p, role=Role.PARTNER_ADMIN, label="t")
                for p in partners
            }
            tokens[ADMIN] = do_create_token(
                conn=conn, partner_id=None, role=Role.HUB_ADMIN, label="t"
            )
        loader.dispose()
        data_dir = Path(tempfile.mkdtemp(prefix="chainhub-data-"))
        # Deliveries go nowhere: the worker finds the address refused; the outbox stays.
        app = create_app(Settings(database_url=url, data_dir=data_dir))
        try:
            with TestClient(app) as client:
                recall_hub = RecallHub(client, app.state.engine, url, tokens, {}, defects)
                for partner in partners:
                    created = recall_hub.call(
                        "POST",
                        partner,
                        "/api/v1/subscriptions",
                        json={"url": "https://hooks.example.com/in", "events": ["recall.opened"]},
                    )
                    assert created.status_code == 201, created.text
                    recall_hub.subscriptions[partner] = created.json()["subscription_id"]
                yield recall_hub
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


def _notified(hub: RecallHub, recall_id: str) -> dict[str, int]:
    """`recall.opened` deliveries of the case queued per subscribing partner."""
    with hub.engine.connect() as conn:
        rows = conn.execute(
            sa.select(webhook_deliveries.c.subscription_id, webhook_deliveries.c.payload).where(
                webhook_deliveries.c.event == "recall.opened"
            )
        ).all()
    by_subscription = {s: p for p, s in hub.subscriptions.items()}
    counts = dict.fromkeys(hub.subscriptions, 0)
    for subscription_id, payload in rows:
        if json.loads(payload)["doc_key"] == recall_id:
            counts[by_subscription[subscription_id]] += 1
    return counts


def _open(hub: RecallHub, who: str, defect: dict[str, Any]) -> httpx.Response:
    body = {"lot": defect["lot_number"], "material_code": defect["material_code"],
            "reason": defect["description"]}  # fmt: skip
    return hub.call("POST", who, "/api/v1/recalls", json=body)


def test_a_leaders_recall_reaches_the_truth_and_closes_on_acknowledgements(
    hub: RecallHub,
) -> None:
    defect = hub.defects[0]
    affected = hub.affected(defect)
    assert UNAFFECTED not in affected
    opened = _open(hub, LEADER, defect)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    recall_id = case["recall_id"]
    assert {line["partner_id"] for line in case["lines"]} == affected
    assert case["partners"] == len(affected) and case["acknowledged"] == 0
    assert case["affected_lots"] == len(defect["lots"]) + 1
    assert (case["status"], case["closure_share"], case["closed_at"]) == ("open", 0.0, None)
    assert case["opened_by"] == LEADER and case["reason"] == defect["description"]
    assert case["time_to_trace_ms"] > 0
    supplier_line = next(x for x in case["lines"] if x["partner_id"] == defect["supplier_id"])
    assert {"material_code": defect["material_code"], "lot_number": defect["lot_number"]} in (
        supplier_line["lots"]
    )
    notified = _notified(hub, recall_id)
    assert {p for p, n in notified.items() if n} == affected
    assert set(notified.values()) == {0, 1}

    # The supplier sees its line and counts; no other partner is named to it.
    seen = hub.call("GET", defect["supplier_id"], f"/api/v1/recalls/{recall_id}")
    assert seen.status_code == 200
    mine = seen.json()
    assert [x["partner_id"] for x in mine["lines"]] == [defect["supplier_id"]]
    assert (mine["partners"], mine["opened_by"]) == (len(affected), None)
    others = (affected | {LEADER}) - {defect["supplier_id"]}
    assert not any(p in seen.text for p in others)
    listed = hub.call("GET", defect["customers"][0], "/api/v1/recalls").json()
    assert recall_id in {c["recall_id"] for c in listed}

    # A partner the recall does not affect learns nothing of it.
    assert hub.call("GET", UNAFFECTED, f"/api/v1/recalls/{recall_id}").status_code == 404
    listed = hub.call("GET", UNAFFECTED, "/api/v1/recalls").json()
    assert recall_id not in {c["recall_id"] for c in listed}
    ack = {"quantity": 10, "note": "blocked"}
    refused = hub.call("POST", UNAFFECTED, f"/api/v1/recalls/{recall_id}/acknowledge", json=ack)
    assert refused.status_code == 404

    for count, partner in enumerate(sorted(affected), start=1):
        answer = hub.call(
            "POST",
            partner,
            f"/api/v1/recalls/{recall_id}/acknowledge",
            json={"quantity": count, "unit": "H87", "note": f"blocked by {partner}"},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["acknowledged"] == count
        assert body["status"] == ("closed" if count == len(affected) else "open")
        line = next(x for x in body["lines"] if x["partner_id"] == partner)
        assert (line["quantity"], line["note"]) == (count, f"blocked by {partner}")
    again = hub.call("POST", LEADER, f"/api/v1/recalls/{recall_id}/acknowledge", json=ack)
    assert again.status_code == 409
    closed = hub.call("GET", ADMIN, f"/api/v1/recalls/{recall_id}").json()
    assert (closed["status"], closed["closure_share"]) == ("closed", 1.0)
    assert closed["time_to_close_days"] is not None and closed["time_to_close_days"] >= 0
    assert len(closed["lines"]) == len(affected)
    assert all(x["acknowledged_at"] for x in closed["lines"])


def test_a_holder_opens_a_recall_and_closes_it_early(hub: RecallHub) -> None:
    defect = hub.defects[1]
    supplier, customer = defect["supplier_id"], defect["customers"][0]
    affected = hub.affected(defect)
    # Only a holder of the lot (or the leader, or the hub admin) may open its recall.
    assert _open(hub, UNAFFECTED, defect).status_code == 404
    opened = _open(hub, supplier, defect)
    assert opened.status_code == 201, opened.text
    recall_id = opened.json()["recall_id"]
    # A supplier recalling its own lot learns how many partners it reached, not who (as in a
    # trace); a customer sees its own line and counts too.
    assert [x["partner_id"] for x in opened.json()["lines"]] == [supplier]
    assert opened.json()["partners"] == len(affected)
    theirs = hub.call("GET", customer, f"/api/v1/recalls/{recall_id}").json()
    assert [x["partner_id"] for x in theirs["lines"]] == [customer]
    assert (theirs["partners"], theirs["opened_by"]) == (len(affected), None)
    assert hub.call("POST", customer, f"/api/v1/recalls/{recall_id}/close").status_code == 403
    ack = {"quantity": 3, "note": "returned"}
    assert (
        hub.call("POST", customer, f"/api/v1/recalls/{recall_id}/acknowledge", json=ack).status_code
        == 200
    )
    closed = hub.call("POST", supplier, f"/api/v1/recalls/{recall_id}/close")
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["acknowledged"] == 1
    assert body["closure_share"] == round(1 / len(affected), 4)
    assert hub.call("POST", supplier, f"/api/v1/recalls/{recall_id}/close").status_code == 409
    listed = hub.call("GET", customer, "/api/v1/recalls", params={"status": "closed"}).json()
    assert recall_id in {c["recall_id"] for c in listed}


def test_recall_kpis_summarise_the_cases_one_may_see(hub: RecallHub) -> None:
    cases = hub.call("GET", ADMIN, "/api/v1/recalls").json()
    assert len(cases) >= 2
    kpis = hub.call("GET", ADMIN, "/api/v1/recalls/kpis").json()
    traced = sorted(c["time_to_trace_ms"] for c in cases)
    middle = len(traced) // 2
    p50 = traced[middle] if len(traced) % 2 else (traced[middle - 1] + traced[middle]) / 2
    closed = [c for c in cases if c["status"] == "closed"]
    assert kpis["cases"] == len(cases) and kpis["closed"] == len(closed)
    assert kpis["open"] == len(cases) - len(closed)
    assert kpis["time_to_trace_ms_p50"] == pytest.approx(p50, abs=1e-3)
    assert kpis["time_to_trace_ms_max"] == traced[-1] > 0
    shares = [c["closure_share"] for c in cases]
    assert kpis["closure_share_mean"] == pytest.approx(sum(shares) / len(shares), abs=1e-4)
    assert kpis["days_to_close_p50"] is not None and kpis["days_to_close_p50"] >= 0
    nothing = hub.call("GET", UNAFFECTED, "/api/v1/recalls/kpis").json()
    assert nothing == {"cases": 0, "open": 0, "closed": 0, "time_to_trace_ms_p50": None,
                       "time_to_trace_ms_max": None, "closure_share_mean": None,
                       "days_to_close_p50": None}  # fmt: skip


def _cli() -> typer.Typer:
    app = typer.Typer()
    trace_cli.register(app)
    return app


def test_the_trace_and_recall_commands(hub: RecallHub, tmp_path: Path) -> None:
    defect = hub.defects[2]
    run, db = CliRunner(), ["--db", hub.url]
    lot = [defect["lot_number"], "--material", defect["material_code"]]
    traced = run.invoke(_cli(), ["trace", *lot, "--direction", "forward", "--format", "json", *db])
    assert traced.exit_code == 0, traced.output
    nodes = json.loads(traced.stdout)["nodes"]
    made = {n["lot_number"] for n in nodes} - {defect["lot_number"]}
    assert made == set(defect["lots"])
    as_supplier = run.invoke(
        _cli(), ["trace", *lot, "--direction", "forward", "--partner", defect["supplier_id"], *db]
    )
    assert as_supplier.exit_code == 0, as_supplier.output
    assert f"{len(defect['customers'])} customers" in as_supplier.stdout
    assert "hidden" in as_supplier.stdout
    assert not any(c in as_supplier.stdout for c in defect["customers"])

    out = tmp_path / "recall.csv"
    report = run.invoke(_cli(), ["recall", "report", *lot, "--out", str(out), *db])
    assert report.exit_code == 0, report.output
    shipped = pl.read_csv(io.BytesIO(out.read_bytes())).filter(pl.col("status") == "shipped")
    assert set(shipped["partner"]) == set(defect["customers"])
    bad = run.invoke(_cli(), ["recall", "report", *lot, "--out", str(tmp_path / "r.pdf"), *db])
    assert bad.exit_code == 2

    opened = run.invoke(
        _cli(), ["recall", "open", *lot, "--reason", "CLI", "--format", "json", *db]
    )
    assert opened.exit_code == 0, opened.output
    case = json.loads(opened.stdout)
    assert {x["partner_id"] for x in case["lines"]} == hub.affected(defect)
    assert case["opened_by"] is None and case["reason"] == "CLI"
    notified = _notified(hub, case["recall_id"])
    assert {p for p, n in notified.items() if n} == hub.affected(defect)
    table = run.invoke(_cli(), ["recall", "open", *lot, *db])
    assert table.exit_code == 0, table.output
    assert f"{len(hub.affected(defect))} partners notified" in table.stdout
    missing = run.invoke(_cli(), ["recall", "open", "NO-SUCH-LOT", *db])
    assert missing.exit_code == 1
