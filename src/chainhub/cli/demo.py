"""Commands: demo — simulate a chain, load it through the partners' intake path, serve it."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chainhub.cli.common import OPERATOR, DbOption, console, fail, hub_transaction, usage_error
from chainhub.errors import ChainhubError

if TYPE_CHECKING:
    from chainhub.intake.attempts import IngestResult
    from chainhub.intake.load import LoadFile


def _load(*, db: str | None, data_dir: Path) -> dict[str, int]:
    """Submit every file of the simulated chain as its partner."""
    from chainhub.intake.load import do_load_files

    manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
    outcome = {"stored": 0, "duplicate": 0}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    files = [manifest_file(data_dir, entry) for entry in manifest["submissions"]]
    # One transaction: the demo's chain is loaded whole or not at all.
    with (
        Progress(*columns, console=console, transient=True) as progress,
        hub_transaction(db) as conn,
    ):
        task = progress.add_task("loading", total=len(files))

        def on_result(file: LoadFile, result: IngestResult) -> None:
            name = file.path.relative_to(data_dir)
            if result.status == "rejected":
                assert result.validation is not None
                first = result.validation.errors.row(0, named=True)
                raise ChainhubError(
                    "demo_rejected",
                    f"{name} was rejected: row {first['row']} {first['message_en']}",
                    f"{name} 被拒收：第 {first['row']} 行 {first['message_zh']}",
                )
            outcome[result.status] += 1
            progress.update(task, description=f"{file.partner_id} {result.document_type}")
            progress.advance(task)

        do_load_files(conn=conn, files=files, channel="demo", on_result=on_result)
    return outcome


def _plant_day(*, db: str | None, seed: int) -> str:
    """A day of the leader's machines up to now, its plants planned from now."""
    from chainhub.control.plant import do_run_plant_day
    from chainhub.partners.service import DEMO_LEADER

    with (
        console.status("simulating a day of the leader's machines and planning its plants"),
        hub_transaction(db) as conn,
    ):
        day = do_run_plant_day(conn=conn, partner_id=DEMO_LEADER, now=datetime.now(UTC), seed=seed)
    return (
        f"plant: {day.messages:,} telemetry messages stored, {day.failures} breakdowns, "
        f"{day.plans} plans made"
    )


def _forecast(*, db: str | None) -> str:
    """The hub's first forecast of the loaded demand (every material x customer, reconciled,
    with the partners' own forecasts compared), so the forecast pages open on one."""
    from chainhub.forecast.schemas import ForecastParameters
    from chainhub.forecast.service import do_run_forecast, get_run_value_added
    from chainhub.forecast.value_added import count_over_naive

    with console.status("forecasting the chain's demand"), hub_transaction(db) as conn:
        run = do_run_forecast(
            conn=conn,
            principal=OPERATOR,
            today=datetime.now(UTC).date(),
            parameters=ForecastParameters(),
        )
        added = get_run_value_added(conn=conn, run=run)
    naive = count_over_naive(added)
    compared = [a for a in added if a.hub_beats_partner is not None]
    return (
        f"forecast: run {run.version}, {run.series_count} series; the hub beats naive on "
        f"{naive.beats}, equals it on {naive.equals}, of {naive.scored} and the partners' own "
        f"forecast on {sum(1 for a in compared if a.hub_beats_partner)} of {len(compared)}"
    )


def manifest_file(data_dir: Path, entry: dict[str, str]) -> LoadFile:
    """One file the simulator's manifest lists, to load as its partner sent it."""
    from chainhub.intake.load import LoadFile

    return LoadFile(
        path=data_dir / entry["file"],
        profile=data_dir / entry["profile"],
        partner_id=entry["partner_id"],
        # When the simulated partner would have sent it, so timeliness means something; a
        # manifest written by hand may not say, and then it is now.
        received_at=datetime.fromisoformat(entry["sent_at"]) if "sent_at" in entry else None,
    )


def _prepare_database(*, db: str | None) -> None:
    """Reach and migrate the database first, so a bad URL fails before any work is done; the
    simulated chain's leader publishes the golden material list, so it is designated first."""
    from chainhub.access.tokens import do_set_chain_leader
    from chainhub.partners.service import DEMO_LEADER

    with hub_transaction(db, must_exist=False, migrate=True) as conn:
        do_set_chain_leader(conn=conn, partner_id=DEMO_LEADER)


def _clear_previous(data_dir: Path) -> None:
    """Remove an earlier demo's files; refuse to touch a folder that holds anything else, or
    one that cannot be made."""
    parent = data_dir.absolute().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        usage_error(
            "data_dir_unwritable",
            f"--data-dir {data_dir}: cannot create it in {parent}",
            f"--data-dir {data_dir}：无法在 {parent} 中创建",
        )
    if not data_dir.exists():
        return
    if data_dir.is_dir() and (data_dir / "manifest.json").is_file():
        shutil.rmtree(data_dir)
        return
    if data_dir.is_dir() and not any(data_dir.iterdir()):
        return
    usage_error(
        "data_dir_in_use",
        f"{data_dir} exists and does not hold an earlier demo; choose another --data-dir",
        f"{data_dir} 已存在且不是之前的演示数据目录；请用 --data-dir 指定其他目录",
    )


def _issue_credentials(*, db: str | None) -> tuple[list[str], list[str]]:
    """Sharing agreements, tokens and password users for the demo's named participants, one
    line each."""
    from chainhub.partners.service import do_issue_demo_tokens, do_issue_demo_users

    with hub_transaction(db) as conn:
        tokens = do_issue_demo_tokens(conn=conn)
        users = do_issue_demo_users(conn=conn)
    return [
        f"  {issued.partner_id or 'hub':<20} {issued.role.value:<14} {issued.token}"
        for issued in tokens
    ], [
        f"  {user.name:<26} {user.partner_id or 'hub':<20} {user.role.value:<14} {user.password}"
        for user in users
    ]


def _summary(*, db: str | None) -> Table:
    from chainhub.standard.registry import DOCUMENT_TYPES
    from chainhub.storage.service import count_documents

    with hub_transaction(db) as conn:
        counts = count_documents(conn=conn)
    table = Table(title="chainhub demo: documents loaded")
    for name in ("type", "documents", "lines"):
        table.add_column(name, justify="left" if name == "type" else "right")
    for doc_type in DOCUMENT_TYPES:
        rows, docs = counts.get(doc_type, (0, 0))
        table.add_row(doc_type, f"{docs:,}", f"{rows:,}")
    return table


def register(app: typer.Typer) -> None:
    """Add `demo` to `app`."""

    @app.command()
    def demo(
        db: DbOption = None,
        scale: Annotated[str, typer.Option(help="small, medium, large or a line count")] = "small",
        seed: Annotated[int, typer.Option(min=0, help="Seed of the simulated chain")] = 7,
        data_dir: Annotated[
            Path, typer.Option("--data-dir", help="Where the simulated partner files go")
        ] = Path("demo-data"),
        no_serve: Annotated[
            bool, typer.Option("--no-serve", help="Load, print a summary and stop")
        ] = False,
        host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 8000,
    ) -> None:
        """Simulate a chain, load it through the intake path partners use, and serve the hub."""
        from chainhub.cli.serve import check_port_free, serve_app
        from chainhub.sim.service import check_scale, do_simulate

        if not no_serve:
            check_port_free(host, port)
        started = time.perf_counter()
        try:
            check_scale(scale)
            _clear_previous(data_dir)
            _prepare_database(db=db)
            console.print(f"simulating the {scale} chain (seed {seed}) into {data_dir}/ …")
            do_simulate(out=data_dir, scale=scale, seed=seed)
            simulated = time.perf_counter() - started
            outcome = _load(db=db, data_dir=data_dir)
            plant = _plant_day(db=db, seed=seed)
            forecast = _forecast(db=db)
            loaded = time.perf_counter() - started
            console.print(_summary(db=db))
            console.print(plant)
            console.print(forecast)
            tokens, users = _issue_credentials(db=db)
        except ChainhubError as error:
            fail(error)
        console.print("demo credentials, shown once / 演示令牌（仅显示一次）:")
        for line in tokens:
            console.print(line, soft_wrap=True, highlight=False)
        console.print(
            "demo sign-ins (user name, partner, role, password), shown once / "
            "演示账户（用户名、伙伴、角色、密码，仅显示一次）:"
        )
        for line in users:
            console.print(line, soft_wrap=True, highlight=False)
        console.print(
            f"simulated in {simulated:.1f} s, loaded {outcome['stored']} submissions "
            f"({outcome['duplicate']} already stored) in {loaded - simulated:.1f} s; "
            f"total {loaded:.1f} s"
        )
        if not no_serve:
            console.print(
                f"open http://{host}:{port}/ and sign in with a user name and password "
                "above (or a token) "
                f"(中文: http://{host}:{port}/?lang=zh); API docs: http://{host}:{port}/docs; "
                f"e.g. curl -H 'Authorization: Bearer <token>' "
                f"http://{host}:{port}/api/v1/me/overview"
            )
            serve_app(db=db, host=host, port=port)
