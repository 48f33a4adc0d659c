"""A lot trace drawn as a Plotly graph: lots as nodes in columns from raw material (left) to
customers (right), the documents between them as edges labelled with their quantities, the
partners the caller may not see as grey nodes with their lot counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Final

import plotly.graph_objects as go

from chainhub.errors import Language
from chainhub.standard.units import UNITS
from chainhub.trace.schemas import TraceEdge, TraceNode, TraceResult
from chainhub.web.charts import figure_json
from chainhub.web.i18n import TEXT
from chainhub.web.locale import format_day, format_quantity

COLOURS: Final = {
    "start": "#f79009",
    "backward": "#0b6bcb",
    "forward": "#0b6bcb",
    "finished": "#067647",
    "customer": "#7a5af8",
    "hidden": "#98a2b3",
}


def hidden_name(label: str, lang: Language) -> str:
    """'hidden partner 2' of the trace service in the page's language."""
    return TEXT[lang]["tr_hidden"].format(n=label.rsplit(" ", 1)[-1])


def unit_name(code: str | None, lang: Language) -> str:
    """A UN/ECE unit code's name in the page's language ('H87' → 'piece' / '件')."""
    if code is None:
        return ""
    unit = UNITS.get(code)
    if unit is None:
        return code
    return unit.name_zh if lang == "zh" else unit.name_en


def step_text(edge: TraceEdge, lang: Language) -> str:
    """What an edge is: its kind, document, quantity and unit, and date."""
    t = TEXT[lang]
    step = edge.step
    return t["tr_edge"].format(
        kind=t.get(f"tr_kind_{step.kind}", step.kind),
        document=f" {step.document}" if step.document else "",
        quantity=format_quantity(step.quantity),
        unit=unit_name(step.unit, lang),
        date=format_day(step.date, lang),
    )


def _columns(result: TraceResult) -> dict[str, int]:
    """Each node's column: one right of the furthest node it came from (edges run from the
    upstream lot to the downstream one), so raw material is left and customers right; the lots
    of a cycle (a lot returned) keep the column reached before it."""
    column = dict.fromkeys([n.id for n in result.nodes], 0)
    column.update(dict.fromkeys([h.label for h in result.hidden_partners], 0))
    after: dict[str, list[str]] = defaultdict(list)
    before = dict.fromkeys(column, 0)
    for edge in result.edges:
        if edge.source != edge.target:
            after[edge.source].append(edge.target)
            before[edge.target] += 1
    ready = [n for n, count in before.items() if count == 0]
    while ready:
        node = ready.pop()
        for nxt in after[node]:
            column[nxt] = max(column[nxt], column[node] + 1)
            before[nxt] -= 1
            if before[nxt] == 0:
                ready.append(nxt)
    return column


def _positions(result: TraceResult, column: Mapping[str, int]) -> dict[str, tuple[int, float]]:
    """(x, y) of every node: its column, and its place within the column, centred on 0."""
    by_column: dict[int, list[str]] = defaultdict(list)
    order = {n.id: (n.partner_id, n.material_code, n.lot_number) for n in result.nodes}
    for node_id in sorted(column, key=lambda i: order.get(i, ("~", i, ""))):
        by_column[column[node_id]].append(node_id)
    return {
        node_id: (x, (len(ids) - 1) / 2 - k)
        for x, ids in by_column.items()
        for k, node_id in enumerate(ids)
    }


def _colour(node: TraceNode) -> str:
    if node.direction == "start":
        return COLOURS["start"]
    if node.customer:
        return COLOURS["customer"]
    return COLOURS["finished"] if node.finished else COLOURS[node.direction]


def lot_graph_json(
    result: TraceResult,
    names: Mapping[str, str],
    materials: Mapping[str, str],
    lang: Language,
) -> str:
    """The trace as a graph figure; `names` are partners' display names, `materials` labels."""
    t = TEXT[lang]
    xy = _positions(result, _columns(result))
    figure = go.Figure()
    line_x: list[float | None] = []
    line_y: list[float | None] = []
    mid_x, mid_y, mid_text, mid_hover = [], [], [], []
    for edge in result.edges:
        (x0, y0), (x1, y1) = xy[edge.source], xy[edge.target]
        line_x += [x0, x1, None]
        line_y += [y0, y1, None]
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        mid_text.append(format_quantity(edge.step.quantity) if edge.step.quantity else "")
        mid_hover.append(step_text(edge, lang))
    figure.add_trace(
        go.Scatter(
            x=line_x, y=line_y, mode="lines", line={"color": "#c4cdd5", "width": 1.5},
            hoverinfo="skip", showlegend=False,
        )
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=mid_x, y=mid_y, mode="text", text=mid_text, hovertext=mid_hover,
            hovertemplate="%{hovertext}<extra></extra>", textfont={"size": 10, "color": "#52606d"},
            showlegend=False,
        )
    )  # fmt: skip
    nodes = result.nodes
    figure.add_trace(
        go.Scatter(
            x=[xy[n.id][0] for n in nodes],
            y=[xy[n.id][1] for n in nodes],
            mode="markers+text",
            text=[f"{n.lot_number}<br>{names.get(n.partner_id, n.partner_id)}" for n in nodes],
            textposition="top center",
            hovertext=[
                f"{names.get(n.partner_id, n.partner_id)}<br>{materials.get(n.material_code, '')}"
                f"<br>{t['tr_lot']}: {n.lot_number}"
                for n in nodes
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            marker={"size": 16, "color": [_colour(n) for n in nodes], "line": {"width": 0}},
            showlegend=False,
        )
    )
    hidden = result.hidden_partners
    figure.add_trace(
        go.Scatter(
            x=[xy[h.label][0] for h in hidden],
            y=[xy[h.label][1] for h in hidden],
            mode="markers+text",
            text=[hidden_name(h.label, lang) for h in hidden],
            textposition="top center",
            hovertext=[t["tr_hidden_lots"].format(lots=h.lots) for h in hidden],
            hovertemplate="%{text}<br>%{hovertext}<extra></extra>",
            marker={"size": 16, "color": COLOURS["hidden"], "symbol": "square"},
            showlegend=False,
        )
    )
    rows = max((sum(1 for p in xy.values() if p[0] == x) for x, _ in xy.values()), default=1)
    figure.update_layout(
        height=160 + 70 * rows,
        margin={"l": 20, "r": 20, "t": 20, "b": 20},
        xaxis={"visible": False, "zeroline": False},
        yaxis={"visible": False, "zeroline": False},
        hovermode="closest",
        template="plotly_white",
    )
    return figure_json(figure)
