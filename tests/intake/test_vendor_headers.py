"""Header rows as vendors' own documentation shows them are placed on the right fields."""

from __future__ import annotations

from pathlib import Path

from chainhub.intake.suggest import suggest_profile


def _csv(path: Path, header: str, rows: list[str], delimiter: str) -> Path:
    path.write_text("\n".join([header, *rows]).replace(";", delimiter), encoding="utf-8")
    return path


def _columns(path: Path, document_type: str) -> dict[str, str]:
    suggestion = suggest_profile(path=path, document_type=document_type, partner_id="haichuan")
    return {p.field: p.column for p in suggestion.placements}


def test_sap_me2n_purchase_order_list(tmp_path: Path) -> None:
    # ME2N's item columns in English logon language, as an ALV spreadsheet export writes them.
    path = _csv(
        tmp_path / "me2n.csv",
        "Purch.Doc.;Item;Material;Short Text;PO Quantity;OUn;Net Price;Deliv. Date",
        [
            "4500000001;10;M-100;COMPR ROT QX-1.5P R32;100;ST;12,50;21.07.2025",
            "4500000001;20;M-200;SCREW PAN HD M4X12;2000;ST;0,03;22.07.2025",
        ],
        ";",
    )
    assert _columns(path, "purchase_order") == {
        "po_number": "Purch.Doc.",
        "line_no": "Item",
        "material_code": "Material",
        "material_description": "Short Text",
        "quantity": "PO Quantity",
        "unit": "OUn",
        "unit_price": "Net Price",
        "requested_date": "Deliv. Date",
    }


def test_sap_mb51_material_documents(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "mb51.csv",
        "Mat. Doc.;Item;Pstng Date;Material;Plnt;Batch;Qty in UnE;EUn;Vendor",
        [
            "5000000001;1;09.07.2025;M-100;1010;B1;100;ST;100003",
            "5000000001;2;09.07.2025;M-200;1010;B2;2000;ST;100003",
        ],
        ";",
    )
    columns = _columns(path, "goods_receipt")
    assert columns == {
        "receipt_number": "Mat. Doc.",
        "line_no": "Item",
        "receipt_date": "Pstng Date",
        "material_code": "Material",
        "site_id": "Plnt",
        "lot_number": "Batch",
        "received_quantity": "Qty in UnE",
        "unit": "EUn",
        "supplier_id": "Vendor",
    }


def test_kingdee_cloud_outbound_bill(tmp_path: Path) -> None:
    # 云星空 销售出库单 captions: FBillNo, FDate, FCustomerID, FMaterialID, FRealQty, FLot, FUnitID.
    path = _csv(
        tmp_path / "出库.csv",
        "单据编号,日期,客户,物料编码,物料名称,实发数量,库存单位,批号",
        [
            "XSCKD000101,2025-07-09,haichuan,1.01.001,旋转式压缩机QX1.5P,10,Pcs,L1",
            "XSCKD000101,2025-07-09,haichuan,1.01.002,十字盘头螺丝M4*12,500,Pcs,L2",
        ],
        ",",
    )
    columns = _columns(path, "shipment")
    assert columns == {
        "shipment_number": "单据编号",
        "ship_date": "日期",
        "receiver_id": "客户",
        "material_code": "物料编码",
        "material_description": "物料名称",
        "quantity": "实发数量",
        "unit": "库存单位",
        "lot_number": "批号",
    }


def test_oracle_purchase_order_lines_read_item_as_the_material(tmp_path: Path) -> None:
    # PO_LINES_ALL columns: the same word Item means the material here, a line in SAP.
    path = _csv(
        tmp_path / "po_lines.csv",
        "PO_NUMBER,LINE_NUM,Item,ITEM_DESCRIPTION,QUANTITY,UNIT_MEAS_LOOKUP_CODE,UNIT_PRICE,"
        "NEED_BY_DATE",
        [
            "1001,1,AS54888,Rotary compressor QX-1.5P,100,Each,12.5,2025-07-21",
            "1001,2,AS54999,Pan head screw M4x12,2000,Each,0.03,2025-07-22",
        ],
        ",",
    )
    columns = _columns(path, "purchase_order")
    assert columns == {
        "po_number": "PO_NUMBER",
        "line_no": "LINE_NUM",
        "material_code": "Item",
        "material_description": "ITEM_DESCRIPTION",
        "quantity": "QUANTITY",
        "unit": "UNIT_MEAS_LOOKUP_CODE",
        "unit_price": "UNIT_PRICE",
        "requested_date": "NEED_BY_DATE",
    }
