"""Charts are Plotly figure JSON written without graph objects: Plotly's own validation accepts
them, with the white template's look, and nothing in a name can close the page's <script>."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go

from chainhub.web.charts import forecast_band, monthly_lines, sparkline, zone_heatmap


def test_the_month_chart_is_a_figure_plotly_accepts() -> None:
    series = {
        "<b>huayang</b>": [(date(2026, 1, 1), 1.5), (date(2026, 2, 1), None)],
        "供应商 A": [(date(2026, 2, 1), 1234567.0)],
    }
    text = monthly_lines(series, "件", "zh")
    figure = go.Figure(json.loads(text))  # raises on any property Plotly does not know
    assert [t.name for t in figure.data] == list(series)
    assert list(figure.layout.xaxis.categoryarray) == ["2026年1月", "2026年2月"]
    assert figure.data[1].text == ("1,234,567.0",)
    assert figure.layout.plot_bgcolor == "white"  # plotly_white's look without its 7 KB
    # Names are data: nothing in them can close the page's <script> element.
    assert "<" not in text and "\\u003cb>huayang" in text


def test_a_sparkline_is_a_figure_plotly_accepts() -> None:
    text = sparkline([(date(2026, 1, 1), 3.0), (date(2026, 2, 1), 4.5)], "en")
    figure = go.Figure(json.loads(text))
    assert figure.layout.height == 60 and figure.layout.xaxis.visible is False
    assert len(text) < 1500


def test_the_zone_heat_map_is_a_figure_plotly_accepts() -> None:
    weeks = [date(2026, 1, 5), date(2026, 1, 12)]
    cells = {("M004 · S1", weeks[0]): "yellow", ("M004 · S1", weeks[1]): "out"}
    names = {"yellow": "黄区", "out": "缺货"}
    text = zone_heatmap(["M004 · S1", "M001 · S1"], weeks, cells, names)
    figure = go.Figure(json.loads(text))
    heat = figure.data[0]
    # Zones worst first: out 0, red 1, yellow 2, green 3, over 4; a week without one is blank.
    assert [list(row) for row in heat.z] == [[2, 0], [None, None]]
    assert [list(row) for row in heat.text] == [["黄区", "缺货"], ["", ""]]
    assert (heat.zmin, heat.zmax) == (-0.5, 4.5)


def test_the_forecast_chart_draws_the_interval_as_a_band_plotly_accepts() -> None:
    text = forecast_band(
        history=[(date(2026, 3, 2), 40.0), (date(2026, 3, 9), 45.0)],
        forecast=[(date(2026, 3, 16), 42.0, 30.0, 50.0), (date(2026, 3, 23), 43.0, 29.0, 52.0)],
        partner=[(date(2026, 3, 16), 41.0)],
        names={"history": "需求", "hub": "枢纽预测", "interval": "80% 区间", "partner": "<伙伴>"},
        unit="",
    )
    figure = go.Figure(json.loads(text))
    assert [t.name for t in figure.data] == ["需求", "80% 区间", "枢纽预测", "<伙伴>"]
    # The band runs along the high ends and back along the low ones.
    assert figure.data[1].y == (50.0, 52.0, 29.0, 30.0)
    assert figure.data[1].x == ("2026-03-16", "2026-03-23", "2026-03-23", "2026-03-16")
    assert figure.layout.xaxis.tickformat == "%Y-%m" and "<" not in text
