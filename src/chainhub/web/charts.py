"""Plotly figures of the pages, as JSON for Plotly.newPlot; months are category labels in the
page's language, so no chart shows an English month name on a Chinese page."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from chainhub.errors import Language
from chainhub.web.locale import format_month, format_number

Series = Sequence[tuple[date, float | None]]


def _dumps(figure: Mapping[str, Any]) -> str:
    """Figure JSON that is safe inside a <script> element (partners' names are data)."""
    text = json.dumps(figure, default=str, ensure_ascii=False)
    return text.replace("<", "\\u003c")


def _json(figure: go.Figure) -> str:
    return _dumps(figure.to_plotly_json())


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


@cache
def _template(name: str) -> dict[str, Any]:
    """A Plotly template as JSON, built once: expanding it is most of a figure's cost."""
    template: dict[str, Any] = pio.templates[name].to_plotly_json()
    return template


def monthly_lines(series: Mapping[str, Series], unit: str, lang: Language) -> str:
    """One line per named series over months, in month order on a category axis.

    Written as the figure JSON Plotly's graph objects would give (tests compare the two), without
    building them: their validation took tens of milliseconds per chart.
    """
    months = sorted({m for points in series.values() for m, _ in points})
    data = [
        {
            "hovertemplate": f"{name} · %{{x}}: %{{text}} {unit}<extra></extra>",
            "mode": "lines+markers",
            "name": name,
            "text": [format_number(v) for _, v in points],
            "x": [format_month(m, lang) for m, _ in points],
            "y": [v for _, v in points],
            "type": "scatter",
        }
        for name, points in series.items()
    ]
    layout = {
        "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "height": 340,
        "legend": {"orientation": "h"},
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [format_month(m, lang) for m in months],
        },
        "yaxis": {"tickformat": ",~r", "title": {"text": unit}},
        "separators": ".,",
        "template": _template("plotly_white"),
    }
    return _dumps({"data": data, "layout": layout})
