"""Worked examples of every KPI on the hand-written chain (tests/kpi/conftest.py), on both
backends, and the isolation rule: a caller's KPI rests only on documents it may see."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Final

import pytest
import sqlalchemy as sa

from chainhub.errors import ChainhubError
from chainhub.kpi.catalogue import By, get_registry
from chainhub.kpi.service import (
    access_kpi_comparison,
    access_kpi_values,
    check_period,
    list_kpis,
)
from tests.kpi.conftest import (
    DONGFANG,
    JINLI,
    OEM,
    TODAY,
    arrival,
    po_line,
    principal,
    receipt,
    submit,
)

# Per KPI: the worked example, the window, and each supplier's value the chain leader sees.
WORKED: Final[dict[str, tuple[str, By, dict[str, float]]]] = {
    # PO1/10 in full on 07-09 for 07-10; PO1/20 in full but on 07-12; PO2/10 16 of 20.
    # dongfang: PO3 in full on time, PJ1 two days late. PO2/20 the buyer cancelled: not counted.
    "otif": ("1 of 3 lines; 1 of 2", "total", {DONGFANG: 50.0, JINLI: 33.3333}),
    "supplier_stockout_rate": ("PO2/10 short: 1 of 3", "total", {DONGFANG: 0.0, JINLI: 33.3333}),
    # (10×1000 + 100×2 + 16×1000) / (10×1000 + 100×2 + 20×1000) = 26,200 / 30,200
    "fill_rate": ("value received / ordered", "total", {DONGFANG: 100.0, JINLI: 86.755}),
    # Against the commitment: 07-09 ≤ 07-10, 07-12 ≤ 07-12, 07-16 > 07-15.
    "supplier_on_time_delivery": ("2 of 3", "total", {DONGFANG: 50.0, JINLI: 66.6667}),
    # In-full lines: 07-01 → 07-09 (8 d), 07-01 → 07-12 (11 d); dongfang 6 d and 8 d.
    "order_fulfilment_cycle_time": ("(8 + 11) / 2", "total", {DONGFANG: 7.0, JINLI: 9.5}),
    # Each receipt: 8, 11, and 07-05 → 07-16 = 11 days.
    "supplier_lead_time": ("(8 + 11 + 11) / 3", "total", {DONGFANG: 7.0, JINLI: 10.0}),
    # Sample standard deviation of 8, 11, 11 = √3; of 6 and 8 = √2.
    "supplier_lead_time_variability": (
        "√3",
        "total",
        {DONGFANG: round(math.sqrt(2), 4), JINLI: round(math.sqrt(3), 4)},
    ),
    # 1 compressor (1,000 yuan) rejected of 26,200 yuan received.
    "incoming_ppm": ("1000 / 26200 × 10⁶", "total", {DONGFANG: 0.0, JINLI: 38167.9389}),
    "incoming_first_pass_yield": ("QI1 pass, QI2 fail", "total", {JINLI: 50.0}),
    # MO1 finished 40 minutes late on its planned day; MO2 the next morning.
    "production_plan_on_time_rate": ("1 of 2", "month", {JINLI: 50.0}),
    # July: stock 5 and 15 compressors (avg 10,000 yuan); 31 shipped (1,000 yuan a day).
    "inventory_turnover_days": ("10,000 / (31,000 / 31)", "month", {JINLI: 10.0}),
    "days_of_supply": ("15,000 / (31,000 / 31)", "month", {JINLI: 15.0}),
}


def _values(
    engine: sa.Engine,
    kpi_id: str,
    caller: str | None = OEM,
    by: By = "total",
    start: date | None = None,
    end: date | None = None,
) -> dict[str, float | None]:
    with engine.connect() as conn:
        found = access_kpi_values(
            conn=conn,
            principal=principal(caller),
            today=TODAY,
            kpi_id=kpi_id,
            by=by,
            start=start,
            end=end,
        )
    if by == "month":
        return {f"{v.partner_id}@{v.period}": v.value for v in found.values}
    return {v.partner_id: v.value for v in found.values}


def test_every_kpi_matches_its_worked_example(chain: sa.Engine) -> None:
    for kpi_id, (_, by, expected) in WORKED.items():
        found = _values(chain, kpi_id, by=by, start=date(2025, 7, 1), end=date(2025, 8, 31))
        if by == "month":
            # One month per example: July's stock and shipments, August's production orders.
            found = {k.split("@")[0]: v for k, v in found.items()}
        assert found == expected, kpi_id


def test_every_catalogue_kpi_has_a_worked_example_or_its_own_test() -> None:
    own_tests = {"order_confirmation_cycle", "data_timeliness"}
    assert set(get_registry()) == set(WORKED) | own_tests
    for kpi in list_kpis():
        assert kpi.formula_en and kpi.formula_zh and kpi.standard, kpi.kpi_id
        assert kpi.direction in ("higher", "lower")


def test_a_partner_sees_only_figures_from_its_own_documents(chain: sa.Engine) -> None:
    everything = _values(chain, "otif", caller=None)
    assert everything == _values(chain, "otif", caller=OEM) == {DONGFANG: 50.0, JINLI: 33.3333}
    # jinli-motor: its own delivery to haichuan, and its supplier dongfang on jinli's order only.
    assert _values(chain, "otif", caller=JINLI) == {DONGFANG: 0.0, JINLI: 33.3333}
    # dongfang-steel: its own figure over both its buyers' orders, never jinli-motor's.
    assert _values(chain, "otif", caller=DONGFANG) == {DONGFANG: 50.0}
    assert _values(chain, "inventory_turnover_days", caller=DONGFANG, by="month") == {}
    assert _values(chain, "incoming_first_pass_yield", caller=DONGFANG) == {}


def test_by_month_splits_at_the_period_and_the_window_clips(chain: sa.Engine) -> None:
    assert _values(chain, "otif", by="month") == {
        f"{DONGFANG}@2025-07-01": 50.0,
        f"{JINLI}@2025-07-01": 33.3333,
    }
    early = _values(chain, "otif", start=date(2025, 7, 1), end=date(2025, 7, 10))
    assert early == {DONGFANG: 50.0, JINLI: 50.0}


def test_compare_before_and_after_says_whether_it_improved(chain: sa.Engine) -> None:
    with chain.connect() as conn:
        result = access_kpi_comparison(
            conn=conn,
            principal=principal(OEM),
            today=TODAY,
            kpi_id="supplier_lead_time",
            before=check_period("2025-07-01:2025-07-10"),
            after=check_period("2025-07-11:2025-07-31"),
        )
    rows = [(c.partner_id, c.before, c.after, c.change, c.improved) for c in result.changes]
    # jinli: 8 days (GR1) before, (11 + 11) / 2 after: worse; dongfang: 6 before, 8 after.
    assert rows == [(DONGFANG, 6.0, 8.0, 2.0, False), (JINLI, 8.0, 11.0, 3.0, False)]


def test_confirmation_cycle_and_timeliness_come_from_arrivals(
    registered: sa.Engine, tmp_path: Path
) -> None:
    sent = po_line("PC1", 10, "M001", 5, requested="2025-07-10", confirmed=None, status="open")
    submit(registered, tmp_path, "purchase_order", [sent], by=OEM, at=arrival(1, 8))
    confirmed = {
        **po_line(
            "PC1", 10, "M001", 5, requested="2025-07-10", confirmed="2025-07-10", status="confirmed"
        ),
        "revision": 1,
    }
    submit(registered, tmp_path, "purchase_order", [confirmed], by=OEM, at=arrival(2, 20))
    received = receipt("GC1", "PC1", 10, "M001", 5, "2025-07-03")
    submit(registered, tmp_path, "goods_receipt", [received], by=OEM, at=arrival(5, 12))
    # Sent 07-01 08:00, confirmed 07-02 20:00: a day and a half.
    assert _values(registered, "order_confirmation_cycle") == {JINLI: 1.5}
    # Three submissions: the order of 07-01 sent that day (0 days) and again the next (1), the
    # receipt of 07-03 on 07-05 (2).
    assert _values(registered, "data_timeliness") == {OEM: 1.0}
    assert _values(registered, "data_timeliness", caller=JINLI) == {OEM: 1.0}


@pytest.mark.parametrize("text", ["2025-07-01", "2025-07-31:2025-07-01", "July:August"])
def test_a_bad_period_is_a_422(text: str) -> None:
    with pytest.raises(ChainhubError) as caught:
        check_period(text)
    assert (caught.value.code, caught.value.status) == ("bad_period", 422)


def test_an_unknown_kpi_is_a_404(registered: sa.Engine) -> None:
    with pytest.raises(ChainhubError) as caught:
        _values(registered, "happiness")
    assert caught.value.status == 404


def test_moments_are_instants_whatever_the_session_time_zone(chain: sa.Engine) -> None:
    # A hub on a server in China: its database session runs in Asia/Shanghai. Read as that wall
    # clock, MO2's 17:00 plan and next morning's finish (both UTC+8) fell on one day.
    with chain.connect() as conn:
        kpi = {"conn": conn, "principal": principal(OEM), "today": TODAY}
        # Ibis sets a connection it reads a schema on to UTC: the zone is set after that.
        access_kpi_values(**kpi, kpi_id="production_plan_on_time_rate", by="total")
        conn.exec_driver_sql("SET TimeZone = 'Asia/Shanghai'")
        found = access_kpi_values(
            **kpi, kpi_id="production_plan_on_time_rate", by="total", start=date(2025, 8, 1)
        )
    assert {v.partner_id: v.value for v in found.values} == {JINLI: 50.0}
