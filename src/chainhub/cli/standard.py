"""Commands: standard (publish the data standard: version, export, show)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from chainhub.cli.common import console, fail, usage_error
from chainhub.errors import ChainhubError
from chainhub.standard import service
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.standard.version import STANDARD_VERSION

standard_app = typer.Typer(
    name="standard",
    help="The published data standard: JSON Schemas, reference, changelog (数据标准).",
    no_args_is_help=True,
)


class ShowFormat(StrEnum):
    """Output of `chainhub standard show`."""

    JSON = "json"
    RECORD = "record"
    EXAMPLE = "example"


@standard_app.command("version")
def version() -> None:
    """Print the version of the data standard."""
    console.print(STANDARD_VERSION, highlight=False)


@standard_app.command("export")
def export(
    directory: Annotated[
        Path, typer.Argument(help="Directory to write into; created when missing.")
    ],
) -> None:
    """Write JSON Schemas, index.json, reference.md and CHANGELOG.md into DIRECTORY."""
    try:
        service.check_export_directory(directory=directory)
    except ChainhubError as error:
        fail(error, exit_code=2)
    try:
        written = service.do_export_standard(directory=directory)
    except ChainhubError as error:
        fail(error)
    console.print(
        f"wrote {len(written)} files of standard {STANDARD_VERSION} to {directory}",
        highlight=False,
    )


@standard_app.command("show")
def show(
    document_type: Annotated[str, typer.Argument(help="Document type, e.g. purchase_order.")],
    output: Annotated[
        ShowFormat,
        typer.Option(
            "--format",
            help="json: schema of the document; record: schema of its flat record; "
            "example: a full example document.",
        ),
    ] = ShowFormat.JSON,
) -> None:
    """Print the JSON Schema or an example document of one document type."""
    if document_type not in DOCUMENT_TYPES:
        usage_error(
            "unknown_document_type",
            f"unknown document type {document_type!r}; one of: {', '.join(DOCUMENT_TYPES)}",
            f"未知的文档类型 {document_type!r}；可选：{', '.join(DOCUMENT_TYPES)}",
        )
    if output is ShowFormat.EXAMPLE:
        value = service.get_example_document(document_type=document_type).model_dump(mode="json")
    else:
        value = service.get_document_schema(
            document_type=document_type, record=output is ShowFormat.RECORD
        )
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.add_typer(standard_app)
