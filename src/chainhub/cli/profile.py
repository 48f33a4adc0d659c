"""Commands: profile suggest (draft a partner's mapping profile from one of its files)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chainhub.cli.common import (
    check_output_path,
    err_console,
    fail,
    hub_transaction,
    usage_error,
)
from chainhub.errors import ChainhubError
from chainhub.intake.suggest import ProfileSuggestion, suggest_profile
from chainhub.standard.registry import DOCUMENT_TYPES

profile_app = typer.Typer(
    name="profile", help="Mapping profiles of partners' files (映射配置).", no_args_is_help=True
)


class SuggestFormat(StrEnum):
    """Output of `chainhub profile suggest`."""

    YAML = "yaml"
    TABLE = "table"


def _report(suggestion: ProfileSuggestion) -> None:
    """The evidence behind a suggestion, on stderr."""
    placements = Table("field", "column", "confidence", "evidence", title="Placements")
    for p in suggestion.placements:
        placements.add_row(p.field, p.column, f"{p.confidence:.2f}", p.evidence)
    for name, mapping in suggestion.profile.fields.items():
        if mapping.value is not None:
            placements.add_row(name, "", "", f"constant {mapping.value!r}")
        elif mapping.number_lines:
            placements.add_row(name, "", "", "numbered per document in file order")
        elif mapping.difference is not None:
            first, second = mapping.difference
            placements.add_row(name, "", "", f"{first} less {second}")
    err_console.print(placements)
    if suggestion.unplaced:
        err_console.print(f"[bold]unplaced columns[/]: {', '.join(suggestion.unplaced)}")
    if suggestion.missing:
        err_console.print(f"[bold]missing required fields[/]: {', '.join(suggestion.missing)}")
    if suggestion.reviews:
        reviews = Table("field", "column", "needs review", "values", title="Values to review")
        for r in suggestion.reviews:
            shown = ", ".join(r.values[:8]) + (" …" if len(r.values) > 8 else "")
            reviews.add_row(r.field, r.column, r.reason, shown)
        err_console.print(reviews)
    for note in suggestion.notes:
        err_console.print(f"note: {note}", highlight=False)


@profile_app.command("suggest")
def suggest(
    file: Annotated[Path, typer.Argument(help="A partner's CSV, XLSX or JSON file.")],
    document_type: Annotated[str, typer.Option("--type", help="Document type of the file.")],
    partner: Annotated[
        str | None, typer.Option("--partner", help="Partner who sends the file.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Hub database whose partners, sites and crosswalks map names and codes.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the profile YAML here, not to stdout.")
    ] = None,
    output: Annotated[
        SuggestFormat,
        typer.Option("--format", help="yaml: the profile and the report; table: the report."),
    ] = SuggestFormat.YAML,
) -> None:
    """Draft a mapping profile from a file's header and values; exit 1 if anything is left."""
    if document_type not in DOCUMENT_TYPES:
        usage_error(
            "unknown_document_type",
            f"unknown document type {document_type!r}; one of: {', '.join(DOCUMENT_TYPES)}",
            f"未知的单据类型 {document_type!r}；可选：{', '.join(DOCUMENT_TYPES)}",
        )
    if not file.is_file():
        usage_error("file_not_found", f"file not found: {file}", f"找不到文件：{file}")
    if out is not None:
        check_output_path(out, "--out", (".yaml", ".yml"))
    if db is None:
        try:
            suggestion = suggest_profile(path=file, document_type=document_type, partner_id=partner)
        except ChainhubError as error:
            fail(error)
    else:
        with hub_transaction(db) as conn:
            suggestion = suggest_profile(
                path=file, document_type=document_type, partner_id=partner, conn=conn
            )
    if output is SuggestFormat.YAML:
        text = suggestion.profile.to_yaml()
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
    _report(suggestion)
    if not suggestion.complete:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.add_typer(profile_app)
