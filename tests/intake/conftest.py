"""Master data of a few named partners, registered through the intake path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from chainhub.intake.service import do_submit
from tests.intake.shipments import CROSSWALK_PROFILE
from tests.support import ingest_records, submitter

MASTER_DATA: dict[str, list[dict[str, Any]]] = {
    "partner": [
        {
            "partner_id": "haichuan",
            "name_zh": "海川电器股份有限公司",
            "name_en": "Haichuan Appliances",
            "roles": "oem",
            "tier": 0,
        },
        {
            "partner_id": "jinli-motor",
            "name_zh": "金力电机有限公司",
            "name_en": "Jinli Motor",
            "roles": "supplier",
            "tier": 1,
        },
        {
            "partner_id": "huadong-trading",
            "name_zh": "华东商贸",
            "name_en": "Huadong Trading",
            "roles": "distributor",
            "tier": 1,
        },
    ],
    "site": [
        {
            "site_id": "haichuan-foshan",
            "partner_id": "haichuan",
            "name_zh": "海川佛山工厂",
            "name_en": "Haichuan Foshan Plant",
            "site_type": "plant",
            "city": "佛山",
        },
        {
            "site_id": "jinli-ningbo",
            "partner_id": "jinli-motor",
            "name_zh": "金力宁波工厂",
            "name_en": "Jinli Ningbo Plant",
            "site_type": "plant",
            "city": "宁波",
        },
    ],
    "material": [
        {
            "material_code": "M001",
            "name_zh": "压缩机 QX-1.5P",
            "name_en": "Compressor QX-1.5P",
            "category": "component",
            "base_unit": "H87",
        },
        {
            "material_code": "M002",
            "name_zh": "不锈钢螺钉 M4×12",
            "name_en": "Screw M4x12",
            "category": "component",
            "base_unit": "H87",
        },
    ],
}


@pytest.fixture
def registered(engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    """An engine whose hub knows the named partners, their sites and two materials."""
    for document_type, records in MASTER_DATA.items():
        result = ingest_records(engine, tmp_path, document_type, records)
        assert result.status == "stored", result.validation and result.validation.errors
    return engine


@pytest.fixture
def with_crosswalk(registered: sa.Engine, tmp_path: Path) -> sa.Engine:
    """The registered hub plus jinli-motor's crosswalk for MAT01 and MAT02."""
    path = tmp_path / "crosswalk.csv"
    path.write_text(
        "LIFNR,IDNLF,MATNR\njinli-motor,MAT01,M001\njinli-motor,MAT02,M002\n", encoding="utf-8"
    )
    with registered.begin() as conn:
        result = do_submit(
            conn=conn, path=path, profile=CROSSWALK_PROFILE, submitter=submitter("haichuan")
        )
    assert result.status == "stored"
    return registered
