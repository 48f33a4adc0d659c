"""Commands: trace (a lot's genealogy), recall report, recall open, epcis import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from chainhub.access.schemas import Principal, Role
from chainhub.cli.common import (
    OPERATOR,
    DbOption,
    check_partner_known,
    choose_language,
    console,
    err_console,
    hub_transaction,
    usage_error,
)
from chainhub.cli.intake import LangOption
from chainhub.cli.kpi import FormatOption
from chainhub.errors import Language

if TYPE_CHECKING:
    from chainhub.trace.bulk import ImportOutcome, ImportReport

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


_SUFFIXES = (".json", ".jsonld", ".xml")
_SHOWN_PROBLEMS = 10


def _documents(paths: list[Path]) -> list[Path]:
    """The files given, and the EPCIS files (by suffix) in the folders given, each in name
    order; a usage error for a path that is not there or a folder without any."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES)
            if not inside:
                usage_error(
                    "no_documents",
                    f"no EPCIS documents ({', '.join(_SUFFIXES)}) in folder {path}",
                    f"目录 {path} 中没有 EPCIS 文档（{'、'.join(_SUFFIXES)}）",
                )
            found.extend(p for p in inside if p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            usage_error("file_not_found", f"file not found: {path}", f"找不到文件：{path}")
    return found


def _print_refused(outcome: ImportOutcome, lang: Language) -> None:
    """A refused document's name and error, then its located problems."""
    from chainhub.trace.validation import DocumentInvalidError

    error = outcome.error
    assert error is not None  # noqa: S101 (only refused outcomes are printed)
    err_console.print(f"[bold red]{outcome.name}[/]: {error.message(lang)}", highlight=False)
    problems = error.problems if isinstance(error, DocumentInvalidError) else []
    for problem in problems[:_SHOWN_PROBLEMS]:
        where = "" if problem.event is None else f"event {problem.event}, "
        if lang == "zh":
            where = "" if problem.event is None else f"事件 {problem.event}，"
        text = problem.message_zh if lang == "zh" else problem.message_en
        err_console.print(f"  {where}{problem.field}: {text}", highlight=False, markup=False)
    if len(problems) > _SHOWN_PROBLEMS:
        more = len(problems) - _SHOWN_PROBLEMS
        err_console.print(f"  … {more:,} more" if lang == "en" else f"  … 另有 {more:,} 个")


def _summary(report: ImportReport, lang: Language) -> str:
    done = len(report.outcomes) - len(report.rejected)
    if lang == "zh":
        return (
            f"已导入 {done:,} 个文档：{report.events:,} 个事件，其中 {report.stored:,} 个为新事件；"
            f"{len(report.rejected):,} 个文档被拒收"
        )
    return (
        f"imported {done:,} documents: {report.events:,} events, {report.stored:,} of them new; "
        f"{len(report.rejected):,} documents refused"
    )


def epcis_import(
    paths: Annotated[
        list[Path],
        typer.Argument(help="EPCIS documents (.json, .jsonld, .xml) or folders of them"),
    ],
    partner: Annotated[str, typer.Option("--partner", help="The partner capturing them")],
    form: Annotated[
        Literal["auto", "json", "xml"],
        typer.Option("--format", help="Their format (auto: by suffix, else the first character)"),
    ] = "auto",
    all_or_nothing: Annotated[
        bool,
        typer.Option("--all-or-nothing", help="Store nothing when any document is refused"),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=0, help="Worker processes (default: one per core; none under 1 MB)"
        ),
    ] = None,
    lang: LangOption = None,
    db: DbOption = None,
) -> None:
    """Capture many EPCIS documents as one partner, on every core, each whole or not at all."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from chainhub.trace.bulk import ImportRejectedError, ImportSource, do_import_captures

    language = choose_language(lang)
    files = _documents(paths)
    sources = [ImportSource(str(f), f, form) for f in files]
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,  # a bar for people, nothing in a script's log
    )
    refused: list[ImportOutcome] = []

    def done(outcome: ImportOutcome) -> None:
        progress.advance(task)
        if outcome.error is not None:
            refused.append(outcome)

    with hub_transaction(db, deliver=True) as conn:
        check_partner_known(conn, partner)
        task = progress.add_task("importing" if language == "en" else "导入中", total=len(files))
        try:
            with progress:
                report = do_import_captures(conn=conn, sources=sources, partner_id=partner,
                                            all_or_nothing=all_or_nothing, workers=workers,
                                            progress=done)  # fmt: skip
        except ImportRejectedError:
            for outcome in refused:
                _print_refused(outcome, language)
            raise  # the transaction is rolled back: nothing stored
    for outcome in report.rejected:
        _print_refused(outcome, language)
    console.print(_summary(report, language), highlight=False)
    raise typer.Exit(1 if report.rejected else 0)


def register(app: typer.Typer) -> None:
    """Add `trace`, `recall report`, `recall open` and `epcis import` to `app`."""
    app.command("trace")(trace)
    recall_app = typer.Typer(name="recall", help="Recalls (召回).", no_args_is_help=True)
    recall_app.command("report")(recall_report)
    recall_app.command("open")(recall_open)
    app.add_typer(recall_app)
    epcis_app = typer.Typer(name="epcis", help="EPCIS 2.0 capture (EPCIS 采集).",
                            no_args_is_help=True)  # fmt: skip
    epcis_app.command("import")(epcis_import)
    app.add_typer(epcis_app)
