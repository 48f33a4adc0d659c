"""Commands: serve — run the hub's web server."""

from __future__ import annotations

import os
import socket
from typing import Annotated, Final

import typer

from chainhub.cli.common import DbOption, console, load_settings, usage_error
from chainhub.settings import Settings

# Each worker process builds its app from the environment the command leaves it.
_APP_FACTORY: Final = "chainhub.app:create_app_from_environment"


def check_port_free(host: str, port: int) -> None:
    """A usage error when another process already listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if probe.connect_ex((host, port)) == 0:
            usage_error(
                "port_in_use",
                f"port {port} on {host} is already in use; choose another with --port",
                f"{host} 的端口 {port} 已被占用；请用 --port 指定其他端口",
            )


def check_workers(settings: Settings, workers: int) -> None:
    """More than one worker process needs PostgreSQL: one process owns a DuckDB file."""
    if workers > 1 and not settings.database_url.startswith("postgresql"):
        usage_error(
            "workers_need_postgresql",
            f"--workers {workers} needs a PostgreSQL database: one process owns a DuckDB "
            "file; serve DuckDB with one worker",
            f"--workers {workers} 需要 PostgreSQL 数据库：DuckDB 文件只能由一个进程打开；"
            "DuckDB 请用单个工作进程",
        )


def worker_settings(settings: Settings, workers: int) -> Settings:
    """The settings each of `workers` server processes runs with: the cores' capture worker
    processes shared among them unless `capture_workers` was set."""
    if workers < 2 or "capture_workers" in settings.model_fields_set:
        return settings
    # Each server process starts its own pool; one per core each would put N × cores
    # processes on the cores.
    share = max(1, len(os.sched_getaffinity(0)) // workers)
    return settings.model_copy(update={"capture_workers": share})


def _environment(settings: Settings) -> None:
    """Pass the settings the command resolved to worker processes, as CHAINHUB_ variables."""
    for name, value in settings.model_dump(mode="json").items():
        if isinstance(value, list):
            os.environ[f"CHAINHUB_{name.upper()}"] = ",".join(map(str, value))
        elif value is not None:
            os.environ[f"CHAINHUB_{name.upper()}"] = str(value)
    os.environ["CHAINHUB_AUDIT_KEY"] = settings.audit_key.get_secret_value()


def serve_app(*, db: str | None, host: str, port: int, workers: int = 1) -> None:
    """Build the app for the database and serve it until interrupted."""
    import uvicorn

    from chainhub.access.tokens import do_create_first_admin_token
    from chainhub.app import create_app
    from chainhub.storage.migrate import do_upgrade

    settings = load_settings(db).model_copy(update={"host": host, "port": port})
    check_workers(settings, workers)
    check_port_free(host, port)
    app = create_app(settings, served=True)
    # Reach and migrate the database before serving, so a locked or unreachable one is a
    # one-line error, and a hub without a hub admin gets its first one.
    do_upgrade(engine=app.state.engine)
    with app.state.engine.begin() as conn:
        first_admin = do_create_first_admin_token(conn=conn)
    if first_admin is not None:
        console.print(
            "first start: hub admin token, shown once / 首次启动：枢纽管理员令牌（仅显示一次）:",
            soft_wrap=True,
        )
        console.print(f"  {first_admin}", soft_wrap=True, highlight=False)
    console.print(f"chainhub serving {settings.database_url} at http://{host}:{port}/")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    app.state.engine.dispose()
    _environment(worker_settings(settings, workers))
    uvicorn.run(
        _APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


def register(app: typer.Typer) -> None:
    """Add `serve` to `app`."""

    @app.command()
    def serve(
        db: DbOption = None,
        host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 8000,
        workers: Annotated[
            int, typer.Option(min=1, max=64, help="Worker processes (PostgreSQL only)")
        ] = 1,
    ) -> None:
        """Serve the hub: API under /api/v1 and the dashboard at /."""
        serve_app(db=db, host=host, port=port, workers=workers)
