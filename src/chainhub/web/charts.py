"""Plotly figures of the pages, as JSON for Plotly.newPlot; months are category labels in the
page's language, so no chart shows an English month name on a Chinese page."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any, Final

import plotly.graph_objects as go
import plotly.io as pio

from chainhub.errors import Language
from chainhub.web.locale import format_month, format_number

Series = Sequence[tuple[date, float | None]]
Figure = dict[str, Any]
# What the pages take of Plotly's "plotly_white" look. Figures are plain dicts for Plotly.js:
# building them as graph objects with the template cost ~10 ms and ~7 KB of page per chart.
_STYLE_KEYS: Final = ("colorway", "paper_bgcolor", "plot_bgcolor", "font", "hoverlabel")
_AXIS_KEYS: Final = ("gridcolor", "linecolor", "zerolinecolor", "zerolinewidth", "automargin")


@cache
def _style() -> tuple[Figure, Figure]:
    """The layout and the axis style of the installed Plotly's white template."""
    layout = pio.templates["plotly_white"].layout.to_plotly_json()
    axis = layout["xaxis"]
    return {k: layout[k] for k in _STYLE_KEYS}, {k: axis[k] for k in _AXIS_KEYS}


def _figure(data: list[Figure], layout: Figure) -> Figure:
    style, axis = _style()
    layout = {**style, **layout}
    for name in ("xaxis", "yaxis"):
        layout[name] = {**axis, **layout.get(name, {})}
    return {"data": data, "layout": layout}


def _json(figure: Figure) -> str:
    """The figure as JSON that is safe inside a <script> element (partners' names are data)."""
    text = json.dumps(figure, default=str, ensure_ascii=False)
    return text.replace("<", "\\u003c")


def sparkline(points: Series, lang: Language) -> str:
    """A small trend line without axes, its months and values on hover."""
    trace = {
        "type": "scatter",
        "x": [format_month(m, lang) for m, _ in points],
        "y": [v for _, v in points],
        "text": [format_number(v) for _, v in points],
        "hovertemplate": "%{x}: %{text}<extra></extra>",
        "mode": "lines+markers",
        "line": {"width": 2, "color": "#0b6bcb"},
        "marker": {"size": 4},
    }
    layout = {
        "margin": {"l": 0, "r": 0, "t": 4, "b": 4},
        "height": 60,
        "showlegend": False,
        "xaxis": {"visible": False, "type": "category"},
        "yaxis": {"visible": False},
    }
    return _json(_figure([trace], layout))


def monthly_lines(series: Mapping[str, Series], unit: str, lang: Language) -> str:
    """One line per named series over months, in month order on a category axis."""
    months = sorted({m for points in series.values() for m, _ in points})
    traces = [
        {
            "type": "scatter",
            "x": [format_month(m, lang) for m, _ in points],
            "y": [v for _, v in points],
            "text": [format_number(v) for _, v in points],
            "hovertemplate": f"{name} · %{{x}}: %{{text}} {unit}<extra></extra>",
            "mode": "lines+markers",
            "name": name,
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
    }
    return _json(_figure(traces, layout))


def figure_json(figure: go.Figure) -> str:
    """A figure built by another page module (the Gantt, the lot graph), safe inside <script>."""
    return _json(figure.to_plotly_json())


def oee_bars(machines: Sequence[tuple[str, Sequence[float | None]]]) -> str:
    """Availability, performance and quality per machine (in that order), grouped, in per
    cent."""
    names = [name for name, _ in machines]
    traces = [
        {
            "type": "bar",
            "name": label,
            "x": names,
            "y": [
                None if (v := values[k]) is None else round(100 * v, 1) for _, values in machines
            ],
            "hovertemplate": f"%{{x}} · {label}: %{{y}} %<extra></extra>",
        }
        for k, label in enumerate(("A", "P", "Q"))
    ]
    layout = {
        "barmode": "group",
        "height": 260,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
        "yaxis": {"range": [0, 105], "ticksuffix": " %"},
        "xaxis": {"type": "category"},
        "legend": {"orientation": "h"},
    }
    return _json(_figure(traces, layout))


# Zones of a buffer's projected stock, worst first, with their colours on the heat map.
ZONES: Final = ("out", "red", "yellow", "green", "over")
_ZONE_COLOURS: Final = ("#5b0a0a", "#d62728", "#f2c744", "#2ca02c", "#1f77b4")


def zone_heatmap(
    rows: Sequence[str],
    weeks: Sequence[date],
    cells: Mapping[tuple[str, date], str],
    names: Mapping[str, str],
) -> str:
    """A buffer per row, a week per column, each cell coloured by the zone its projected stock
    ends the week in; `names` are the zones' words in the page's language."""
    codes = {zone: n for n, zone in enumerate(ZONES)}
    z = [[codes.get(cells.get((row, week), ""), None) for week in weeks] for row in rows]
    text = [[names.get(cells.get((row, week), ""), "") for week in weeks] for row in rows]
    last = len(ZONES) - 1
    scale = [
        [bound, colour]
        for n, colour in enumerate(_ZONE_COLOURS)
        for bound in (n / len(ZONES), (n + 1) / len(ZONES))
    ]
    trace = {
        "type": "heatmap",
        "x": [w.isoformat() for w in weeks],
        "y": list(rows),
        "z": z,
        "text": text,
        "zmin": -0.5,
        "zmax": last + 0.5,
        "colorscale": scale,
        "showscale": False,
        "xgap": 1,
        "ygap": 1,
        "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
    }
    layout = {
        "height": 120 + 22 * len(rows),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 40},
        "yaxis": {"autorange": "reversed", "type": "category"},
        "xaxis": {"type": "category"},
    }
    return _json(_figure([trace], layout))


def forecast_band(
    *,
    history: Series,
    forecast: Sequence[tuple[date, float, float | None, float | None]],
    partner: Series,
    names: Mapping[str, str],
    unit: str,
) -> str:
    """Demand, the hub's forecast with its interval as a band, and the partner's own forecast,
    over periods on a date axis; `names` labels "history", "hub", "interval" and "partner"."""
    band = [(p, lo, hi) for p, _, lo, hi in forecast if lo is not None and hi is not None]

    def line(points: Series, name: str, style: Figure) -> Figure:
        return {
            "type": "scatter",
            "x": [p.isoformat() for p, _ in points],
            "y": [v for _, v in points],
            "text": [format_number(v) for _, v in points],
            "hovertemplate": f"{name} · %{{x}}: %{{text}} {unit}<extra></extra>",
            "mode": "lines",
            "name": name,
            "line": style,
        }

    traces = [line(history, names["history"], {"color": "#334155", "width": 2})]
    if band:
        traces.append(
            {
                "type": "scatter",
                "x": [p.isoformat() for p, _, _ in band]
                + [p.isoformat() for p, _, _ in band[::-1]],
                "y": [hi for _, _, hi in band] + [lo for _, lo, _ in band[::-1]],
                "fill": "toself",
                "fillcolor": "rgba(11,107,203,0.15)",
                "line": {"width": 0},
                "hoverinfo": "skip",
                "name": names["interval"],
            }
        )
    traces.append(
        line([(p, q) for p, q, _, _ in forecast], names["hub"], {"color": "#0b6bcb", "width": 2})
    )
    if partner:
        traces.append(line(partner, names["partner"], {"color": "#d97706", "dash": "dash"}))
    layout = {
        "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
        "height": 360,
        "legend": {"orientation": "h"},
        # Numeric dates: Plotly would name months in English on a Chinese page.
        "xaxis": {"type": "date", "tickformat": "%Y-%m", "hoverformat": "%Y-%m-%d"},
        "yaxis": {"tickformat": ",~r", "title": {"text": unit}, "rangemode": "tozero"},
        "separators": ".,",
    }
    return _json(_figure(traces, layout))
