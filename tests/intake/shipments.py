"""A supplier's shipment export in its own dialect, and the hub's profile for it."""

from __future__ import annotations

from pathlib import Path

from chainhub.intake.schemas import FieldMapping, MappingProfile, SourceFormat

CROSSWALK_PROFILE = MappingProfile(
    partner_id="haichuan",
    document_type="material_crosswalk",
    source=SourceFormat(format="csv"),
    fields={
        "partner_id": FieldMapping(column="LIFNR"),
        "partner_material_code": FieldMapping(column="IDNLF"),
        "material_code": FieldMapping(column="MATNR"),
    },
)
SHIPMENT_PROFILE = MappingProfile(
    partner_id="jinli-motor",
    document_type="shipment",
    source=SourceFormat(format="csv", encoding="gbk"),
    fields={
        "shipment_number": FieldMapping(column="发货单号"),
        "shipper_id": FieldMapping(value="jinli-motor"),
        "receiver_id": FieldMapping(value="haichuan"),
        "ship_from_site": FieldMapping(value="jinli-ningbo"),
        "ship_to_site": FieldMapping(value="haichuan-foshan"),
        "ship_date": FieldMapping(column="发货日期", date_format="%Y%m%d"),
        "expected_delivery_date": FieldMapping(column="预计到货", date_format="%Y%m%d"),
        "line_no": FieldMapping(column="行号"),
        "material_code": FieldMapping(column="物料编码", crosswalk=True),
        "quantity": FieldMapping(column="数量"),
        "unit": FieldMapping(column="单位", map={"件": "H87"}),
        "lot_number": FieldMapping(column="批号"),
    },
)
SHIPMENT_HEADER = "发货单号,发货日期,预计到货,行号,物料编码,数量,单位,批号\n"


def shipment_file(tmp_path: Path, body: str, name: str = "asn.csv") -> Path:
    """A GBK shipment file of jinli-motor with the given data rows."""
    path = tmp_path / name
    path.write_bytes((SHIPMENT_HEADER + body).encode("gbk"))
    return path
