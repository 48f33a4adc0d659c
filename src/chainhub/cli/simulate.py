"""Commands: simulate."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chainhub.cli.common import console, fail, usage_error
from chainhub.errors import ChainhubError
from chainhub.sim.service import check_scale, do_simulate


def _check_out(out: Path, *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        usage_error(
            "out_not_dir",
            f"--out {out} is a file, not a directory",
            f"--out {out} 是文件而不是目录",
        )
    if out.is_dir() and any(out.iterdir()):
        if not force:
            usage_error(
                "out_not_empty",
                f"--out {out} is not empty; use --force to overwrite it",
                f"--out {out} 不是空目录；使用 --force 覆盖",
            )
        shutil.rmtree(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        usage_error(
            "out_not_writable",
            f"--out {out} is not writable: {exc.strerror}",
            f"--out {out} 不可写：{exc.strerror}",
        )


def simulate(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the chain into")],
    scale: Annotated[
        str,
        typer.Option(
            "--scale", help="small, medium, large, or a target number of order+shipment lines"
        ),
    ] = "small",
    seed: Annotated[int, typer.Option("--seed", help="Random seed (0 or more)")] = 42,
    force: Annotated[bool, typer.Option("--force", help="Overwrite a non-empty --out")] = False,
) -> None:
    """Generate a simulated industrial chain: partner files, profiles and ground truth."""
    if seed < 0:
        usage_error(
            "negative_seed",
            f"--seed must be 0 or more, not {seed}",
            f"--seed 必须大于等于 0，而不是 {seed}",
        )
    try:
        check_scale(scale)
    except ChainhubError as error:
        fail(error, exit_code=2)
    _check_out(out, force=force)
    columns = (
        TextColumn("[bold]simulating[/]"),
        BarColumn(),
        TextColumn("day {task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("simulate", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = do_simulate(out=out, scale=scale, seed=seed, progress=progress)
    table = Table(title=f"chainhub simulate → {out}")
    table.add_column("document type")
    table.add_column("rows", justify="right")
    for doc_type, rows in summary.rows.items():
        table.add_row(doc_type, f"{rows:,}")
    console.print(table)
    console.print(
        f"{summary.partners} partners, {summary.files} files, "
        f"{summary.order_and_shipment_lines:,} order+shipment lines, "
        f"scale {summary.scale}, seed {summary.seed}, {summary.seconds:.1f} s"
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    app.command("simulate")(simulate)
