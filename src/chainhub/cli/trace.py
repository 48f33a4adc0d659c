"""Commands: trace (a lot's genealogy), recall report, recall open."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from chainhub.access.schemas import Principal, Role
from chainhub.cli.common import OPERATOR, DbOption, console, hub_transaction, usage_error
from chainhub.cli.kpi import FormatOption

PartnerOption = Annotated[
    str | None,
    typer.Option("--partner", help="See it as this partner does (others shown as hidden)"),
]
MaterialOption = Annotated[
    str | None, typer.Option("--material", help="The lot's material code, when lots share numbers")
]


def _principal(partner: str | None) -> Principal:
    if partner is None:
        return OPERATOR
    return Principal(token_id="cli", partner_id=partner, role=Role.PARTNER_MEMBER)  # noqa: S106


def trace(
    lot: Annotated[str, typer.Argument(help="Lot number, LGTIN EPC URI or GS1 Digital Link")],
    partner: PartnerOption = None,
    material: MaterialOption = None,
    direction: Annotated[
        Literal["backward", "forward", "both"],
        typer.Option("--direction", help="upstream, downstream or both"),
    ] = "both",
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """A lot's genealogy: every upstream lot and supplier, every downstream lot and customer."""
    from chainhub.trace.tracing import access_trace

    with hub_transaction(db) as conn:
        result = access_trace(
            conn=conn,
            principal=_principal(partner),
            query=lot,
            material=material,
            direction=direction,
        )
    if output == "json":
        typer.echo(result.model_dump_json())
        return
    table = Table("dir", "depth", "partner", "material", "lot", "via", "date", "quantity")
    table.title = f"{lot}: {result.summary.lots} lots, {result.summary.customers} customers"
    for n in result.nodes:
        via = n.via
        table.add_row(
            n.direction,
            str(n.depth),
            n.partner_id + (" (customer)" if n.customer else ""),
            n.material_code + (" (finished)" if n.finished else ""),
            n.lot_number,
            f"{via.kind} {via.document or ''}" if via else "",
            (via.date or "")[:10] if via else "",
            f"{via.quantity:g} {via.unit or ''}" if via and via.quantity is not None else "",
        )
    for h in result.hidden_partners:
        kind = "customer" if h.customer else "partner"
        table.add_row("", "", h.label, f"({kind})", f"{h.lots} lots", "", "", "")
    console.print(table)


def recall_report(
    lot: Annotated[str, typer.Argument(help="Lot number, LGTIN EPC URI or GS1 Digital Link")],
    out: Annotated[Path, typer.Option("--out", help="Report file: .csv or .xlsx")],
    partner: PartnerOption = None,
    material: MaterialOption = None,
    db: DbOption = None,
) -> None:
    """The recall report of a lot: affected finished lots, in stock where, shipped to whom."""
    from chainhub.trace.recall import access_recall_report, export_recall_report

    suffix = out.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        usage_error(
            "bad_report_file",
            f"--out takes a .csv or .xlsx file, not {out.name!r}",
            f"--out 需要 .csv 或 .xlsx 文件，而不是 {out.name!r}",
        )
    fmt: Literal["csv", "xlsx"] = "csv" if suffix == "csv" else "xlsx"
    with hub_transaction(db) as conn:
        report = access_recall_report(
            conn=conn, principal=_principal(partner), query=lot, material=material
        )
    out.write_bytes(export_recall_report(report, fmt))
    console.print(
        f"{report.affected_lots} affected finished lots, {report.customers} customers, "
        f"{len(report.lines)} lines → {out}"
    )


def recall_open(
    lot: Annotated[str, typer.Argument(help="Lot number, LGTIN EPC URI or GS1 Digital Link")],
    material: MaterialOption = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why it is recalled")] = None,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """Open a recall case for a lot: every affected partner is recorded and notified."""
    from chainhub.trace.cases import do_open_recall
    from chainhub.trace.schemas import RecallOpen

    recall = RecallOpen(lot=lot, material_code=material, reason=reason)
    with hub_transaction(db, deliver=True) as conn:
        case = do_open_recall(conn=conn, principal=OPERATOR, recall=recall).case
    if output == "json":
        typer.echo(case.model_dump_json())
        return
    table = Table("partner", "affected lots")
    table.title = (
        f"recall {case.recall_id}: {case.affected_lots} lots, {case.partners} partners notified, "
        f"traced in {case.time_to_trace_ms:g} ms"
    )
    for line in case.lines:
        table.add_row(line.partner_id, str(len(line.lots)))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `trace`, `recall report` and `recall open` to `app`."""
    app.command("trace")(trace)
    recall_app = typer.Typer(name="recall", help="Recalls (召回).", no_args_is_help=True)
    recall_app.command("report")(recall_report)
    recall_app.command("open")(recall_open)
    app.add_typer(recall_app)
