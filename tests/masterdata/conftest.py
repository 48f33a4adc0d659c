"""Golden materials of the named example chain, stored as the OEM publishes them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import sqlalchemy as sa

from chainhub.standard import STANDARD_VERSION
from chainhub.storage.service import do_store_submission

PUBLISHED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOLDEN = (
    ("M001", "压缩机 QX-1.5P", "Rotary compressor QX-1.5P", "component", "H87", "1.5匹 R32"),
    ("M002", "压缩机 QX-3P", "Rotary compressor QX-3P", "component", "H87", "3匹 R32"),
    ("M015", "不锈钢螺钉 M4×12", "Stainless steel screw M4×12", "component", "H87",
     "SUS304 十字盘头"),
    ("R101", "冷轧钢板 SPCC 0.8mm", "Cold-rolled steel sheet SPCC 0.8 mm", "raw", "KGM",
     "SPCC 0.8×1250"),
    ("R102", "镀锌板 DX51D 0.6mm", "Galvanised steel sheet DX51D 0.6 mm", "raw", "KGM",
     "DX51D+Z80"),
)  # fmt: skip


PARTNERS = (
    ("haichuan", "海川电器股份有限公司", "Haichuan Appliances", "oem", 0),
    ("huayang-compressor", "华阳压缩机有限公司", "Huayang Compressor", "supplier", 1),
    ("jinli-motor", "金力电机有限公司", "Jinli Motor", "supplier", 1),
)


def store_golden(engine: sa.Engine) -> None:
    """Store the golden materials as one submission of the OEM, with the partner directory
    the crosswalks decided in review refer to."""
    partners = pl.DataFrame(
        [{"partner_id": p, "name_zh": zh, "name_en": en, "roles": roles, "tier": tier,
          "_source_row": n} for n, (p, zh, en, roles, tier) in enumerate(PARTNERS, start=1)]
    )  # fmt: skip
    with engine.begin() as conn:
        do_store_submission(
            conn=conn, document_type="partner", records=partners, submitted_by="haichuan",
            source_file="partner.csv", content_hash="partners", standard_version=STANDARD_VERSION,
            received_at=PUBLISHED_AT,
        )  # fmt: skip
    records = pl.DataFrame(
        [{"material_code": c, "name_zh": zh, "name_en": en, "category": cat, "base_unit": unit,
          "spec": spec, "_source_row": n} for n, (c, zh, en, cat, unit, spec)
         in enumerate(GOLDEN, start=1)]
    )  # fmt: skip
    with engine.begin() as conn:
        do_store_submission(
            conn=conn, document_type="material", records=records, submitted_by="haichuan",
            source_file="material.csv", content_hash="golden", standard_version=STANDARD_VERSION,
            received_at=PUBLISHED_AT,
        )  # fmt: skip


def decimal(text: str) -> Decimal:
    """A Decimal at the stored scale."""
    return Decimal(text).quantize(Decimal("0.000001"))
