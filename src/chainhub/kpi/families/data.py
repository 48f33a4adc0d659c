"""How promptly each partner sends its documents (partner: the submitter)."""

from __future__ import annotations

from typing import Final

import ibis

from chainhub.kpi.catalogue import KpiDefinition, Sources, Window, epoch_seconds, summarize
from chainhub.standard.registry import BUSINESS_DATES


def _lags(src: Sources) -> ibis.Table:
    """One lag per current document: from its business date to its arrival at the hub."""
    parts = []
    for doc_type, date_field in BUSINESS_DATES.items():
        t = src.table(doc_type)
        business = t[date_field]
        start = business.cast("timestamp") if business.type().is_date() else business
        docs = t.group_by(["_submitted_by", "_doc_key"]).aggregate(
            day=business.min().cast("date"),
            lag=(epoch_seconds(src, t._received_at) - epoch_seconds(src, start)).min() / 86400,
        )
        parts.append(
            docs.select(
                partner_id=docs._submitted_by,
                day=docs.day,
                document_type=ibis.literal(doc_type),
                document=docs._doc_key,
                lag=docs.lag,
            )
        )
    return ibis.union(*parts)


def _timeliness(src: Sources, window: Window) -> ibis.Table:
    return summarize(window, _lags(src), lambda t: t.lag.median())


KPIS: Final = (
    KpiDefinition(
        kpi_id="data_timeliness",
        name_en="Data timeliness",
        name_zh="数据及时性",
        formula_en="median days from a document's business date (order, ship, receipt, "
        "snapshot, inspection date ...) to the arrival of its current version at the hub, "
        "per submitting partner",
        formula_zh="单据业务日期"
        "（订单、发货、收货、快照、检验日期等）到其当前版本到达枢纽的天数中位数，按提交伙伴计",
        unit="days",
        direction="lower",
        grain=("partner", "period"),
        sources=tuple(BUSINESS_DATES),
        standard="the currentness characteristic of ISO/IEC 25012 data quality; "
        "not a SCOR or ISO 22400 metric",
        compute=_timeliness,
    ),
)
