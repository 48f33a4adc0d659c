"""A hub with a small named chain, loaded through the API by the partners themselves.

haichuan (OEM, chain leader) buys M001 compressors from huayang-compressor and taihe-kessler and
M004 motors from jinli-motor, and sells P100 to huadong-trading. Each document carries a marker
(its number) so tests can say exactly who may see it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chainhub.access.schemas import Role
from chainhub.access.tokens import do_create_token, do_set_chain_leader
from chainhub.app import create_app
from chainhub.settings import Settings

OEM: Final = "haichuan"
JINLI: Final = "jinli-motor"
HUAYANG: Final = "huayang-compressor"
TAIHE: Final = "taihe-kessler"
HUADONG: Final = "huadong-trading"
PARTNERS: Final = (OEM, JINLI, HUAYANG, TAIHE, HUADONG)
SITES: Final = {
    OEM: "haichuan-foshan",
    JINLI: "jinli-ningbo",
    HUAYANG: "huayang-wuhu",
    TAIHE: "taihe-changzhou",
    HUADONG: "huadong-shanghai",
}
VMI_TYPES: Final = ["inventory_snapshot", "demand_forecast"]


def _partner(pid: str, tier: int, role: str) -> dict[str, Any]:
    return {
        "partner_id": pid,
        "name_zh": f"{pid} 公司",
        "name_en": f"{pid} Co.",
        "roles": [role],
        "tier": tier,
        "city": "佛山",
    }


def _po(
    number: str, supplier: str, material: str, quantity: str, status: str = "open", buyer: str = OEM
) -> dict[str, Any]:
    return {
        "po_number": number,
        "buyer_id": buyer,
        "supplier_id": supplier,
        "ship_to_site": SITES[buyer],
        "order_date": "2026-03-01",
        "lines": [
            {
                "line_no": 10,
                "material_code": material,
                "quantity": quantity,
                "unit": "H87",
                "requested_date": "2026-03-20",
                "line_status": status,
            }
        ],
    }


def _stock(partner: str, day: str, lines: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {
        "partner_id": partner,
        "site_id": SITES[partner],
        "snapshot_date": day,
        "lines": [
            {"material_code": m, "lot_number": lot, "quantity_on_hand": q, "unit": "H87"}
            for m, lot, q in lines
        ],
    }


# Document number → (submitter, document type, document).
DOCUMENTS: Final[dict[str, tuple[str, str, dict[str, Any]]]] = {
    "PO-HC-JL-1": (OEM, "purchase_order", _po("PO-HC-JL-1", JINLI, "M004", "300")),
    "PO-HC-HY-1": (OEM, "purchase_order", _po("PO-HC-HY-1", HUAYANG, "M001", "500")),
    "PO-HC-HY-2": (OEM, "purchase_order", _po("PO-HC-HY-2", HUAYANG, "M001", "250", "delivered")),
    "PO-HC-TK-1": (OEM, "purchase_order", _po("PO-HC-TK-1", TAIHE, "M001", "400")),
    "PO-HY-TK-9": (
        HUAYANG,
        "purchase_order",
        _po("PO-HY-TK-9", TAIHE, "M009", "70", buyer=HUAYANG),
    ),
    "SO-HC-HD-1": (
        OEM,
        "sales_order",
        {
            "so_number": "SO-HC-HD-1",
            "seller_id": OEM,
            "customer_id": HUADONG,
            "order_date": "2026-03-01",
            "lines": [
                {
                    "line_no": 10,
                    "material_code": "P100",
                    "quantity": "40",
                    "unit": "H87",
                    "requested_date": "2026-03-10",
                }
            ],
        },
    ),
    "INV-HC-0310": (
        OEM,
        "inventory_snapshot",
        _stock(
            OEM,
            "2026-03-10",
            [("M001", "L-M001-A", "100"), ("M004", "L-M004-A", "80"), ("M009", "L-M009-A", "9000")],
        ),
    ),
    "INV-HC-0311": (
        OEM,
        "inventory_snapshot",
        _stock(
            OEM,
            "2026-03-11",
            [
                ("M001", "L-M001-B", "320"),
                ("M004", "L-M004-B", "120"),
                ("M009", "L-M009-B", "8000"),
            ],
        ),
    ),
    "INV-HY-0311": (
        HUAYANG,
        "inventory_snapshot",
        _stock(HUAYANG, "2026-03-11", [("M001", "L-HY-FG-1", "777")]),
    ),
    "FC-HC-W14": (
        OEM,
        "demand_forecast",
        {
            "forecast_id": "FC-HC-W14",
            "issuer_id": OEM,
            "site_id": SITES[OEM],
            "forecast_date": "2026-04-01",
            "bucket": "week",
            "lines": [
                {"material_code": m, "period_start": d, "quantity": q, "unit": "H87"}
                for m, d, q in (
                    ("M001", "2026-04-06", "1200"),
                    ("M001", "2026-04-13", "1300"),
                    ("M004", "2026-04-06", "600"),
                    ("M009", "2026-04-06", "20000"),
                )
            ],
        },
    ),
    "ASN-JL-1": (
        JINLI,
        "shipment",
        {
            "shipment_number": "ASN-JL-1",
            "shipper_id": JINLI,
            "receiver_id": OEM,
            "ship_from_site": SITES[JINLI],
            "ship_to_site": SITES[OEM],
            "ship_date": "2026-03-05",
            "expected_delivery_date": "2026-03-08",
            "lines": [
                {
                    "line_no": 10,
                    "po_number": "PO-HC-JL-1",
                    "po_line_no": 10,
                    "material_code": "M004",
                    "quantity": "200",
                    "unit": "H87",
                    "lot_number": "JL260305A",
                }
            ],
        },
    ),
    "GR-HC-JL-1": (
        OEM,
        "goods_receipt",
        {
            "receipt_number": "GR-HC-JL-1",
            "receiver_id": OEM,
            "supplier_id": JINLI,
            "site_id": SITES[OEM],
            "receipt_date": "2026-03-08",
            "lines": [
                {
                    "line_no": 10,
                    "po_number": "PO-HC-JL-1",
                    "po_line_no": 10,
                    "material_code": "M004",
                    "lot_number": "JL260305A",
                    "received_quantity": "200",
                    "accepted_quantity": "198",
                    "rejected_quantity": "2",
                    "unit": "H87",
                }
            ],
        },
    ),
    "CW-JL-MAT04": (
        JINLI,
        "material_crosswalk",
        {"partner_id": JINLI, "partner_material_code": "CW-JL-MAT04", "material_code": "M004"},
    ),
}
# Who may see each document: its parties, the chain leader, and VMI grantees for their materials.
VISIBLE_TO: Final[dict[str, frozenset[str]]] = {
    "PO-HC-JL-1": frozenset({OEM, JINLI}),
    "PO-HC-HY-1": frozenset({OEM, HUAYANG}),
    "PO-HC-HY-2": frozenset({OEM, HUAYANG}),
    "PO-HC-TK-1": frozenset({OEM, TAIHE}),
    "PO-HY-TK-9": frozenset({OEM, HUAYANG, TAIHE}),
    "SO-HC-HD-1": frozenset({OEM, HUADONG}),
    "FC-HC-W14": frozenset({OEM, JINLI, HUAYANG}),
    "ASN-JL-1": frozenset({OEM, JINLI}),
    "GR-HC-JL-1": frozenset({OEM, JINLI}),
    "CW-JL-MAT04": frozenset({OEM, JINLI}),
}
# Markers that only some lines carry: lots in stock (snapshots have no document number).
LINE_VISIBLE_TO: Final[dict[str, frozenset[str]]] = {
    "L-M001-A": frozenset({OEM, HUAYANG}),
    "L-M001-B": frozenset({OEM, HUAYANG}),
    "L-M004-A": frozenset({OEM, JINLI}),
    "L-M004-B": frozenset({OEM, JINLI}),
    "L-M009-A": frozenset({OEM}),
    "L-M009-B": frozenset({OEM}),
    "L-HY-FG-1": frozenset({OEM, HUAYANG}),
}


@dataclass
class Hub:
    """A test client of a seeded hub and a token per named caller."""

    client: TestClient
    engine: sa.Engine
    tokens: dict[str, str]
    agreements: dict[str, str] = field(default_factory=dict)
    private: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None, lang: str = "en") -> dict[str, str]:
        """Authorization (none for None) and Accept-Language headers."""
        base = {"Accept-Language": lang}
        return base if who is None else {**base, "Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str | None, path: str, **kwargs: Any) -> httpx.Response:
        """GET as `who`."""
        return self.client.get(path, headers=self.headers(who), **kwargs)

    def post(self, who: str | None, path: str, **kwargs: Any) -> httpx.Response:
        """POST as `who`."""
        return self.client.post(path, headers=self.headers(who), **kwargs)

    def submit(self, who: str, document_type: str, *documents: dict[str, Any]) -> httpx.Response:
        """POST a JSON batch as `who`."""
        return self.post(
            who, f"/api/v1/documents/{document_type}", json={"documents": list(documents)}
        )


def _seed_tokens(engine: sa.Engine) -> dict[str, str]:
    with engine.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=OEM)
        tokens = {
            p: do_create_token(conn=conn, partner_id=p, role=Role.PARTNER_ADMIN, label="t")
            for p in PARTNERS
        }
        tokens["admin"] = do_create_token(
            conn=conn, partner_id=None, role=Role.HUB_ADMIN, label="t"
        )
        tokens["jinli-analyst"] = do_create_token(
            conn=conn, partner_id=JINLI, role=Role.ANALYST, label="t", user="王分析"
        )
        tokens["jinli-member"] = do_create_token(
            conn=conn, partner_id=JINLI, role=Role.PARTNER_MEMBER, label="t", user="李工"
        )
    return tokens


def _check(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def seed(hub: Hub) -> None:
    """Master data from the chain leader, documents from their senders, VMI agreements."""
    tier = {OEM: (0, "oem"), HUADONG: (1, "distributor")}
    _check(
        hub.submit(OEM, "partner", *(_partner(p, *tier.get(p, (1, "supplier"))) for p in PARTNERS))
    )
    _check(
        hub.submit(
            OEM,
            "site",
            *(
                {
                    "site_id": s,
                    "partner_id": p,
                    "name_zh": f"{s} 场所",
                    "name_en": s,
                    "site_type": "plant",
                    "city": "佛山",
                }
                for p, s in SITES.items()
            ),
        )
    )
    _check(
        hub.submit(
            OEM,
            "material",
            *(
                {
                    "material_code": code,
                    "name_zh": code,
                    "name_en": code,
                    "category": category,
                    "base_unit": "H87",
                }
                for code, category in (
                    ("M001", "component"),
                    ("M004", "component"),
                    ("M009", "packaging"),
                    ("P100", "finished"),
                )
            ),
        )
    )
    for submitter, document_type, document in DOCUMENTS.values():
        _check(hub.submit(submitter, document_type, document))
    today = datetime.now(UTC).date()
    for supplier in (JINLI, HUAYANG):
        proposal = {
            "grantor_id": OEM,
            "grantee_id": supplier,
            "document_types": VMI_TYPES,
            "scope_kind": "supplied_by_grantee",
            "purpose": "VMI",
            "valid_from": (today - timedelta(days=1)).isoformat(),
        }
        agreement = _check(hub.post(OEM, "/api/v1/agreements", json=proposal))
        _check(hub.post(supplier, f"/api/v1/agreements/{agreement['agreement_id']}/accept"), 200)
        hub.agreements[supplier] = agreement["agreement_id"]


@contextmanager
def running_hub(database_url: str, **settings: Any) -> Iterator[Hub]:
    """A started app on the database, seeded, with its client; webhooks may reach this
    machine's test receivers (127.0.0.1) unless the settings say otherwise."""
    settings.setdefault("webhook_allowed_hosts", ["127.0.0.1"])
    own_dir = "data_dir" not in settings
    data_dir = settings.setdefault("data_dir", Path(tempfile.mkdtemp(prefix="chainhub-data-")))
    app = create_app(Settings(database_url=database_url, **settings))
    try:
        with TestClient(app) as client:
            hub = Hub(
                client=client,
                engine=app.state.engine,
                tokens=_seed_tokens(app.state.engine),
                agreements={},
            )
            seed(hub)
            yield hub
    finally:
        if own_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
