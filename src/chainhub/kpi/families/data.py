"""How promptly each partner sends its documents (partner: the submitter)."""

from __future__ import annotations

from typing import Final

import ibis

from chainhub.kpi.catalogue import KpiDefinition, Sources, Window, epoch_seconds, summarize
from chainhub.standard.registry import BUSINESS_DATES


def _utc_day(src: Sources, stamp: ibis.Value) -> ibis.Value:
    """The UTC day number (days since 1970-01-01) of a moment, or of a date."""
    moment = stamp.cast("timestamp") if stamp.type().is_date() else stamp
    return (epoch_seconds(src, moment) / 86400).floor()


def _lags(src: Sources) -> ibis.Table:
    """One lag per submission of dated documents: from the newest business date it holds (the
    end of what it reports) to its arrival at the hub, in whole days."""
    parts = []
    for doc_type, date_field in BUSINESS_DATES.items():
        t = src.table(doc_type, versions=True)
        business = t[date_field]
        sent = t.group_by(["_submitted_by", "_submission_id"]).aggregate(
            day=business.max().cast("date"),
            document=t._source_file.max(),
            # The day of the earliest arrival and of the newest date, not the earliest and
            # newest of every line's day (the same, as days only grow with time): one
            # conversion per submission instead of two per line.
            lag=_utc_day(src, t._received_at.min()) - _utc_day(src, business.max()),
        )
        parts.append(
            sent.select(
                partner_id=sent._submitted_by,
                day=sent.day,
                document_type=ibis.literal(doc_type),
                document=sent.document,
                lag=sent.lag.cast("float64"),
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
        formula_en="median whole days from the end of what a submission reports (the newest "
        "business date of its documents: order, ship, receipt, snapshot, inspection date ...) "
        "to its arrival at the hub, per submitting partner and submission",
        formula_zh="每次提交从其所报告内容的截止日（所含单据的最新业务日期："
        "订单、发货、收货、快照、检验日期等）到到达枢纽的整天数中位数，按提交伙伴计",
        unit="days",
        direction="lower",
        grain=("partner", "period"),
        sources=tuple(BUSINESS_DATES),
        standard="the currentness characteristic of ISO/IEC 25012 data quality; "
        "not a SCOR or ISO 22400 metric",
        compute=_timeliness,
    ),
)
