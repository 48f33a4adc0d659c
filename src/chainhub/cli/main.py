"""The `chainhub` command: one Typer app assembled from the command modules."""

from __future__ import annotations

import typer

from chainhub.cli import common

app = typer.Typer(
    name="chainhub",
    help="chainhub: industrial-chain collaboration hub (产业链协同数据枢纽).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from chainhub import __version__

        typer.echo(f"chainhub {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(  # noqa: ARG001 - read by its eager callback
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit"
    ),
) -> None:
    """chainhub: industrial-chain collaboration hub (产业链协同数据枢纽)."""
    common.choose_language(None)


def _register() -> None:
    # Each module adds its commands to `app`; imported here so nothing runs at import of main.
    from chainhub.cli import (
        audit,
        db,
        demo,
        forecast,
        intake,
        kpi,
        masterdata,
        partner,
        plan,
        profile,
        schedule,
        serve,
        simulate,
        standard,
        telemetry,
        token,
        trace,
        user,
    )

    for module in (
        standard,
        db,
        simulate,
        demo,
        serve,
        intake,
        kpi,
        forecast,
        plan,
        schedule,
        telemetry,
        masterdata,
        partner,
        token,
        user,
        audit,
        profile,
        trace,
    ):
        module.register(app)


def run() -> None:
    """Console-script entry point."""
    _register()
    common.main_guard(app)
