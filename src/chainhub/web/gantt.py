"""The schedule's Gantt chart as Plotly figures: bars by machine or by order on a time axis,
late orders red, a line at now, each operation's order, machine and times on hover."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, Literal

import plotly.graph_objects as go

from chainhub.errors import Language
from chainhub.schedule.schemas import RunRead, SlotRead
from chainhub.web.charts import figure_json
from chainhub.web.i18n import TEXT
from chainhub.web.locale import format_datetime

ON_TIME: Final = "#0b6bcb"
LATE: Final = "#d92d20"
NOW_LINE: Final = "#f79009"
# The time axis's ticks: d3 formats, so no English month name shows on a Chinese page.
TICKS: Final[dict[Language, str]] = {"en": "%-d %b<br>%H:%M", "zh": "%-m月%-d日<br>%H:%M"}
Axis = Literal["machine", "order"]


def _ms(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() * 1000


def _bars(slots: Sequence[SlotRead], axis: Axis, name: str, colour: str, lang: Language) -> go.Bar:
    t = TEXT[lang]
    return go.Bar(
        name=name,
        orientation="h",
        y=[s.machine_id if axis == "machine" else s.order_number for s in slots],
        base=[s.start_at.isoformat() for s in slots],
        x=[_ms(s.start_at, s.end_at) for s in slots],
        text=[s.order_number if axis == "machine" else s.machine_id for s in slots],
        textposition="inside",
        insidetextanchor="middle",
        customdata=[
            [
                s.order_number,
                s.operation_no,
                s.machine_id,
                format_datetime(s.start_at, lang),
                format_datetime(s.end_at, lang),
                format_datetime(s.due_at, lang),
            ]
            for s in slots
        ],
        hovertemplate=(
            f"{t['sch_order']}: %{{customdata[0]}}<br>{t['sch_operation']}: %{{customdata[1]}}"
            f"<br>{t['sch_machine']}: %{{customdata[2]}}<br>{t['sch_start']}: %{{customdata[3]}}"
            f"<br>{t['sch_end']}: %{{customdata[4]}}<br>{t['sch_due']}: %{{customdata[5]}}"
            "<extra></extra>"
        ),
        marker={
            "color": colour,
            "line": {"color": ["#1f2933" if s.moved else colour for s in slots], "width": 1.5},
        },
    )


def _due_markers(run: RunRead, late: set[str], lang: Language) -> go.Scatter:
    """A diamond at each order's due date (the by-order view)."""
    due = {s.order_number: s.due_at for s in run.slots}
    orders = sorted(due)
    return go.Scatter(
        name=TEXT[lang]["sch_due_marker"],
        x=[due[o].isoformat() for o in orders],
        y=orders,
        mode="markers",
        marker={
            "symbol": "diamond",
            "size": 10,
            "color": [LATE if o in late else "#1f2933" for o in orders],
        },
        text=[format_datetime(due[o], lang) for o in orders],
        hovertemplate=f"%{{y}} · {TEXT[lang]['sch_due']}: %{{text}}<extra></extra>",
    )


def gantt_figure(run: RunRead, now: datetime, lang: Language, axis: Axis) -> go.Figure:
    """The plan's operations as bars on one row per machine or per order."""
    t = TEXT[lang]
    late = set(run.late_orders)
    rows = sorted({s.machine_id if axis == "machine" else s.order_number for s in run.slots})
    figure = go.Figure()
    on_time_slots = [s for s in run.slots if s.order_number not in late]
    late_slots = [s for s in run.slots if s.order_number in late]
    if on_time_slots:
        figure.add_trace(_bars(on_time_slots, axis, t["sch_on_time"], ON_TIME, lang))
    if late_slots:
        figure.add_trace(_bars(late_slots, axis, t["sch_late"], LATE, lang))
    if axis == "order" and run.slots:
        figure.add_trace(_due_markers(run, late, lang))
    stamp = now.isoformat()
    figure.update_layout(
        barmode="overlay",
        height=140 + 32 * max(len(rows), 1),
        margin={"l": 110, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        xaxis={"type": "date", "tickformat": TICKS[lang], "showgrid": True},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": rows,
            "autorange": "reversed",
        },
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": stamp,
                "x1": stamp,
                "y0": 0,
                "y1": 1,
                "line": {"color": NOW_LINE, "width": 2, "dash": "dot"},
            }
        ],
        annotations=[
            {
                "x": stamp,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": t["sch_now"],
                "showarrow": False,
                "font": {"color": NOW_LINE},
            }
        ],
        template="plotly_white",
    )
    return figure


def gantt_json(run: RunRead, now: datetime, lang: Language) -> str:
    """Both views of the plan, `{"machine": figure, "order": figure}`, for the page's toggle."""
    figures = {axis: gantt_figure(run, now, lang, axis) for axis in ("machine", "order")}
    return "{" + ",".join(f'"{a}":{figure_json(f)}' for a, f in figures.items()) + "}"
