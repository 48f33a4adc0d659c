"""Delivery KPIs of purchase-order lines against the goods received for them (partner: the
supplier). A line counts once closed (delivered, partially delivered or cancelled), except a
line the buyer cancelled before the supplier confirmed it: that was the buyer's decision."""

from __future__ import annotations

from typing import Final

import ibis

from chainhub.kpi.catalogue import (
    KpiDefinition,
    Sources,
    Window,
    days_between,
    epoch_seconds,
    share,
    summarize,
)

CLOSED: Final = ("delivered", "partially_delivered", "cancelled")
_GRAIN: Final = ("partner", "material", "site", "period")
_SOURCES: Final = ("purchase_order", "goods_receipt")


def _receipts(src: Sources) -> ibis.Table:
    """Receipt lines with the order date of the purchase-order line they fill."""
    po, gr = src.table("purchase_order"), src.table("goods_receipt")
    joined = gr.join(
        po,
        [
            gr.receiver_id == po.buyer_id,
            gr.supplier_id == po.supplier_id,
            gr.po_number == po.po_number,
            gr.po_line_no == po.line_no,
        ],
    )
    return joined.select(
        partner_id=gr.supplier_id,
        day=gr.receipt_date,
        receipt_number=gr.receipt_number,
        po_number=gr.po_number,
        material_code=gr.material_code,
        lead_days=days_between(gr.receipt_date, po.order_date),
    )


def po_lines(src: Sources) -> ibis.Table:
    """Closed purchase-order lines the supplier answers for, with what was received for them."""
    po, gr = src.table("purchase_order"), src.table("goods_receipt")
    received = gr.group_by(["receiver_id", "supplier_id", "po_number", "po_line_no"]).aggregate(
        received=gr.received_quantity.cast("float64").sum(),
        last_receipt=gr.receipt_date.max(),
    )
    lines = po.filter(
        po.line_status.isin(CLOSED),
        ~((po.line_status == "cancelled") & po.confirmed_date.isnull()),
    )
    joined = lines.left_join(
        received,
        [
            lines.buyer_id == received.receiver_id,
            lines.supplier_id == received.supplier_id,
            lines.po_number == received.po_number,
            lines.line_no == received.po_line_no,
        ],
    )
    quantity = lines.quantity.cast("float64")
    got = received.received.fill_null(0)
    return joined.select(
        partner_id=lines.supplier_id,
        day=lines.requested_date,
        buyer_id=lines.buyer_id,
        po_number=lines.po_number,
        line_no=lines.line_no,
        material_code=lines.material_code,
        order_date=lines.order_date,
        requested_date=lines.requested_date,
        committed_date=lines.confirmed_date.fill_null(lines.requested_date),
        last_receipt=received.last_receipt,
        in_full=got >= quantity,
        on_time=received.last_receipt.notnull() & (received.last_receipt <= lines.requested_date),
        ordered_value=quantity * lines.unit_price.cast("float64"),
        filled_value=ibis.least(got, quantity) * lines.unit_price.cast("float64"),
    )


def _otif(src: Sources, window: Window) -> ibis.Table:
    return summarize(window, po_lines(src), lambda t: share(t.in_full & t.on_time))


def _stockout(src: Sources, window: Window) -> ibis.Table:
    return summarize(window, po_lines(src), lambda t: share(~t.in_full))


def _fill_rate(src: Sources, window: Window) -> ibis.Table:
    return summarize(
        window,
        po_lines(src),
        lambda t: t.filled_value.sum() / t.ordered_value.sum().nullif(0) * 100,
    )


def _on_time_delivery(src: Sources, window: Window) -> ibis.Table:
    lines = po_lines(src)
    delivered = lines.filter(lines.last_receipt.notnull())
    return summarize(window, delivered, lambda t: share(t.last_receipt <= t.committed_date))


def _fulfilment_cycle(src: Sources, window: Window) -> ibis.Table:
    lines = po_lines(src)
    full = lines.filter(lines.in_full & lines.last_receipt.notnull())
    facts = full.mutate(
        day=full.last_receipt, cycle=days_between(full.last_receipt, full.order_date)
    )
    return summarize(window, facts, lambda t: t.cycle.mean())


def _lead_time(src: Sources, window: Window) -> ibis.Table:
    return summarize(window, _receipts(src), lambda t: t.lead_days.mean())


def _lead_time_variability(src: Sources, window: Window) -> ibis.Table:
    return summarize(window, _receipts(src), lambda t: t.lead_days.std())


def _confirmation_cycle(src: Sources, window: Window) -> ibis.Table:
    versions = src.table("purchase_order", versions=True)
    seconds = epoch_seconds(src, versions._received_at)
    lines = versions.group_by(["_doc_key", "line_no", "supplier_id"]).aggregate(
        day=versions.order_date.min(),
        sent=seconds.min(),
        confirmed=seconds.min(where=versions.confirmed_date.notnull()),
    )
    confirmed = lines.filter(lines.confirmed.notnull())
    facts = confirmed.select(
        partner_id=confirmed.supplier_id,
        day=confirmed.day,
        document=confirmed._doc_key,
        line_no=confirmed.line_no,
        cycle=(confirmed.confirmed - confirmed.sent) / 86400,
    )
    return summarize(window, facts, lambda t: t.cycle.mean())


_OTIF_WORDS = (
    "share of closed order lines received in full by the requested date",
    "已关闭订单行中，在要求日期前全数收货的行所占比例",
)

KPIS: Final = (
    KpiDefinition(
        kpi_id="otif",
        name_en="On time in full (OTIF)",
        name_zh="准时足量交付率",
        formula_en=f"OTIF = {_OTIF_WORDS[0]}: the goods receipts against the line add up to "
        "at least the ordered quantity, the last of them on or before the requested date",
        formula_zh=f"准时足量交付率 = {_OTIF_WORDS[1]}：该行累计收货数量不少于订购数量，"
        "且最后一次收货不晚于要求交货日期",
        unit="%",
        direction="higher",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="SCOR RL.2.1 (% orders delivered in full) together with on-time against the "
        "customer's requested date; a part of SCOR RL.1.1 perfect order fulfilment, counted "
        "per order line",
        compute=_otif,
    ),
    KpiDefinition(
        kpi_id="supplier_stockout_rate",
        name_en="Supplier stockout rate",
        name_zh="供应商缺货率",
        formula_en="closed order lines whose goods receipts fall short of the ordered quantity "
        "(short confirmation, short shipment, or the supplier could not deliver) / closed order "
        "lines",
        formula_zh="累计收货数量少于订购数量的已关闭订单行"
        "（减量确认、短发或供应商无法交货）/ 已关闭订单行",
        unit="%",
        direction="lower",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="the complement of SCOR RL.2.1 (% orders delivered in full), per order line",
        compute=_stockout,
    ),
    KpiDefinition(
        kpi_id="fill_rate",
        name_en="Fill rate",
        name_zh="订单满足率",
        formula_en="value received (up to the ordered quantity) / value ordered, over closed "
        "order lines, each line valued at its own unit price",
        formula_zh="已关闭订单行的收货金额（不超过订购数量）/ 订购金额，每行按其单价计值",
        unit="%",
        direction="higher",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="the quantity (value-weighted) view of SCOR RL.2.1 % orders delivered in full",
        compute=_fill_rate,
    ),
    KpiDefinition(
        kpi_id="supplier_on_time_delivery",
        name_en="Supplier on-time delivery",
        name_zh="供应商准时交货率",
        formula_en="closed order lines with goods received whose last receipt is on or before "
        "the date the supplier confirmed (the requested date when it confirmed none) / such lines",
        formula_zh="有收货的已关闭订单行中，"
        "最后一次收货不晚于供应商确认交期（未确认时取要求日期）的行所占比例",
        unit="%",
        direction="higher",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="SCOR RL.2.2 delivery performance to customer commit date, seen by the buyer",
        compute=_on_time_delivery,
    ),
    KpiDefinition(
        kpi_id="order_fulfilment_cycle_time",
        name_en="Order fulfilment cycle time (order to delivery)",
        name_zh="订单响应周期（下单至交付）",
        formula_en="average days from the order date to the last goods receipt of order lines "
        "received in full, counted in the month of that receipt",
        formula_zh="全数收货的订单行，从订单日期到最后一次收货日期的平均天数，计入收货所在月份",
        unit="days",
        direction="lower",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="SCOR RS.1.1 order fulfilment cycle time, per order line",
        compute=_fulfilment_cycle,
    ),
    KpiDefinition(
        kpi_id="order_confirmation_cycle",
        name_en="Order response cycle (order to confirmation)",
        name_zh="订单响应周期（下单至确认）",
        formula_en="average days from the arrival at the hub of an order line's first version "
        "to the arrival of its first version carrying the supplier's confirmed date",
        formula_zh="订单行首个版本到达枢纽，至首个带有供应商确认交期的版本到达枢纽的平均天数",
        unit="days",
        direction="lower",
        grain=("partner", "period"),
        sources=("purchase_order",),
        standard="no SCOR or ISO 22400 metric; the order-entry part of SCOR RS.1.1",
        compute=_confirmation_cycle,
    ),
    KpiDefinition(
        kpi_id="supplier_lead_time",
        name_en="Supplier lead time",
        name_zh="供应商交货提前期",
        formula_en="average days from a purchase order's date to each goods receipt against it",
        formula_zh="从采购订单日期到每次对应收货的平均天数",
        unit="days",
        direction="lower",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="the buyer's view of SCOR RS.2.x source cycle time",
        compute=_lead_time,
    ),
    KpiDefinition(
        kpi_id="supplier_lead_time_variability",
        name_en="Supplier lead-time variability",
        name_zh="供应商交货提前期波动",
        formula_en="sample standard deviation of the days from a purchase order's date to each "
        "goods receipt against it",
        formula_zh="从采购订单日期到每次对应收货天数的样本标准差",
        unit="days",
        direction="lower",
        grain=_GRAIN,
        sources=_SOURCES,
        standard="no SCOR or ISO 22400 metric; the spread of the supplier lead time",
        compute=_lead_time_variability,
    ),
)
