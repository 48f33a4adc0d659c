"""Commands: conform (check a file, no server needed), ingest (store it), scorecard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import typer
from rich.table import Table

from chainhub.cli.common import (
    DbOption,
    check_output_path,
    check_partner_known,
    console,
    err_console,
    fail,
    hub_transaction,
    usage_error,
)
from chainhub.errors import ChainhubError, Language

FormatOption = Annotated[
    Literal["table", "json"], typer.Option("--format", help="table for people, json for tools")
]
LangOption = Annotated[
    Literal["en", "zh"] | None,
    typer.Option("--lang", help="Language of messages (default: $CHAINHUB_LANGUAGE or locale)"),
]
ProfileOption = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        help="Mapping profile (YAML); default: the file is already in "
        "the standard's flat form, one column per field",
    ),
]
TypeOption = Annotated[str, typer.Option("--type", help="Standard document type")]
_SHOWN_PER_RULE = 20


def _language(lang: str | None) -> Language:
    from chainhub.cli.common import choose_language

    return choose_language(lang)


REPORT_SUFFIXES = (".json", ".csv", ".xlsx")


def _write_report(path: Path, report: dict[str, Any]) -> None:
    """The report in the format its suffix names: JSON whole; CSV one error a line; XLSX a
    summary sheet and one sheet per rule. Text cells that a spreadsheet would run as formulas
    are neutralised."""
    import polars as pl

    from chainhub.standard.cells import neutralise_frame

    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(
            json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        return
    schema = dict.fromkeys(("rule", "row", "column", "field", "value", "message"), pl.Utf8)
    errors = pl.DataFrame(
        [{k: None if e.get(k) is None else str(e[k]) for k in schema} for e in report["errors"]],
        schema=schema,
    ).with_columns(pl.col("row").cast(pl.Int64))
    errors = neutralise_frame(errors)
    if suffix == ".csv":
        errors.write_csv(path)
        return
    summary = neutralise_frame(
        pl.DataFrame(
            {
                "file": [str(report["file"])],
                "type": [report["type"]],
                "rows": [report["rows"]],
                "valid_rows": [report["valid_rows"]],
                "errors": [len(report["errors"])],
                "unmapped": [", ".join(report.get("unmapped", []))],
            }
        )
    )
    import xlsxwriter

    with xlsxwriter.Workbook(path) as book:
        summary.write_excel(book, worksheet="summary")
        for index, rule in enumerate(sorted(set(errors.get_column("rule").to_list()))):
            # Sheet names are at most 31 characters and unique.
            errors.filter(pl.col("rule") == rule).write_excel(
                book, worksheet=f"{index + 1} {rule}"[:31]
            )


def _hub_db(db: str | None) -> str | None:
    """The hub database conform checks references in: --db, else $CHAINHUB_DATABASE_URL, else
    ./chainhub.duckdb when it exists; None to check without one."""
    import os

    if db is not None:
        return db
    if os.environ.get("CHAINHUB_DATABASE_URL"):
        return os.environ["CHAINHUB_DATABASE_URL"]
    return "duckdb:///chainhub.duckdb" if Path("chainhub.duckdb").is_file() else None


def _resolve_profile(path: Path, document_type: str, profile: Path | None, partner: str) -> Any:
    """The profile to read `path` with: the given one, or the standard's own flat form."""
    from chainhub.intake.schemas import load_profile
    from chainhub.intake.service import get_file_profile

    if not path.is_file():
        usage_error("file_not_found", f"file not found: {path}", f"找不到文件：{path}")
    try:
        mapping = load_profile(profile) if profile is not None else None
        return get_file_profile(
            path=path, document_type=document_type, profile=mapping, partner_id=partner
        )
    except ChainhubError as error:
        fail(error, exit_code=2)


def _report(*, path: Path, document_type: str, result: Any, lang: Language) -> dict[str, Any]:
    from chainhub.intake.service import errors_as_records
    from chainhub.standard import STANDARD_VERSION

    return {
        "file": str(path),
        "type": document_type,
        "standard_version": STANDARD_VERSION,
        "rows": result.rows,
        "valid_rows": result.valid_rows,
        "errors": errors_as_records(result, lang=lang),
    }


def _print_errors(report: dict[str, Any], lang: Language) -> None:
    """Errors grouped by rule, as a person reads them."""
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for error in report["errors"]:
        by_rule.setdefault(error["rule"], []).append(error)
    heads = (
        ("行", "列", "字段", "值", "说明")
        if lang == "zh"
        else ("row", "column", "field", "value", "message")
    )
    for rule, errors in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
        table = Table(title=f"{rule}: {len(errors):,}", title_justify="left")
        for head in heads:
            table.add_column(head, justify="right" if head in ("row", "行") else "left")
        for e in errors[:_SHOWN_PER_RULE]:
            table.add_row(
                str(e["row"]), e["column"] or "", e["field"], e["value"] or "", e["message"]
            )
        console.print(table)
        if len(errors) > _SHOWN_PER_RULE:
            more = len(errors) - _SHOWN_PER_RULE
            console.print(
                f"  … {more:,} more (--format json or --report PATH lists all)"
                if lang == "en"
                else f"  … 另有 {more:,} 条（用 --format json 或 --report PATH 查看全部）"
            )


def _emit_conform(
    report: dict[str, Any],
    *,
    output: str,
    lang: Language,
    report_path: Path | None,
    profiled: bool,
) -> NoReturn:
    """Write, print and exit with the report of `conform`."""
    if report_path is not None:
        _write_report(report_path, report)
    if output == "json":
        typer.echo(json.dumps(report, ensure_ascii=False, default=str))
    else:
        _print_errors(report, lang)
        console.print(_summary_line(report, lang))
        err_console.print(
            "\n".join(report["skipped"]), highlight=False, end="\n" if report["skipped"] else ""
        )
    if report["unmapped"]:
        # Every other check ran; the profile still cannot serve an ingest.
        unmapped = tuple(report["unmapped"])
        fail(_unmapped_error(report["type"], unmapped, profiled=profiled), exit_code=2)
    raise typer.Exit(0 if not report["errors"] else 1)


def _unmapped_error(
    document_type: str, unmapped: tuple[str, ...], *, profiled: bool
) -> ChainhubError:
    names = ", ".join(unmapped)
    if not profiled:
        return ChainhubError(
            "columns_missing",
            f"the file has no column for required fields of {document_type}: {names} (every "
            "other check ran; add the columns, or give a profile: chainhub profile suggest)",
            f"文件缺少 {document_type} 必填字段的列：{names}"
            "（其余检查均已完成；请补上这些列，或提供映射配置：chainhub profile suggest）",
        )
    return ChainhubError(
        "profile_missing_field",
        f"profile does not map required fields of {document_type}: {names} (every other check "
        "ran; give each a column or a value before ingesting)",
        f"映射配置缺少 {document_type} 的必填字段：{names}"
        "（其余检查均已完成；入库前请为其指定列或取值）",
    )


def _skipped_without_hub(mapping: Any, lang: Language) -> list[str]:
    """The checks a file cannot have without the hub's references, said in one language."""
    from chainhub.intake.validate.plan import parties_unchecked

    crosswalked = sorted(n for n, m in mapping.fields.items() if m.crosswalk)
    parties = sorted(
        n
        for n in parties_unchecked(mapping.document_type)
        if n in mapping.fields and mapping.fields[n].column is not None
    )
    if lang == "zh":
        lines = ["未连接数据中心数据库：未核对伙伴、站点和物料是否已登记"]
        if crosswalked:
            lines.append(f"未经物料编码对照表转换，按伙伴自有编码检查：{', '.join(crosswalked)}")
        if parties:
            lines.append(f"未核对是否为数据中心的伙伴/站点编码（需值映射）：{', '.join(parties)}")
        return lines
    lines = ["no hub database: partners, sites and materials not checked against the registry"]
    if parties:
        lines.append(
            "not checked as hub partner and site ids (the profile's value map turns the "
            f"partner's own codes into them): {', '.join(parties)}"
        )
    if crosswalked:
        lines.append(
            f"not translated through the material crosswalk, checked as the partner's own "
            f"codes: {', '.join(crosswalked)}"
        )
    return lines


def _summary_line(report: dict[str, Any], lang: Language) -> str:
    bad = report["rows"] - report["valid_rows"]
    if lang == "zh":
        return (
            f"{report['file']}：共 {report['rows']:,} 行，合格 {report['valid_rows']:,} 行，"
            f"{bad:,} 行有 {len(report['errors']):,} 处错误"
        )
    return (
        f"{report['file']}: {report['rows']:,} rows, {report['valid_rows']:,} valid, "
        f"{len(report['errors']):,} errors in {bad:,} rows"
    )


def register(app: typer.Typer) -> None:
    """Add `conform`, `ingest` and `scorecard` to `app`."""

    @app.command()
    def conform(
        file: Annotated[Path, typer.Argument(help="The partner's file (CSV, XLSX or JSON)")],
        document_type: TypeOption,
        profile: ProfileOption = None,
        db: DbOption = None,
        output: FormatOption = "table",
        lang: LangOption = None,
        report_path: Annotated[
            Path | None,
            typer.Option(
                "--report", help="Also write the report here: .json, .csv or .xlsx by its suffix"
            ),
        ] = None,
    ) -> None:
        """Check a file against the standard: every failing row, no server needed.

        Exit status: 0 when the file conforms, 1 when it does not, 2 for usage errors.
        """
        language = _language(lang)
        if report_path is not None:
            check_output_path(report_path, "--report", REPORT_SUFFIXES)
        mapping = _resolve_profile(file, document_type, profile, partner="unknown")
        hub = _hub_db(db)
        try:
            result = _check(file, mapping, hub)
        except ChainhubError as error:
            fail(
                error,
                exit_code=2 if error.code.startswith(("crosswalk", "profile", "column")) else 1,
            )
        report = _report(path=file, document_type=document_type, result=result, lang=language)
        report["skipped"] = _skipped_without_hub(mapping, language) if hub is None else []
        report["unmapped"] = list(result.unmapped)
        _emit_conform(
            report, output=output, lang=language, report_path=report_path, profiled=bool(profile)
        )

    @app.command()
    def ingest(
        file: Annotated[Path, typer.Argument(help="The partner's file (CSV, XLSX or JSON)")],
        partner: Annotated[str, typer.Option("--partner", help="Submitting partner id")],
        document_type: TypeOption,
        profile: ProfileOption = None,
        accept_valid: Annotated[
            bool,
            typer.Option(
                "--accept-valid", help="Store the documents that pass; quarantine the rest"
            ),
        ] = False,
        db: DbOption = None,
        output: FormatOption = "table",
        lang: LangOption = None,
    ) -> None:
        """Store a file's documents: whole or not at all, once per content, with provenance."""
        from chainhub.intake.service import do_submit, get_submitter

        language = _language(lang)
        mapping = _resolve_profile(file, document_type, profile, partner=partner)
        if mapping.partner_id != partner:
            usage_error(
                "profile_partner_mismatch",
                f"profile {profile} is for partner {mapping.partner_id}, not {partner}",
                f"映射配置 {profile} 属于伙伴 {mapping.partner_id}，而不是 {partner}",
            )
        with (
            console.status("checking and storing …"),
            hub_transaction(db, must_exist=False, migrate=True, deliver=True) as conn,
        ):
            result = do_submit(
                conn=conn,
                path=file,
                profile=mapping,
                submitter=get_submitter(conn=conn, partner_id=partner, channel="cli"),
                accept_valid=accept_valid,
            )
        outcome: dict[str, Any] = {
            "status": result.status,
            "submission_id": result.submission_id,
            "rows": result.rows,
            "stored_rows": result.stored_rows,
            "quarantined_rows": result.quarantined_rows,
            "documents": result.documents,
        }
        report = (
            _report(path=file, document_type=document_type, result=result.validation, lang=language)
            if result.validation is not None and result.validation.errors.height
            else None
        )
        if output == "json":
            typer.echo(json.dumps({**outcome, "report": report}, ensure_ascii=False, default=str))
        else:
            if report is not None:
                _print_errors(report, language)
            console.print(_outcome_line(outcome, language))
        raise typer.Exit(1 if result.status == "rejected" else 0)

    @app.command()
    def scorecard(
        partner: Annotated[str | None, typer.Option("--partner", help="One partner")] = None,
        db: DbOption = None,
        output: FormatOption = "table",
    ) -> None:
        """Data quality per partner: submissions, rows accepted and rejected, top failing
        rules, timeliness."""
        from chainhub.kpi.scorecard import list_scorecards

        with hub_transaction(db) as conn:
            if partner is not None:
                check_partner_known(conn, partner)
            cards = list_scorecards(conn=conn, partner_id=partner)
        if output == "json":
            typer.echo(json.dumps([c.model_dump() for c in cards], ensure_ascii=False))
            return
        table = Table(title="data-quality scorecard / 数据质量记分卡")
        for head in (
            "partner",
            "attempts",
            "stored",
            "partial",
            "rejected",
            "duplicates",
            "rows ok",
            "rows bad",
            "acceptance",
            "median lag (d)",
            "on time",
            "top failing rules",
        ):
            table.add_column(
                head, justify="left" if head in ("partner", "top failing rules") else "right"
            )
        for c in cards:
            table.add_row(
                c.partner_id,
                str(c.attempts),
                str(c.stored),
                str(c.partial),
                str(c.rejected),
                str(c.duplicates),
                f"{c.rows_accepted:,}",
                f"{c.rows_rejected:,}",
                f"{c.acceptance_rate:.1%}",
                "" if c.median_lag_days is None else f"{c.median_lag_days:.1f}",
                "" if c.on_time_share is None else f"{c.on_time_share:.0%}",
                ", ".join(f"{r.rule}/{r.field} ({r.errors})" for r in c.top_rules),
            )
        console.print(table)


def _check(file: Path, mapping: Any, hub: str | None) -> Any:
    """The file checked through its profile, against the hub's references when there is one;
    a spinner shows in a terminal, nothing in a script."""
    from chainhub.intake.service import check_file

    with console.status("checking …"):
        if hub is None:
            return check_file(conn=None, path=file, profile=mapping, records=False, partial=True)
        with hub_transaction(hub) as conn:
            return check_file(conn=conn, path=file, profile=mapping, records=False, partial=True)


def _outcome_line(outcome: dict[str, Any], lang: Language) -> str:
    status = outcome["status"]
    if lang == "zh":
        text = {
            "stored": "已入库：{stored_rows:,} 行，{documents:,} 张单据，提交编号 {submission_id}",
            "partial": "部分入库：{stored_rows:,} 行已入库，{quarantined_rows:,} 行已隔离，"
            "提交编号 {submission_id}",
            "duplicate": "内容与已入库的提交 {submission_id} 相同，未重复入库",
            "rejected": "已拒收：文件有错误，未入库任何数据",
        }[status]
    else:
        text = {
            "stored": "stored {stored_rows:,} rows in {documents:,} documents as submission "
            "{submission_id}",
            "partial": "stored {stored_rows:,} rows, quarantined {quarantined_rows:,}, as "
            "submission {submission_id}",
            "duplicate": "already stored as submission {submission_id}: nothing stored twice",
            "rejected": "rejected: the file has errors, nothing was stored",
        }[status]
    return text.format(**outcome)
