"""The month chart's JSON, written without Plotly's graph objects, is the figure they build."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go

from chainhub.web.charts import monthly_lines


def test_monthly_lines_is_the_figure_plotly_builds() -> None:
    series = {
        "<b>huayang</b>": [(date(2026, 1, 1), 1.5), (date(2026, 2, 1), None)],
        "供应商 A": [(date(2026, 2, 1), 1234567.0)],
    }
    built = go.Figure()
    for name, points in series.items():
        built.add_trace(
            go.Scatter(
                x=[f"2026年{m.month}月" for m, _ in points],
                y=[v for _, v in points],
                text=[
                    "1.5" if v == 1.5 else "—" if v is None else "1,234,567.0" for _, v in points
                ],
                hovertemplate=f"{name} · %{{x}}: %{{text}} 件<extra></extra>",
                mode="lines+markers",
                name=name,
            )
        )
    built.update_layout(
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        height=340,
        legend={"orientation": "h"},
        xaxis={"type": "category", "categoryorder": "array",
               "categoryarray": ["2026年1月", "2026年2月"]},
        yaxis={"tickformat": ",~r", "title": {"text": "件"}},
        separators=".,",
        template="plotly_white",
    )  # fmt: skip
    text = monthly_lines(series, "件", "zh")
    assert json.loads(text) == json.loads(json.dumps(built.to_plotly_json(), default=str))
    # Names are data: nothing in them can close the page's <script> element.
    assert "<" not in text and "\\u003cb>huayang" in text
