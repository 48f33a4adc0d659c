"""Write the ERP sample exports and their truth files (run once; the output is committed).

Each sample follows the vendor documentation named in README.md: its column headings, its
layout (title block, blank lines, totals rows), its encoding and its value formats. A few rows
in each are planted bad on purpose; the truth file beside a sample names them by the line (or
sheet row, or record) a person opening the file would see, and says per column which standard
field it holds.

    python tests/intake/erp_samples/make_samples.py
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

HERE = Path(__file__).parent

Row = list[Any]


@dataclass
class Sample:
    """One export: its rows as the ERP lays them out, and what each column means."""

    name: str
    document_type: str
    partner: str
    source: str
    columns: list[tuple[str, str | None]]
    rows: list[Row]
    bad: dict[int, str] = field(default_factory=dict)  # index into rows -> why it is bad
    title: list[list[str]] = field(default_factory=list)
    footer: list[Row] = field(default_factory=list)

    def header(self) -> list[str]:
        """The header row."""
        return [c for c, _ in self.columns]


def _truth(sample: Sample, file_name: str, bad_lines: dict[int, str], **extra: Any) -> None:
    records = sorted(i + 1 for i in sample.bad)
    truth = {
        "file": file_name,
        "document_type": sample.document_type,
        "partner": sample.partner,
        "source": sample.source,
        "columns": [{"column": c, "field": f} for c, f in sample.columns],
        "bad_rows": [
            {"row": line, "record": record, "why": why}
            for (line, why), record in zip(sorted(bad_lines.items()), records, strict=True)
        ],
        **extra,
    }
    path = HERE / (Path(file_name).stem + ".truth.json")
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_text(
    sample: Sample, file_name: str, *, encoding: str, delimiter: str = ",", bom: bool = False
) -> None:
    """A delimited text export; bad rows are numbered by the physical line they start on."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    line = 1
    bad_lines: dict[int, str] = {}
    for record in [*sample.title, sample.header()]:
        writer.writerow(record)
        line += 1
    for index, row in enumerate(sample.rows):
        if index in sample.bad:
            bad_lines[line] = sample.bad[index]
        writer.writerow(["" if v is None else v for v in row])
        line += 1 + sum(str(v).count("\n") for v in row if v is not None)
    for row in sample.footer:
        writer.writerow(row)
    text = buffer.getvalue()
    data = text.encode(encoding)
    if bom:
        data = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe"}[encoding] + data
    (HERE / file_name).write_bytes(data)
    _truth(sample, file_name, bad_lines, encoding=encoding + ("-bom" if bom else ""))


def write_xlsx(sample: Sample, file_name: str, *, groups: list[tuple[str, int, int]]) -> None:
    """An XLSX export with a title block and a merged group row above the header."""
    book = xlsxwriter.Workbook(HERE / file_name, {"default_date_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet(sample.name[:31])
    bold = book.add_format({"bold": True, "align": "center"})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    for record in sample.title:
        for c, value in enumerate(record):
            sheet.write(r, c, value)
        r += 1
    for text, first, last in groups:
        if first == last:
            sheet.write(r, first, text, bold)
        else:
            sheet.merge_range(r, first, r, last, text, bold)
    r += 1 if groups else 0
    for c, value in enumerate(sample.header()):
        sheet.write(r, c, value, bold)
    r += 1
    bad_lines: dict[int, str] = {}
    for index, row in enumerate(sample.rows):
        if index in sample.bad:
            bad_lines[r + 1] = sample.bad[index]
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
        r += 1
    for row in sample.footer:
        for c, value in enumerate(row):
            if value not in (None, ""):
                sheet.write(r, c, value)
        r += 1
    book.close()
    _truth(sample, file_name, bad_lines)


def write_json(sample: Sample, file_name: str, wrap: Any) -> None:
    """A JSON export: records under the wrapper an SRM's list API answers with."""
    records = [dict(zip(sample.header(), row, strict=True)) for row in sample.rows]
    (HERE / file_name).write_text(
        json.dumps(wrap(records), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    _truth(sample, file_name, {i + 1: why for i, why in sample.bad.items()})


SAP_ME2N = "https://help.sap.com/docs/SAP_ERP/ (ME2N Purchasing Documents per Document Number)"


def sap_me2n() -> None:
    """ME2N, 'Local file > Text with tabs' with code page 4103 (UTF-16 LE with BOM)."""
    cols = [
        ("Purch.Doc.", "po_number"),
        ("Item", "line_no"),
        ("Type", None),
        ("PGr", None),
        ("Doc. Date", "order_date"),
        ("Supplier/Supplying Plant", "supplier_id"),
        ("Material", "material_code"),
        ("Short Text", "material_description"),
        ("Matl Group", None),
        ("Plnt", "ship_to_site"),
        ("SLoc", None),
        ("PO Quantity", "quantity"),
        ("OUn", "unit"),
        ("Net Price", "unit_price"),
        ("Crcy", "currency"),
        ("Per", None),
        ("Deliv. Date", "requested_date"),
    ]
    lines = [
        (
            "4500017341",
            "10",
            "M001",
            "Compressor QXH-22 R32",
            "1,200",
            "ST",
            "486.50",
            "16.03.2026",
        ),
        ("4500017341", "20", "M002", "Compressor QXH-26 R32", "800", "ST", "512.00", "16.03.2026"),
        ("4500017342", "10", "M009", "Copper tube 9.52x0.35", "2,500", "KG", "71.20", "20.03.2026"),
        ("4500017342", "20", "M010", "Al fin stock 0.105", "1,800", "KG", "23.85", "20.03.2026"),
        ("4500017343", "10", "M012", "Cable harness 4-core", "12", "TST", "3,120.00", "23.03.2026"),
        ("4500017343", "20", "M013", "Foam gasket set", "300", "PAK", "18.40", "23.03.2026"),
        ("4500017343", "30", "M014", "Insulation hose 16 mm", "1,500", "M", "2.95", "23.03.2026"),
        ("4500017344", "10", "M001", "Compressor QXH-22 R32", "24-", "ST", "486.50", "27.03.2026"),
        ("4500017344", "20", "M003", "Compressor QXH-35 R32", "400", "ST", "598.00", "31.02.2026"),
        ("4500017345", "10", "", "Service: freight surcharge", "1", "ST", "850.00", "30.03.2026"),
        ("4500017345", "20", "M015", "Drain pan ABS", "600", "ZZ9", "11.30", "30.03.2026"),
        (
            "4500017346",
            "10",
            "M002",
            "Compressor QXH-26 R32",
            "1,000",
            "ST",
            "512.00",
            "06.04.2026",
        ),
    ]
    suppliers = {"M001": "100234", "M002": "100234", "M003": "100234"}
    rows: list[Row] = []
    for doc, item, mat, text, qty, unit, price, deliv in lines:
        rows.append(
            [
                doc, item, "NB", "P01", "02.03.2026", suppliers.get(mat, "100517"), mat, text,
                "ZR01" if mat else "ZS99", "1010", "0001", qty, unit, price, "CNY", "1", deliv,
            ]
        )  # fmt: skip
    sample = Sample(
        "sap_me2n", "purchase_order", "haichuan", SAP_ME2N, cols, rows,
        bad={7: "negative quantity (trailing minus)", 8: "bad date 31.02.2026",
             9: "missing material", 10: "unknown unit ZZ9"},
    )  # fmt: skip
    write_text(
        sample, "sap_me2n_purchase_orders.txt", encoding="utf-16-le", delimiter="\t", bom=True
    )


def sap_se16n_ekpo() -> None:
    """EKKO/EKPO/EKET joined in SE16N/SQVI with technical field names, downloaded as CSV."""
    cols = [
        ("EBELN", "po_number"),
        ("EBELP", "line_no"),
        ("BUKRS", None),
        ("LIFNR", "supplier_id"),
        ("BEDAT", "order_date"),
        ("WAERS", "currency"),
        ("MATNR", "material_code"),
        ("TXZ01", "material_description"),
        ("WERKS", "ship_to_site"),
        ("MENGE", "quantity"),
        ("MEINS", "unit"),
        ("NETPR", "unit_price"),
        ("PEINH", None),
        ("EINDT", "requested_date"),
    ]
    data = [
        ("4500017350", "00010", "M004", "Fan motor YDK-45", "800.000", "ST", "96.00", "20260316"),
        ("4500017350", "00020", "M005", "Fan motor YDK-60", "600.000", "ST", "118.00", "20260316"),
        ("4500017351", "00010", "M004", "Fan motor YDK-45", "1200.000", "ST", "96.00", "20260323"),
        ("4500017351", "00020", "M006", "Motor bracket", "-40.000", "ST", "7.50", "20260323"),
        ("4500017352", "00010", "M007", "Capacitor 35uF", "5000.000", "ST", "1.85", "20261341"),
        ("4500017352", "00020", "M008", "Evaporator ZF-35", "350.000", "ST", "138.00", "20260330"),
        ("4500017353", "00010", "M007", "Capacitor 35uF", "3000.000", "ST", "1.85", "20260406"),
    ]
    rows = [
        [d, i, "1000", "100288", "20260302", "CNY", m, t, "1010", q, u, p, "1", e]
        for d, i, m, t, q, u, p, e in data
    ]
    sample = Sample(
        "sap_se16n_ekpo",
        "purchase_order",
        "haichuan",
        "https://www.erpexplorer.com/sap/r3/table/EKPO ; https://www.erpexplorer.com/sap/r3/table/EKET",
        cols,
        rows,
        bad={3: "negative quantity", 4: "bad date 20261341"},
    )
    write_text(sample, "sap_ekpo_eket_purchase_orders.csv", encoding="utf-8")


def sap_mb51() -> None:
    """MB51 material documents (movement 101), exported as CSV by a Chinese-language client."""
    cols = [
        ("Material", "material_code"),
        ("Material Description", "material_description"),
        ("Plnt", "site_id"),
        ("SLoc", None),
        ("MvT", None),
        ("Mat. Doc.", "receipt_number"),
        ("Item", "line_no"),
        ("Pstng Date", "receipt_date"),
        ("Qty in Un. of Entry", "received_quantity"),
        ("EUn", "unit"),
        ("Batch", "lot_number"),
        ("Vendor", "supplier_id"),
        ("Purchase Order", "po_number"),
        ("Item", "po_line_no"),
    ]
    data = [
        ("M001", "压缩机 QXH-22", "5000081234", "1", "20260302", "600", "ST", "HY2603A01", "4500017341", "10"),
        ("M001", "压缩机 QXH-22", "5000081234", "2", "20260302", "600", "ST", "HY2603A02", "4500017341", "10"),
        ("M002", "压缩机 QXH-26", "5000081235", "1", "20260303", "800", "ST", "HY2603B01", "4500017341", "20"),
        ("M009", "铜管 9.52x0.35", "5000081236", "1", "20260304", "1,250.5", "KG", "CU260304", "4500017342", "10"),
        ("M010", "铝箔 0.105", "5000081236", "2", "20260304", "-18", "KG", "AL260304", "4500017342", "20"),
        ("M013", "密封泡棉套件", "5000081237", "1", "20260399", "300", "PAK", "FG2603", "4500017343", "20"),
        ("M014", "保温管 16mm", "5000081237", "2", "20260305", "1,500", "M", "IH2603", "4500017343", "30"),
        ("M012", "线束 4芯", "5000081238", "1", "20260306", "12", "TST", "WH2603", "4500017343", "10"),
    ]  # fmt: skip
    rows = [
        [m, t, "1010", "0001", "101", d, i, p, q, u, b, "100234", po, pi]
        for m, t, d, i, p, q, u, b, po, pi in data
    ]
    sample = Sample(
        "sap_mb51",
        "goods_receipt",
        "haichuan",
        "https://www.erpexplorer.com/sap/r3/table/MSEG ; MB51 list report (help.sap.com, "
        "Material Document List)",
        cols,
        rows,
        bad={4: "negative quantity", 5: "bad date 20260399"},
    )
    write_text(sample, "sap_mb51_goods_receipts.csv", encoding="gbk")


def sap_mb52() -> None:
    """MB52 warehouse stocks, spreadsheet export (XLSX) with the list's title block."""
    cols = [
        ("Material", "material_code"),
        ("Material Description", "material_description"),
        ("Plnt", "site_id"),
        ("SLoc", None),
        ("Batch", "lot_number"),
        ("BUn", "unit"),
        ("Unrestricted", "quantity_on_hand"),
        ("Value Unrestricted", None),
        ("In Quality Insp.", None),
        ("Blocked", "quantity_blocked"),
    ]
    data = [
        ("M001", "Compressor QXH-22 R32", "HY2603A01", "ST", 540, 262710.0, 60, 0),
        ("M001", "Compressor QXH-22 R32", "HY2603A02", "ST", 600, 291900.0, 0, 0),
        ("M002", "Compressor QXH-26 R32", "HY2603B01", "ST", 752, 385024.0, 0, 48),
        ("M009", "Copper tube 9.52x0.35", "CU260304", "KG", 1180.5, 84051.6, 0, 0),
        ("M014", "Insulation hose 16 mm", "IH2603", "M", -20, -59.0, 0, 0),
        ("", "Drain pan ABS", "", "ST", 210, 2373.0, 0, 0),
        ("M013", "Foam gasket set", "FG2603", "PAK", 300, 5520.0, 0, 0),
    ]
    rows = [[m, t, "1010", "0001", b, u, q, v, i, bl] for m, t, b, u, q, v, i, bl in data]
    sample = Sample(
        "MB52",
        "inventory_snapshot",
        "haichuan",
        "https://www.erpexplorer.com/sap/r3/table/MARD ; MB52 Display Warehouse Stocks of "
        "Material (help.sap.com)",
        cols,
        rows,
        bad={4: "negative quantity", 5: "missing material"},
        title=[["Display Warehouse Stocks of Material"], ["Stock date: 06.03.2026"], []],
        footer=[["", "", "", "", "", "", 3562.5, None, 60, 48]],
    )
    write_xlsx(sample, "sap_mb52_stock.xlsx", groups=[])


def sap_vl06o() -> None:
    """VL06O outbound deliveries of a supplier running SAP, list exported as CSV with BOM."""
    cols = [
        ("Delivery", "shipment_number"),
        ("Item", "line_no"),
        ("Ship-to", "receiver_id"),
        ("ShPt", "ship_from_site"),
        ("Pl.GI Date", "ship_date"),
        ("Deliv. Date", "expected_delivery_date"),
        ("Material", "material_code"),
        ("Description", "material_description"),
        ("Deliv. Qty", "quantity"),
        ("SU", "unit"),
        ("Batch", "lot_number"),
        ("Customer Reference", "po_number"),
        ("Route", None),
    ]
    data = [
        ("80012001", "10", "TK-C22", "Kompressor QXH-22", "400", "ST", "0000312", "4500017361", "02.03.2026", "05.03.2026"),
        ("80012001", "20", "TK-C26", "Kompressor QXH-26", "250", "ST", "0000313", "4500017361", "02.03.2026", "05.03.2026"),
        ("80012002", "10", "TK-C22", "Kompressor QXH-22", "1.000", "ST", "0000320", "4500017362", "04.03.2026", "07.03.2026"),
        ("80012003", "10", "TK-V10", "Ventilsatz", "50", "SET", "0000327", "4500017363", "06.03.2026", "6.3.2026X"),
        ("80012003", "20", "", "Dichtung", "200", "ST", "0000328", "4500017363", "06.03.2026", "09.03.2026"),
        ("80012004", "10", "TK-C35", "Kompressor QXH-35", "120", "ZKT", "0000331", "4500017364", "09.03.2026", "12.03.2026"),
    ]  # fmt: skip
    rows = [
        [d, i, "20001", "CZ01", gi, dd, m, t, q, u, b, po, "CZ-FS1"]
        for d, i, m, t, q, u, b, po, gi, dd in data
    ]
    sample = Sample(
        "sap_vl06o",
        "shipment",
        "taihe-kessler",
        "https://www.erpexplorer.com/sap/r3/table/LIPS ; https://www.erpexplorer.com/sap/r3/"
        "table/LIKP ; VL06O Outbound Delivery Monitor (help.sap.com)",
        cols,
        rows,
        bad={3: "bad date 6.3.2026X", 4: "missing material", 5: "unknown unit ZKT"},
    )
    write_text(sample, "sap_vl06o_deliveries.csv", encoding="utf-8", delimiter=";", bom=True)


def kingdee_cloud_po() -> None:
    """金蝶云星空 采购订单列表 引出 (GB18030 CSV), title line and blank line above the header."""
    cols = [
        ("单据编号", "po_number"),
        ("采购日期", "order_date"),
        ("供应商", "supplier_id"),
        ("单据状态", None),
        ("物料编码", "material_code"),
        ("物料名称", "material_description"),
        ("规格型号", None),
        ("采购单位", "unit"),
        ("采购数量", "quantity"),
        ("含税单价", None),
        ("单价", "unit_price"),
        ("交货日期", "requested_date"),
        ("收料组织", "ship_to_site"),
        ("备注", None),
    ]
    data = [
        ("CGDD000231", "02.01.0001", "压缩机", "QXH-22", "台", "1,000", "560.25", "495.80", "2026/3/16", ""),
        ("CGDD000231", "02.01.0002", "压缩机", "QXH-26", "台", "600", "590.00", "522.12", "2026/3/16", "分两批送货,每批300台"),
        ("CGDD000232", "03.02.0105", "接线端子", "TB-6", "千个", "12", "85.00", "75.22", "2026/3/20", ""),
        ("CGDD000232", "03.02.0211", "保温棉", "δ10", "卷", "40", "136.00", "120.35", "2026/3/20", "送货时请附\n质检报告"),
        ("CGDD000233", "04.01.0007", "包装箱", "880x420", "个", "-200", "12.60", "11.15", "2026/3/23", ""),
        ("CGDD000233", "04.01.0009", "泡沫护角", "PE-4", "套", "500", "3.40", "3.01", "2026/2/30", ""),
        ("CGDD000234", "", "铜螺母", "M8", "千个", "5", "210.00", "185.84", "2026/3/27", ""),
        ("CGDD000234", "02.03.0016", "电容", "35uF", "只儿", "3,000", "2.10", "1.86", "2026/3/27", ""),
        ("CGDD000235", "02.01.0001", "压缩机", "QXH-22", "台", "800", "560.25", "495.80", "2026/4/3", ""),
    ]  # fmt: skip
    rows = [
        [d, "2026/3/2", "VEN0107", "已审核", m, n, s, u, q, tp, p, dd, "海川佛山工厂", r]
        for d, m, n, s, u, q, tp, p, dd, r in data
    ]
    sample = Sample(
        "kingdee_po",
        "purchase_order",
        "haichuan",
        "https://qeasy.cloud (金蝶云星空 PUR_PurchaseOrder 字段: FBillNo 单据编号, FDate 采购日期, "
        "FSupplierId 供应商, FMaterialId 物料编码, FUnitId 采购单位, FQty 采购数量, FPrice 单价, "
        "FTaxPrice 含税单价, FDeliveryDate 交货日期); 云星空 列表引出",
        cols,
        rows,
        bad={4: "negative quantity", 5: "bad date 2026/2/30", 6: "missing material",
             7: "unknown unit 只儿"},
        title=[["采购订单列表"], []],
        footer=[["合计", "", "", "", "", "", "", "", "5,957", "", "", "", "", ""]],
    )  # fmt: skip
    write_text(sample, "kingdee_cloud_purchase_orders.csv", encoding="gb18030")


def kingdee_k3_receipt() -> None:
    """K/3 WISE 外购入库单 序时簿 引出 to Excel: merged group headings over the header row."""
    cols = [
        ("日期", "receipt_date"),
        ("编号", "receipt_number"),
        ("供应商", "supplier_id"),
        ("收料仓库", None),
        ("物料代码", "material_code"),
        ("物料名称", "material_description"),
        ("规格型号", None),
        ("批号", "lot_number"),
        ("单位", "unit"),
        ("应收数量", None),
        ("实收数量", "received_quantity"),
        ("单价", None),
        ("金额", None),
        ("源单单号", "po_number"),
    ]
    d = date
    data = [
        (d(2026, 3, 2), "WIN000812", "1.01.001", "压缩机 QXH-22", "QXH-22", "B260302-1", "台", 300, 300, 495.8, "POORD004471"),
        (d(2026, 3, 2), "WIN000812", "1.01.002", "压缩机 QXH-26", "QXH-26", "B260302-2", "台", 300, 298, 522.12, "POORD004471"),
        (d(2026, 3, 3), "WIN000813", "3.02.105", "接线端子", "TB-6", "T2603", "千个", 12, 12, 75.22, "POORD004472"),
        (d(2026, 3, 3), "WIN000813", "3.02.211", "保温棉", "δ10", "M2603", "卷", 40, -40, 120.35, "POORD004472"),
        (d(2026, 3, 4), "WIN000814", "", "包装箱", "880x420", "P2603", "个", 200, 200, 11.15, "POORD004473"),
        (d(2026, 3, 5), "WIN000815", "4.01.009", "泡沫护角", "PE-4", "F2603", "套", 500, 500, 3.01, "POORD004473"),
    ]  # fmt: skip
    rows = [
        [dt, no, "HY", "原材料仓", m, n, s, b, u, due, q, p, round(q * p, 2), po]
        for dt, no, m, n, s, b, u, due, q, p, po in data
    ]
    sample = Sample(
        "外购入库序时簿",
        "goods_receipt",
        "haichuan",
        "金蝶K/3 WISE 供应链操作手册 (外购入库单 序时簿: 日期, 编号, 供应商, 物料代码, 物料名称, "
        "规格型号, 批号, 单位, 应收数量, 实收数量, 单价, 金额, 源单单号), "
        "http://www.china-audit.com/lhs_ssxqra02301ffq3ioktfijwtfocjezg3w_3.html",
        cols,
        rows,
        bad={3: "negative quantity", 4: "missing material"},
        title=[["外购入库单序时簿"], ["会计期间：2026年第3期"]],
        footer=[["合计", None, None, None, None, None, None, None, None, 1052, 1010]],
    )
    write_xlsx(
        sample,
        "kingdee_k3_goods_receipts.xlsx",
        groups=[
            ("单据头", 0, 3),
            ("物料", 4, 8),
            ("数量", 9, 10),
            ("金额", 11, 12),
            ("源单", 13, 13),
        ],
    )


def kingdee_inventory() -> None:
    """云星空 即时库存 引出 (GBK CSV)."""
    cols = [
        ("库存组织", "site_id"),
        ("仓库", None),
        ("物料编码", "material_code"),
        ("物料名称", "material_description"),
        ("规格型号", None),
        ("批号", "lot_number"),
        ("库存主单位", "unit"),
        ("库存量(主单位)", "quantity_on_hand"),
        ("可用量(主单位)", None),
        ("库存状态", None),
    ]
    data = [
        ("原材料仓", "02.01.0001", "压缩机", "QXH-22", "B260302-1", "台", "1,296", "1,200"),
        ("原材料仓", "03.02.0105", "接线端子", "TB-6", "T2603", "千个", "8.5", "8.5"),
        ("原材料仓", "03.02.0211", "保温棉", "δ10", "M2603", "卷", "36", "36"),
        ("原材料仓", "03.03.0020", "铜管", "Φ9.52", "CU0304", "千克", "1,180.5", "1,100"),
        ("辅料仓", "03.04.0002", "保温管", "16mm", "IH2603", "米", "-15", "0"),
        ("辅料仓", "", "包装带", "PP", "", "卷", "20", "20"),
        ("辅料仓", "04.01.0007", "包装箱", "880x420", "P2603", "箱", "120", "120"),
        ("辅料仓", "04.01.0009", "泡沫护角", "PE-4", "F2603", "套", "480", "480"),
    ]
    rows = [["芜湖工厂", w, m, n, s, b, u, q, a, "可用"] for w, m, n, s, b, u, q, a in data]
    sample = Sample(
        "kingdee_inventory",
        "inventory_snapshot",
        "huayang-compressor",
        "金蝶云星空 即时库存 (STK_Inventory: FStockOrgId 库存组织, FStockId 仓库, FMaterialId "
        "物料编码, FLot 批号, FBaseUnitId 库存主单位, FBaseQty 库存量(主单位), FBaseAVBQty "
        "可用量(主单位), FStockStatusId 库存状态), https://qeasy.cloud (即时库存查询方案)",
        cols,
        rows,
        bad={4: "negative quantity", 5: "missing material"},
        footer=[["合计", "", "", "", "", "", "", "3,141", "", ""]],
    )
    write_text(sample, "kingdee_cloud_inventory.csv", encoding="gbk")


def yonyou_u8_receipt() -> None:
    """U8 采购入库单列表 输出 to Excel: date cells, a title block and a 合计 row."""
    cols = [
        ("入库单号", "receipt_number"),
        ("入库日期", "receipt_date"),
        ("仓库", None),
        ("供货单位", "supplier_id"),
        ("订单号", "po_number"),
        ("存货编码", "material_code"),
        ("存货名称", "material_description"),
        ("规格型号", None),
        ("主计量单位", "unit"),
        ("数量", "received_quantity"),
        ("本币单价", None),
        ("批号", "lot_number"),
        ("备注", None),
    ]
    d = date
    data = [
        ("0000000451", d(2026, 3, 2), "CG2603001", "010203", "电机 YDK-45", "YDK-45", "台", 400, 96.0, "JL260301", ""),
        ("0000000451", d(2026, 3, 2), "CG2603001", "010204", "电机 YDK-60", "YDK-60", "台", 300, 118.0, "JL260302", ""),
        ("0000000452", d(2026, 3, 3), "CG2603002", "020110", "电容 35uF", "35uF", "千个", 5, 1850.0, "JL260303", "来料抽检合格"),
        ("0000000452", d(2026, 3, 3), "CG2603002", "020115", "接插件", "XH2.54", "千个", -2, 410.0, "JL260304", ""),
        ("0000000453", "2026-03-32", "CG2603003", "030301", "漆包线", "Φ0.5", "千克", 250.5, 52.0, "JL260305", ""),
        ("0000000453", d(2026, 3, 4), "CG2603003", "", "绝缘纸", "0.25", "卷", 30, 66.0, "JL260306", ""),
        ("0000000454", d(2026, 3, 5), "CG2603004", "030410", "轴承 6202", "6202-2RS", "套", 800, 4.2, "JL260307", ""),
    ]  # fmt: skip
    rows = [
        [no, dt, "原料库", "0301", po, m, n, s, u, q, p, b, r]
        for no, dt, po, m, n, s, u, q, p, b, r in data
    ]
    sample = Sample(
        "采购入库单列表",
        "goods_receipt",
        "jinli-motor",
        "用友U8 采购入库单 (rdrecord01/rdrecords01: cCode 入库单号, dDate 入库日期, cWhCode 仓库, "
        "cVenCode 供货单位, cOrderCode 订单号, cInvCode 存货编码, iQuantity 数量, cBatch 批号), "
        "http://www.chanjet.net/news.asp?id=52641 (采购入库单 栏目说明)",
        cols,
        rows,
        bad={3: "negative quantity", 4: "bad date 2026-03-32", 5: "missing material"},
        title=[["采购入库单列表"], ["制表日期：2026-03-06", "", "", "单位：元"]],
        footer=[["合计", None, None, None, None, None, None, None, None, 1784.5]],
    )
    write_xlsx(sample, "yonyou_u8_goods_receipts.xlsx", groups=[])


def yonyou_u8_stock() -> None:
    """U8 现存量查询, 输出 as Excel 'Unicode text' (UTF-16 LE, BOM, tab-separated)."""
    cols = [
        ("仓库编码", "site_id"),
        ("仓库名称", None),
        ("存货编码", "material_code"),
        ("存货名称", "material_description"),
        ("规格型号", None),
        ("主计量单位", "unit"),
        ("批号", "lot_number"),
        ("现存数量", "quantity_on_hand"),
        ("其中冻结数量", "quantity_blocked"),
        ("可用数量", None),
    ]
    data = [
        ("010203", "电机 YDK-45", "YDK-45", "台", "JL260301", "1,240", "0", "1,240"),
        ("010204", "电机 YDK-60", "YDK-60", "台", "JL260302", "860", "40", "820"),
        ("020110", "电容 35uF", "35uF", "千个", "JL260303", "4.5", "0", "4.5"),
        ("030301", "漆包线", "Φ0.5", "千克", "JL260305", "-3", "0", "0"),
        ("030410", "轴承 6202", "6202-2RS", "套", "JL260307", "780", "0", "780"),
        ("", "绝缘纸", "0.25", "卷", "JL260306", "28", "0", "28"),
        ("030512", "端盖", "EC-45", "件", "JL260308", "2,000", "0", "2,000"),
    ]
    rows = [["01", "原料库", m, n, s, u, b, q, f, a] for m, n, s, u, b, q, f, a in data]
    sample = Sample(
        "u8_stock",
        "inventory_snapshot",
        "jinli-motor",
        "用友U8 现存量 (CurrentStock: cWhCode 仓库编码, cInvCode 存货编码, cBatch 批号, iQuantity "
        "现存数量, fStopQuantity 冻结数量, fAvaQuantity 可用数量); 用友U8 库存管理 现存量查询",
        cols,
        rows,
        bad={3: "negative quantity", 5: "missing material"},
        title=[["现存量查询"], ["截止日期：2026-03-06"], []],
        footer=[["小计", "", "", "", "", "", "", "4,909.5", "40", ""]],
    )
    write_text(sample, "yonyou_u8_stock.txt", encoding="utf-16-le", delimiter="\t", bom=True)


def yonyou_nc_arrival() -> None:
    """NC 到货单 列表 导出 (UTF-8 CSV)."""
    cols = [
        ("到货单号", "receipt_number"),
        ("到货日期", "receipt_date"),
        ("供应商编码", "supplier_id"),
        ("库存组织", "site_id"),
        ("行号", "line_no"),
        ("物料编码", "material_code"),
        ("物料名称", "material_description"),
        ("单位", "unit"),
        ("应到数量", None),
        ("到货数量", "received_quantity"),
        ("合格数量", "accepted_quantity"),
        ("批次号", "lot_number"),
        ("采购订单号", "po_number"),
    ]
    data = [
        ("DH2603000017", "2026-03-02", "10", "M001", "压缩机QXH-22", "台", "500", "500", "500", "HY2603A01", "CD2603000101"),
        ("DH2603000017", "2026-03-02", "20", "M002", "压缩机QXH-26", "台", "300", "300", "296", "HY2603B01", "CD2603000101"),
        ("DH2603000018", "2026-03-04", "10", "M009", "铜管", "千克", "1,250", "1,250.5", "1,250.5", "CU260304", "CD2603000102"),
        ("DH2603000018", "2026-03-04", "20", "M011", "铝箔", "千克", "800", "-800", "0", "AL260304", "CD2603000102"),
        ("DH2603000019", "2026-3-2x", "10", "M013", "密封泡棉", "套", "300", "300", "300", "FG2603", "CD2603000103"),
        ("DH2603000019", "2026-03-05", "20", "M014", "保温管", "米", "1,500", "1,500", "1,500", "IH2603", "CD2603000103"),
    ]  # fmt: skip
    rows = [
        [no, dt, "V0012", "FS01", ln, m, n, u, due, q, ok, b, po]
        for no, dt, ln, m, n, u, due, q, ok, b, po in data
    ]
    sample = Sample(
        "nc_arrival",
        "goods_receipt",
        "haichuan",
        "https://github.com/idrui/YonyouNC/blob/master/pu/puarrival/script/dbcreate/SQLSERVER/"
        "00001/tb_nc_po_arriveorder.sql (po_arriveorder_b: crowno 行号, pk_material 物料, "
        "castunitid 单位, nplanastnum 应到数量, nastnum 到货数量, vbatchcode 批次号)",
        cols,
        rows,
        bad={3: "negative quantity", 4: "bad date 2026-3-2x"},
    )
    write_text(sample, "yonyou_nc_arrivals.csv", encoding="utf-8")


def digiwin_yifei_po() -> None:
    """易飞 采购单 (PURTC/PURTD) 打印/导出: 单别+单号, dates as yyyymmdd text, GBK."""
    cols = [
        ("采购单别", None),
        ("采购单号", "po_number"),
        ("采购日期", "order_date"),
        ("供应厂商", "supplier_id"),
        ("序号", "line_no"),
        ("品号", "material_code"),
        ("品名", "material_description"),
        ("规格", None),
        ("采购数量", "quantity"),
        ("单位", "unit"),
        ("采购单价", "unit_price"),
        ("预交货日", "requested_date"),
        ("备注", None),
    ]
    data = [
        ("20260302001", "0001", "5101-0003", "电机", "YDK-45", "1,000", "PCS", "96.000", "20260316", ""),
        ("20260302001", "0002", "5101-0004", "电机", "YDK-60", "600", "PCS", "118.000", "20260316", "急件, 请优先安排"),
        ("20260302002", "0001", "5203-0110", "电容", "35uF", "8", "KPCS", "1850.000", "20260320", ""),
        ("20260302002", "0002", "5203-0115", "接插件", "XH2.54", "0", "KPCS", "410.000", "20260320", ""),
        ("20260302003", "0001", "5301-0301", "漆包线", "Φ0.5", "300", "KG", "52.000", "2026031", ""),
        ("20260302003", "0002", "5301-0410", "轴承", "6202-2RS", "800", "SET", "4.200", "20260323", ""),
    ]  # fmt: skip
    rows = [
        ["3301", no, "20260302", "S0021", sn, m, n, s, q, u, p, dd, r]
        for no, sn, m, n, s, q, u, p, dd, r in data
    ]
    sample = Sample(
        "yifei_po",
        "purchase_order",
        "jinli-motor",
        "鼎捷易飞 PURTC/PURTD 采购单头/单身 (TC001 采购单别, TC002 采购单号, TC003 采购日期, "
        "TC004 供应厂商, TD003 序号, TD004 品号, TD005 品名, TD006 规格, TD008 采购数量, "
        "TD009 单位, TD010 采购单价, TD012 预交货日, TD014 备注); http://chungmy.com:8071/Help/"
        "ResourceModel?modelName=PoInStockItem (易飞 接口 采购单别/采购单号/采购单序号)",
        cols,
        rows,
        bad={3: "zero quantity", 4: "bad date 2026031"},
    )
    write_text(sample, "digiwin_yifei_purchase_orders.csv", encoding="gbk")


def oracle_ebs_po() -> None:
    """Oracle EBS Purchasing: PO lines export (Printed PO / BI Publisher CSV) in English."""
    cols = [
        ("PO Number", "po_number"),
        ("Rev", "revision"),
        ("Supplier", None),
        ("Supplier Number", "supplier_id"),
        ("Order Date", "order_date"),
        ("Currency", "currency"),
        ("Line", "line_no"),
        ("Item", "material_code"),
        ("Item Description", "material_description"),
        ("UOM", "unit"),
        ("Quantity", "quantity"),
        ("Unit Price", "unit_price"),
        ("Need-By Date", "requested_date"),
        ("Promised Date", "confirmed_date"),
        ("Ship-To Location", "ship_to_site"),
    ]
    data = [
        ("21045", "1", "M001", "Compressor QXH-22", "Each", "1,200", "68.40", "16-MAR-2026", "18-MAR-2026"),
        ("21045", "2", "M002", "Compressor QXH-26", "Each", "800", "72.10", "16-MAR-2026", ""),
        ("21046", "1", "M009", "Copper tube 9.52x0.35", "Kilogram", "2,500", "10.05", "20-MAR-2026", "20-MAR-2026"),
        ("21046", "2", "M010", "Aluminium fin stock", "Kilogram", "-100", "3.36", "20-MAR-2026", ""),
        ("21047", "1", "", "Freight", "Each", "1", "120.00", "23-MAR-2026", ""),
        ("21047", "2", "M014", "Insulation hose 16 mm", "Meter", "1,500", "0.42", "31-FEB-2026", ""),
    ]  # fmt: skip
    rows = [
        [no, "0", "Huayang Compressor Co., Ltd.", "5012", "02-MAR-2026", "USD", ln, m, t, u, q, p, nb, pr,
         "HC-FOSHAN"]
        for no, ln, m, t, u, q, p, nb, pr in data
    ]  # fmt: skip
    sample = Sample(
        "oracle_po",
        "purchase_order",
        "haichuan",
        "https://docs.oracle.com/en/cloud/saas/procurement/24b/oedmp/polinesall-24096.html ; "
        "https://etrm.live/etrm-12.2.2/etrm.oracle.com/pls/trm1222/etrm_pnav5ede.html (PO_LINES_ALL "
        "LINE_NUM, ITEM_ID, UNIT_MEAS_LOOKUP_CODE, QUANTITY, UNIT_PRICE; PO_LINE_LOCATIONS_ALL "
        "NEED_BY_DATE, PROMISED_DATE)",
        cols,
        rows,
        bad={3: "negative quantity", 4: "missing material", 5: "bad date 31-FEB-2026"},
    )
    write_text(sample, "oracle_ebs_purchase_orders.csv", encoding="utf-8")


def dynamics_po_lines() -> None:
    """Dynamics 365 SCM data entity export (Purchase order lines V2 joined with its header)."""
    cols = [
        ("PURCHASEORDERNUMBER", "po_number"),
        ("ORDERVENDORACCOUNTNUMBER", "supplier_id"),
        ("ACCOUNTINGDATE", "order_date"),
        ("CURRENCYCODE", "currency"),
        ("LINENUMBER", "line_no"),
        ("ITEMNUMBER", "material_code"),
        ("LINEDESCRIPTION", "material_description"),
        ("ORDEREDPURCHASEQUANTITY", "quantity"),
        ("PURCHASEUNITSYMBOL", "unit"),
        ("PURCHASEPRICE", "unit_price"),
        ("REQUESTEDDELIVERYDATE", "requested_date"),
        ("CONFIRMEDDELIVERYDATE", "confirmed_date"),
        ("RECEIVINGSITEID", "ship_to_site"),
        ("RECEIVINGWAREHOUSEID", None),
    ]
    data = [
        ("PO-000312", "1", "M004", "Fan motor YDK-45", "800", "ea", "13.40", "2026-03-16T12:00:00Z", "2026-03-17T12:00:00Z"),
        ("PO-000312", "2", "M005", "Fan motor YDK-60", "600", "ea", "16.50", "2026-03-16T12:00:00Z", "1900-01-01T00:00:00Z"),
        ("PO-000313", "1", "M007", "Capacitor 35uF", "5000", "ea", "0.26", "2026-03-20T12:00:00Z", "1900-01-01T00:00:00Z"),
        ("PO-000313", "2", "M009", "Copper tube", "-250", "kg", "10.05", "2026-03-20T12:00:00Z", "1900-01-01T00:00:00Z"),
        ("PO-000314", "1", "M012", "Cable harness", "120", "bx9", "26.00", "2026-03-23T12:00:00Z", "1900-01-01T00:00:00Z"),
        ("PO-000314", "2", "M014", "Insulation hose", "1500", "m", "0.42", "2026-02-30T12:00:00Z", "1900-01-01T00:00:00Z"),
    ]  # fmt: skip
    rows = [
        [no, "V-1021", "2026-03-02T00:00:00Z", "USD", ln, m, t, q, u, p, rd, cd, "FS", "FS-RM"]
        for no, ln, m, t, q, u, p, rd, cd in data
    ]  # fmt: skip
    sample = Sample(
        "d365_po_lines",
        "purchase_order",
        "haichuan",
        "https://learn.microsoft.com/en-us/common-data-model/schema/core/operationscommon/entities/"
        "supplychain/procurementandsourcing/purchpurchaseorderlinev2entity (PurchaseOrderLinesV2: "
        "PurchaseOrderNumber, LineNumber, ItemNumber, OrderedPurchaseQuantity, PurchaseUnitSymbol, "
        "PurchasePrice, RequestedDeliveryDate, ConfirmedDeliveryDate, ReceivingSiteId, "
        "ReceivingWarehouseId); data management export uses upper-case column names",
        cols,
        rows,
        bad={3: "negative quantity", 4: "unknown unit bx9", 5: "bad date 2026-02-30"},
    )
    write_text(sample, "dynamics365_purchase_order_lines.csv", encoding="utf-8")


def srm_asn_json() -> None:
    """A Chinese SRM's 送货单 (ASN) list API answer: paged records under data.records."""
    cols = [
        ("asnNo", "shipment_number"),
        ("supplierCode", "shipper_id"),
        ("purchaserCode", "receiver_id"),
        ("deliveryDate", "ship_date"),
        ("estimatedArrivalDate", "expected_delivery_date"),
        ("lineNo", "line_no"),
        ("poNo", "po_number"),
        ("poLineNo", "po_line_no"),
        ("materialCode", "material_code"),
        ("materialName", "material_description"),
        ("deliveryQty", "quantity"),
        ("unitName", "unit"),
        ("batchNo", "lot_number"),
        ("productionDate", "production_date"),
        ("remark", None),
    ]
    data = [
        ("ASN202603020001", 1, "CD2603000101", 10, "M001", "压缩机QXH-22", 500, "台", "HY2603A01", "2026-02-26", ""),
        ("ASN202603020001", 2, "CD2603000101", 20, "M002", "压缩机QXH-26", 300, "台", "HY2603B01", "2026-02-27", ""),
        ("ASN202603020002", 1, "CD2603000102", 10, "M009", "铜管", 1250.5, "千克", "CU260304", "2026-02-28", "分箱, 共6箱"),
        ("ASN202603020002", 2, "CD2603000102", 20, "M011", "铝箔", -80, "千克", "AL260304", "2026-02-28", ""),
        ("ASN202603020003", 1, "CD2603000103", 10, None, "密封泡棉", 300, "套", "FG2603", "2026-03-01", ""),
        ("ASN202603020003", 2, "CD2603000103", 30, "M014", "保温管", 1500, "米", "IH2603", "2026-13-01", ""),
    ]  # fmt: skip
    rows = [
        [asn, "HY", "HC", "2026-03-02 08:30:00", "2026-03-05 00:00:00", ln, po, pl, m, n, q, u, b,
         pd, r]
        for asn, ln, po, pl, m, n, q, u, b, pd, r in data
    ]  # fmt: skip
    sample = Sample(
        "srm_asn",
        "shipment",
        "huayang-compressor",
        "A Chinese SRM's paged list answer ({code, msg, data: {records, total, size, current}}, "
        "the MyBatis-Plus IPage shape used by most Java SRM back ends): "
        "https://baomidou.com/reference/ (Page: records, total, size, current)",
        cols,
        rows,
        bad={3: "negative quantity", 4: "missing material", 5: "bad date 2026-13-01"},
    )
    write_json(
        sample,
        "srm_asn_shipments.json",
        lambda records: {
            "code": 200,
            "msg": "操作成功",
            "data": {
                "records": records,
                "total": len(records),
                "size": 50,
                "current": 1,
                "pages": 1,
            },
        },
    )


def main() -> None:
    """Write every sample and its truth."""
    for make in (
        sap_me2n,
        sap_se16n_ekpo,
        sap_mb51,
        sap_mb52,
        sap_vl06o,
        kingdee_cloud_po,
        kingdee_k3_receipt,
        kingdee_inventory,
        yonyou_u8_receipt,
        yonyou_u8_stock,
        yonyou_nc_arrival,
        digiwin_yifei_po,
        oracle_ebs_po,
        dynamics_po_lines,
        srm_asn_json,
    ):
        make()


if __name__ == "__main__":
    main()
