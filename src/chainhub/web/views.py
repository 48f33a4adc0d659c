"""Dashboard pages: thin handlers that call services and render templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from chainhub import __version__
from chainhub.deps import ConnDep, LanguageDep
from chainhub.kpi import service as kpi
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.standard.version import STANDARD_VERSION
from chainhub.storage import service as storage
from chainhub.web.i18n import FLOW_LABELS, TEXT

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


def _flows_figure(conn: Any, lang: str) -> str:
    flows = kpi.list_monthly_flows(conn=conn)
    figure = go.Figure()
    for flow in FLOW_LABELS:
        part = flows.filter(flows["flow"] == flow)
        figure.add_trace(
            go.Scatter(x=part["month"].to_list(), y=part["lines"].to_list(),
                       mode="lines+markers", name=FLOW_LABELS[flow][lang])
        )
    figure.update_layout(margin={"l": 40, "r": 10, "t": 10, "b": 40}, height=340,
                         legend={"orientation": "h"}, template="plotly_white")
    return json.dumps(figure.to_plotly_json(), default=str)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, conn: ConnDep, lang: LanguageDep) -> HTMLResponse:
    """The chain at a glance: partners, documents per type, monthly flows."""
    counts = storage.count_documents(conn=conn)
    partners = kpi.list_partners_by_role(conn=conn).to_dicts()
    rows = [
        {"type": t, "title": t_obj.title_zh if lang == "zh" else t_obj.title_en,
         "rows": counts.get(t, (0, 0))[0], "documents": counts.get(t, (0, 0))[1]}
        for t, t_obj in DOCUMENT_TYPES.items()
    ]
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "t": TEXT[lang], "lang": lang, "version": __version__,
            "standard_version": STANDARD_VERSION, "partners": partners, "counts": rows,
            "flows_json": _flows_figure(conn, lang),
        },
    )
