"""The hub under concurrent load: a bounded asyncio load generator against a bare
FastAPI "hello" endpoint served by uvicorn (the framework's limit) and `chainhub serve` on the
demo hub, on DuckDB (one process) and on PostgreSQL (two worker processes, when PostgreSQL's
server binaries are installed), at 16 and 64 concurrent clients: document read, list page,
supplier overview and file upload. Prints requests/s, p50, p99, errors, each endpoint's
ratio to the bare one, the server's CPU time per request (its process group's, from /proc:
steadier than requests/s when others share the machine) and the load generator's own; then
50 and 100 uploads sent at once, and whether every answered upload is stored. Each hub is
measured once its start-up work (page warm-up, golden master) is done.

The generator shares the cores with the servers, so its own cost is part of every figure:
httpx costs some 2 ms of CPU per request, four times what the bare endpoint's server costs
(~0.5 ms), which caps the bare figure and so flatters the ratios. Every scenario runs with
each client of `--client` (default both: httpx, and bench/http11.py's minimal HTTP/1.1
keep-alive client on asyncio streams); each ratio is to the bare endpoint under the same
client.

    python bench/api.py [--smoke] [--requests N] [--scale small|medium] [--workdir DIR]
                        [--no-postgres] [--only SCENARIO ...] [--client httpx|streams ...]

`--only "document read"` runs that scenario alone (and no upload bursts), e.g. for an A/B
of two source trees in one sitting.

Every request count and wait is bounded; the servers listen on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

# Run as a script (`python bench/api.py`), its own folder is first on the import path.
from http11 import Client, HTTPClientError, multipart

CLIENTS: Final = (16, 64)
BURSTS: Final = (50, 100)
DEADLINE: Final = 120.0  # seconds one scenario may take at most
QUIET_WAIT: Final = 90.0  # seconds a hub's start-up work is waited for at most
QUIET_CPU: Final = 0.05  # CPU seconds per second below which a hub counts as idle
BARE_APP: Final = """
from fastapi import FastAPI
app = FastAPI()
@app.get("/hello")
def hello() -> dict[str, str]:
    return {"hello": "world"}
"""
_TOKEN_LINE: Final = re.compile(r"^\s+(\S+)\s+(\S+)\s+(chk_\S+)\s*$")
_CSV_FIELDS: Final = (
    "po_number buyer_id supplier_id ship_to_site order_date line_no material_code quantity unit "
    "requested_date"
).split()

# Either client: bench/http11.py's answers the subset of httpx's interface used here.
Http = Any
Request = Callable[[Http, int], Awaitable[Any]]
CLIENT_KINDS: Final = ("streams", "httpx")


@dataclass
class Result:
    name: str
    clients: int
    count: int
    seconds: float
    latencies: list[float]
    errors: int
    # CPU seconds the server's processes used during the scenario (0.0: not measured).
    server_cpu: float = 0.0
    # CPU seconds the load generator (this process) used during the scenario.
    client_cpu: float = 0.0
    client: str = ""

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def server_us(self) -> float:
        """The server's CPU microseconds per answered request (NaN when not measured)."""
        if not self.server_cpu or not self.count:
            return float("nan")
        return self.server_cpu / self.count * 1e6

    @property
    def client_us(self) -> float:
        """The load generator's CPU microseconds per answered request."""
        return self.client_cpu / self.count * 1e6 if self.count else float("nan")

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("server did not listen within 120 s")


def _start(
    args: list[str], port: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    _wait_listening(port, process)
    return process


def _group_cpu_seconds(pgid: int) -> float:
    """CPU seconds used so far by the processes of a process group (Linux's /proc)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _measured(process: subprocess.Popen[bytes], run: Coroutine[Any, Any, Result]) -> Result:
    """`run`, with the CPU time the server's process group used meanwhile (Linux's /proc):
    steadier than requests/s on a machine others share."""
    if not Path("/proc/self/stat").exists():
        return asyncio.run(run)
    before = _group_cpu_seconds(process.pid)
    result = asyncio.run(run)
    result.server_cpu = _group_cpu_seconds(process.pid) - before
    return result


def _open_client(kind: str, base: str, clients: int) -> Http:
    """The load generator's HTTP client: httpx's, or bench/http11.py's lighter one."""
    if kind == "httpx":
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        return httpx.AsyncClient(base_url=base, timeout=60, limits=limits)
    return Client(base, limit=clients, timeout=60)


def _wait_quiet(process: subprocess.Popen[bytes]) -> None:
    """Wait (at most QUIET_WAIT s) until the served hub has finished its start-up work (its
    page warm-up and the golden master's preparation run in threads from its start): measured
    during it, the first scenario competed with them for the CPU."""
    if not Path("/proc/self/stat").exists():
        return
    started = time.monotonic()
    used = _group_cpu_seconds(process.pid)
    while time.monotonic() - started < QUIET_WAIT:
        time.sleep(1.0)
        now = _group_cpu_seconds(process.pid)
        if now - used < QUIET_CPU:
            break
        used = now
    print(f"(hub quiet after {time.monotonic() - started:.0f} s of start-up work)")


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


async def _run(
    base: str, name: str, clients: int, total: int, request: Request, kind: str = "streams"
) -> Result:
    """`total` requests by `clients` concurrent clients of the `kind` of client, within
    DEADLINE seconds; the generator's CPU time (this process's) measured meanwhile."""
    latencies: list[float] = []
    errors = 0
    numbers = itertools.count()
    cpu_before = time.process_time()

    async def client(http: Http) -> None:
        nonlocal errors
        while (n := next(numbers)) < total:
            started = time.perf_counter()
            try:
                response = await request(http, n)
                if response.status_code >= 400:
                    errors += 1
                    if errors == 1:
                        print(f"{name}: {response.status_code} {response.text[:300]}")
                else:
                    latencies.append(time.perf_counter() - started)
            except (httpx.HTTPError, HTTPClientError):
                errors += 1

    async with _open_client(kind, base, clients) as http:
        started = time.perf_counter()
        try:
            await asyncio.wait_for(
                asyncio.gather(*(client(http) for _ in range(clients))), DEADLINE
            )
        except TimeoutError:
            errors += total - len(latencies) - errors
        seconds = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_before
    return Result(
        name,
        clients,
        len(latencies),
        seconds,
        latencies,
        errors,
        client_cpu=client_cpu,
        client=kind,
    )


def _demo(workdir: Path, scale: str, db: str) -> dict[str, str]:
    """Load a demo hub into `db`, its files in `workdir`; its tokens by partner and role."""
    out = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", "from chainhub.cli.main import run; run()", "demo", "--db",
         db, "--data-dir", str(workdir / "files"), "--scale", scale, "--no-serve"],
        capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "200"},
    ).stdout  # fmt: skip
    tokens: dict[str, str] = {}
    for line in out.splitlines():
        match = _TOKEN_LINE.match(line)
        if match:
            tokens.setdefault(f"{match[1]} {match[2]}", match[3])
    return tokens


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _start_postgres(bin_dir: Path) -> tuple[str, Callable[[], None]]:
    """A throw-away PostgreSQL server on a free loopback port (run as `postgres` under root,
    which PostgreSQL refuses), its URL and how to stop it."""
    # Its own folder under the system's temporary one: `postgres` may not enter the workdir.
    base = Path(tempfile.mkdtemp(prefix="chainhub-bench-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = base / "data"
    subprocess.run(  # noqa: S603 - Debian's PostgreSQL binaries
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "chainhub", "--auth=trust",
         "-E", "UTF8", "--no-locale"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(  # noqa: S603 - Debian's PostgreSQL binaries
        [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"),
         "-w", "start", "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 "
         "-c max_connections=200"],
        check=True, capture_output=True,
    )  # fmt: skip

    def stop() -> None:
        subprocess.run(  # noqa: S603 - Debian's PostgreSQL binaries
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)

    return f"postgresql://chainhub@127.0.0.1:{port}/postgres", stop


def _hub_requests(base: str, tokens: dict[str, str]) -> dict[str, Request]:
    """The four scenarios, with what they need looked up once."""
    from chainhub.partners.service import DEMO_LEADER

    leader = next(t for k, t in tokens.items() if k.startswith(f"{DEMO_LEADER} "))
    supplier = next(t for k, t in tokens.items() if not k.startswith(("hub ", f"{DEMO_LEADER} ")))
    lead = {"Authorization": f"Bearer {leader}"}
    supply = {"Authorization": f"Bearer {supplier}"}
    page = httpx.get(
        f"{base}/api/v1/documents/purchase_order?limit=500", headers=lead, timeout=60
    ).json()["records"]
    # An order of the leader's own, so that the leader may upload its like.
    record: dict[str, Any] = next((r for r in page if r["buyer_id"] == DEMO_LEADER), page[0])
    key = f"{record['buyer_id']}|{record['po_number']}"

    async def read(http: Http, _n: int) -> Any:
        return await http.get(f"/api/v1/documents/purchase_order/{key}", headers=lead)

    async def list_page(http: Http, _n: int) -> Any:
        return await http.get("/api/v1/documents/purchase_order?limit=50", headers=lead)

    async def overview(http: Http, _n: int) -> Any:
        return await http.get("/api/v1/me/overview", headers=supply)

    async def upload(http: Http, n: int) -> Any:
        row = {**record, "po_number": f"BENCH-{time.time_ns()}-{n}"}
        csv = ",".join(_CSV_FIELDS) + "\n" + ",".join(str(row[f]) for f in _CSV_FIELDS) + "\n"
        body, content_type = multipart("file", f"po-{n}.csv", csv.encode(), "text/csv")
        return await http.post(
            "/api/v1/documents/purchase_order/upload",
            content=body,
            headers={**lead, "Content-Type": content_type},
        )

    return {"document read": read, "list page": list_page, "overview": overview, "upload": upload}


async def _hello(http: Http, _n: int) -> Any:
    return await http.get("/hello")


def _print(results: list[Result], bare: dict[tuple[str, int], float], label: str) -> None:
    print(f"\n{label}")
    print(f"{'scenario':<16}{'client':>8}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}{'× bare':>8}{'server CPU us/req':>19}"
          f"{'client CPU us/req':>19}")  # fmt: skip
    for r in results:
        rate = bare.get((r.client, r.clients))
        ratio = r.rate / rate if rate else float("nan")
        print(f"{r.name:<16}{r.client:>8}{r.clients:>8}{r.rate:>9.1f}{r.quantile(0.5):>9.1f}"
              f"{r.quantile(0.99):>9.1f}{r.errors:>8}{ratio:>8.2f}"
              f"{r.server_us:>19.0f}{r.client_us:>19.0f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--smoke", action="store_true", help="few requests, small demo")
    parser.add_argument("--requests", type=int, default=None, help="requests per scenario")
    parser.add_argument("--scale", default="small", help="demo scale")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--no-postgres", action="store_true", help="DuckDB only")
    parser.add_argument(
        "--only", action="append", default=None, help="this scenario only (repeatable)"
    )
    parser.add_argument(
        "--client",
        action="append",
        choices=CLIENT_KINDS,
        default=None,
        help="load generator's HTTP client (repeatable; default: both)",
    )
    args = parser.parse_args()
    kinds: tuple[str, ...] = tuple(args.client or CLIENT_KINDS)
    total = args.requests or (64 if args.smoke else 400)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="chainhub-bench-api-"))
    workdir.mkdir(parents=True, exist_ok=True)

    bare_port = _free_port()
    (workdir / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    bare_server = _start(
        ["-m", "uvicorn", "--app-dir", str(workdir), "--port", str(bare_port),
         "--log-level", "warning", "bare_app:app"],
        bare_port,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{bare_port}"
        bare_results = [
            _measured(bare_server, _run(base, "bare hello", c, total, _hello, kind))
            for c in CLIENTS
            for kind in kinds
        ]
    finally:
        _stop(bare_server)
    bare = {(r.client, r.clients): r.rate for r in bare_results}
    _print(bare_results, bare, "bare FastAPI on uvicorn")

    duckdb_url = f"duckdb:///{workdir / 'demo.duckdb'}"
    failures = _hub_run(workdir, args.scale, duckdb_url, 1, total, bare, args.only, kinds)
    bin_dir = _postgres_bin()
    if args.no_postgres or bin_dir is None:
        print("\nPostgreSQL: skipped" + ("" if args.no_postgres else " (no server binaries)"))
    else:
        url, stop = _start_postgres(bin_dir)
        try:
            failures += _hub_run(workdir, args.scale, url, 2, total, bare, args.only, kinds)
        finally:
            stop()
    if args.smoke and failures:
        raise SystemExit(f"{failures} requests failed or were lost")


def _hub_run(
    workdir: Path,
    scale: str,
    db: str,
    workers: int,
    total: int,
    bare: dict[tuple[str, int], float],
    only: list[str] | None = None,
    kinds: tuple[str, ...] = CLIENT_KINDS,
) -> int:
    """The scenarios (those named in `only`, else all, and then the upload bursts) against
    `chainhub serve` on a demo hub in `db`; how many requests failed or were answered but not
    stored."""
    backend = db.split(":", 1)[0]
    workdir = workdir / backend
    workdir.mkdir()
    tokens = _demo(workdir, scale, db)
    port = _free_port()
    env = {**os.environ, "CHAINHUB_DATA_DIR": str(workdir)}
    hub = _start(
        ["-c", "from chainhub.cli.main import run; run()", "serve", "--db", db,
         "--port", str(port), "--workers", str(workers)],
        port,
        env,
    )  # fmt: skip
    try:
        _wait_quiet(hub)
        base = f"http://127.0.0.1:{port}"
        scenarios = {
            name: request
            for name, request in _hub_requests(base, tokens).items()
            if only is None or name in only
        }
        results = [
            _measured(hub, _run(base, name, clients, total, request, kind))
            for clients in CLIENTS
            for name, request in scenarios.items()
            for kind in kinds
        ]
        _print(results, bare, f"chainhub serve, {backend} demo ({scale}), {workers} worker(s)")
        failures = sum(r.errors for r in results)
        for burst in BURSTS if only is None else ():
            failures += _burst(base, tokens, burst)
    finally:
        _stop(hub)
    return failures


def _burst(base: str, tokens: dict[str, str], count: int) -> int:
    """`count` uploads sent at once, each retried as a 503's Retry-After says (a client that
    behaves); then every stored one looked up. Returns the failed and the lost ones."""
    upload = _hub_requests(base, tokens)["upload"]
    answered: list[str] = []
    retries = 0

    async def send(http: Http, n: int) -> Any:
        nonlocal retries
        while True:
            response = await upload(http, n)
            if response.status_code != 503:
                break
            retries += 1
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        if response.status_code < 300:
            answered.append(response.json()["submission_id"])
        return response

    result = asyncio.run(_run(base, f"{count} at once", count, count, send))
    from chainhub.partners.service import DEMO_LEADER

    leader = next(t for k, t in tokens.items() if k.startswith(f"{DEMO_LEADER} "))
    headers = {"Authorization": f"Bearer {leader}"}
    stored = httpx.get(f"{base}/api/v1/submissions", headers=headers, timeout=60)
    known = {s["submission_id"] for s in stored.json()}
    lost = len(set(answered) - known)
    busy = count - len(answered) - result.errors
    print(f"{result.name:<16} stored {len(answered) - lost} of {count} in {result.seconds:.1f} s "
          f"({retries} retries after 503 busy), failed {result.errors}, lost {lost}, "
          f"p99 {result.quantile(0.99):.0f} ms, unanswered {busy}")  # fmt: skip
    return result.errors + lost + busy


if __name__ == "__main__":
    main()
