"""Plotly figures of the pages, as JSON for Plotly.newPlot; months are category labels in the
page's language, so no chart shows an English month name on a Chinese page."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date

import plotly.graph_objects as go

from chainhub.errors import Language
from chainhub.web.locale import format_month, format_number

Series = Sequence[tuple[date, float | None]]


def _json(figure: go.Figure) -> str:
    """The figure as JSON that is safe inside a <script> element (partners' names are data)."""
    text = json.dumps(figure.to_plotly_json(), default=str, ensure_ascii=False)
    return text.replace("<", "\\u003c")


def sparkline(points: Series, lang: Language) -> str:
    """A small trend line without axes, its months and values on hover."""
    figure = go.Figure(
        go.Scatter(
            x=[format_month(m, lang) for m, _ in points],
            y=[v for _, v in points],
            text=[format_number(v) for _, v in points],
            hovertemplate="%{x}: %{text}<extra></extra>",
            mode="lines+markers",
            line={"width": 2, "color": "#0b6bcb"},
            marker={"size": 4},
        )
    )
    figure.update_layout(
        margin={"l": 0, "r": 0, "t": 4, "b": 4},
        height=60,
        showlegend=False,
        xaxis={"visible": False, "type": "category"},
        yaxis={"visible": False},
        template="plotly_white",
    )
    return _json(figure)


def monthly_lines(series: Mapping[str, Series], unit: str, lang: Language) -> str:
    """One line per named series over months, in month order on a category axis."""
    months = sorted({m for points in series.values() for m, _ in points})
    figure = go.Figure()
    for name, points in series.items():
        figure.add_trace(
            go.Scatter(
                x=[format_month(m, lang) for m, _ in points],
                y=[v for _, v in points],
                text=[format_number(v) for _, v in points],
                hovertemplate=f"{name} · %{{x}}: %{{text}} {unit}<extra></extra>",
                mode="lines+markers",
                name=name,
            )
        )
    figure.update_layout(
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        height=340,
        legend={"orientation": "h"},
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [format_month(m, lang) for m in months],
        },
        yaxis={"tickformat": ",~r", "title": {"text": unit}},
        separators=".,",
        template="plotly_white",
    )
    return _json(figure)


def figure_json(figure: go.Figure) -> str:
    """A figure built by another page module (the Gantt, the lot graph), safe inside <script>."""
    return _json(figure)
