"""Incoming quality of what a supplier delivers (partner: the supplier)."""

from __future__ import annotations

from typing import Final

import ibis

from chainhub.kpi.catalogue import KpiDefinition, Sources, Window, share, summarize


def _ppm(src: Sources, window: Window) -> ibis.Table:
    gr, prices = src.table("goods_receipt"), src.prices()
    valued = gr.join(prices, gr.material_code == prices.material_code)
    facts = valued.select(
        partner_id=valued.supplier_id,
        day=valued.receipt_date,
        receipt_number=valued.receipt_number,
        material_code=valued.material_code,
        received=valued.received_quantity.cast("float64") * valued.price,
        rejected=valued.rejected_quantity.cast("float64").fill_null(0) * valued.price,
    )
    return summarize(
        window, facts, lambda t: t.rejected.sum() / t.received.sum().nullif(0) * 1_000_000
    )


def _first_pass_yield(src: Sources, window: Window) -> ibis.Table:
    qi = src.table("quality_inspection")
    incoming = qi.filter(qi.inspection_type == "incoming")
    lots = incoming.select(
        "_doc_key",
        partner_id=incoming.supplier_id,
        day=incoming.inspected_at.cast("date"),
        passed=incoming.result == "pass",
    ).distinct()
    return summarize(window, lots, lambda t: share(t.passed))


KPIS: Final = (
    KpiDefinition(
        kpi_id="incoming_ppm",
        name_en="Incoming rejects (PPM)",
        name_zh="来料不良率（PPM）",
        formula_en="rejected quantity / received quantity on goods receipts, in parts per "
        "million; materials weighted by their average order unit price so units never mix",
        formula_zh="收货单拒收数量 / 收货数量，以百万分之一计；"
        "不同物料按其平均订单单价加权，避免不同单位相加",
        unit="ppm",
        direction="lower",
        grain=("partner", "material", "site", "period"),
        sources=("goods_receipt", "purchase_order", "sales_order"),
        standard="the supplier PPM of IATF 16949 / VDA practice; not a SCOR or ISO 22400 metric",
        compute=_ppm,
    ),
    KpiDefinition(
        kpi_id="incoming_first_pass_yield",
        name_en="Incoming first-pass yield",
        name_zh="来料一次合格率",
        formula_en="incoming inspections whose result is pass / incoming inspections",
        formula_zh="结果为合格的来料检验批次 / 来料检验批次",
        unit="%",
        direction="higher",
        grain=("partner", "material", "site", "period"),
        sources=("quality_inspection",),
        standard="ISO 22400-2 first pass yield (FPY), applied to incoming inspection lots",
        compute=_first_pass_yield,
    ),
)
