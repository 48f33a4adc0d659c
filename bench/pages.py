"""Dashboard pages' server time: every page of the demo hub, signed in as the hub admin, the
chain leader and a supplier, requested one after another in process (no network between), next
to a bare FastAPI + Jinja2 page of the same frame (the framework's floor). Prints p50 and p95
per page and role, the ratio of each p95 to the floor's, and the pages over the 300 ms target.

A served hub prepares its pages (routes, templates, the dashboard's KPIs) in a thread from its
start; the bench waits for it (and says how long it took) unless `--no-wait`, and `--unserved`
builds the hub as tests do, each page preparing what it needs on its first view.
`--roles supplier,leader,hub` measures the supplier first, so its first views are those of a
fresh process.

    python bench/pages.py [--smoke] [--scale small|medium] [--requests N] [--workdir DIR]
        [--db DEMO.duckdb] [--roles hub,leader,supplier] [--unserved] [--no-wait]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Final

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from fastapi.testclient import TestClient

TARGET_MS: Final = 300.0
_TOKEN_LINE: Final = re.compile(r"^\s+(\S+)\s+(\S+)\s+(chk_\S+)\s*$")
_FLOOR_PAGE: Final = """<!doctype html><html><head><title>{{ title }}</title></head><body>
<header>{% for link in links %}<a href="{{ link }}">{{ link }}</a>{% endfor %}</header>
<main><table>{% for row in rows %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td></tr>
{% endfor %}</table></main></body></html>"""


def _demo(workdir: Path, scale: str) -> tuple[Path, dict[str, str]]:
    """A demo hub and the tokens it printed, by partner (`hub` for the hub admin)."""
    db = workdir / "demo.duckdb"
    out = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", "from chainhub.cli.main import run; run()", "demo", "--db",
         str(db), "--data-dir", str(workdir / "files"), "--scale", scale, "--no-serve"],
        capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "200"},
    ).stdout  # fmt: skip
    tokens: dict[str, str] = {}
    for line in out.splitlines():
        match = _TOKEN_LINE.match(line)
        if match:
            tokens.setdefault(match[1], match[3])
    return db, tokens


def _floor_app(workdir: Path) -> FastAPI:
    """A bare FastAPI app rendering a Jinja2 table page: what any page costs at least."""
    (workdir / "floor").mkdir(exist_ok=True)
    (workdir / "floor" / "page.html").write_text(_FLOOR_PAGE, encoding="utf-8")
    templates = Jinja2Templates(directory=workdir / "floor")
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        rows = [(f"M{i:03}", f"{i * 1234.5:,.1f}") for i in range(40)]
        return templates.TemplateResponse(
            request, "page.html", {"title": "floor", "links": ["/", "/a"], "rows": rows}
        )

    return app


def _times(get: Callable[[], int], requests: int) -> tuple[float, list[float], int]:
    """Milliseconds of a first call, then of `requests` more in sequence, and the last status."""
    found = []
    for _ in range(requests + 1):
        started = time.perf_counter()
        status = get()
        found.append((time.perf_counter() - started) * 1000)
    return found[0], found[1:], status


def _page(client: TestClient, path: str, token: str) -> Callable[[], int]:
    headers = {"Authorization": f"Bearer {token}"}
    return lambda: client.get(path, headers=headers).status_code


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _pages(leader: str, supplier: str) -> dict[str, list[str]]:
    """The pages each role opens (a supplier's supplier list is a redirect to its own card)."""
    shared = [
        "/", "/kpis", "/kpis/otif", "/kpis/inventory_turnover_days", "/data", "/schedule",
        "/trace", "/materials", "/quality", "/account", "/upload", "/submissions", "/agreements",
        "/review", "/forecast",
    ]  # fmt: skip
    return {
        "hub": [*shared, "/suppliers", f"/suppliers/{supplier}", "/audit"],
        leader: [*shared, "/suppliers", f"/suppliers/{supplier}"],
        supplier: [*shared, f"/suppliers/{supplier}"],
    }


def _issued(db: Path) -> dict[str, str]:
    """Fresh demo tokens for a demo hub built before, by partner (`hub` for the hub admin)."""
    from chainhub.partners.service import do_issue_demo_tokens
    from chainhub.storage.engine import create_engine_for

    engine = create_engine_for(f"duckdb:///{db}")
    with engine.begin() as conn:
        issued = do_issue_demo_tokens(conn=conn)
    engine.dispose()
    return {t.partner_id or "hub": t.token for t in issued}


def _warmed(app: FastAPI) -> None:
    """Wait for a served hub's warm-up thread and say what it did."""
    warmup = app.state.warmup
    # Each supplier's own pages come last: at medium scale on a loaded machine, minutes.
    if not warmup.wait(timeout=900):
        raise SystemExit("the hub's warm-up did not finish within 900 s")
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in warmup.steps.items())
    print(f"warm-up done in {warmup.seconds:.1f} s after the hub's start ({steps}; "
          f"{warmup.kpis_compiled} KPI queries compiled, {warmup.kpis_run} run, "
          f"{warmup.suppliers_read} suppliers' pages read)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--smoke", action="store_true", help="3 requests per page, small demo")
    parser.add_argument("--requests", type=int, default=None, help="requests per page and role")
    parser.add_argument("--scale", default="small", help="demo scale: small or medium")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--db", type=Path, default=None, help="a demo hub built before, reused")
    parser.add_argument(
        "--roles", default="hub,leader,supplier", help="roles in the order measured (the first "
        "one's first views are a fresh process's)",
    )  # fmt: skip
    parser.add_argument(
        "--unserved", action="store_true", help="the hub as tests build it: no warm-up",
    )  # fmt: skip
    parser.add_argument(
        "--no-wait", action="store_true", help="do not wait for the warm-up",
    )  # fmt: skip
    args = parser.parse_args()
    requests = args.requests or (3 if args.smoke else 20)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="chainhub-bench-pages-"))
    workdir.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    from chainhub.app import create_app
    from chainhub.partners.service import DEMO_LEADER
    from chainhub.settings import Settings

    with TestClient(_floor_app(workdir)) as floor_client:
        _, floor, _ = _times(lambda: floor_client.get("/").status_code, max(requests, 20))
    floor_p95 = _p95(floor)

    started = time.perf_counter()
    if args.db is None:
        db, tokens = _demo(workdir, args.scale)
        print(f"demo hub ({args.scale}) built in {time.perf_counter() - started:.0f} s")
    else:
        db, tokens = args.db, _issued(args.db)
        print(f"demo hub {db} reused")
    supplier = next(p for p in tokens if p not in ("hub", DEMO_LEADER))
    pages = _pages(DEMO_LEADER, supplier)
    named = {"hub": "hub", "leader": DEMO_LEADER, "supplier": supplier}
    order = [named[role] for role in args.roles.split(",")]
    settings = Settings(database_url=f"duckdb:///{db}", data_dir=workdir / "data")
    app = create_app(settings, served=not args.unserved)
    with TestClient(app) as client:
        if not args.unserved and not args.no_wait:
            _warmed(app)
        _measure(client, {role: pages[role] for role in order}, tokens, requests, floor_p95,
                 floor)  # fmt: skip
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _measure(
    client: TestClient,
    pages: dict[str, list[str]],
    tokens: dict[str, str],
    requests: int,
    floor_p95: float,
    floor: list[float],
) -> None:
    """Time every page of every role, print the table and the summary."""
    print(f"\n{'role':<20}{'page':<36}{'status':>7}{'first ms':>10}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'× floor':>9}")  # fmt: skip
    print(f"{'(floor)':<20}{'bare FastAPI + Jinja2':<36}{200:>7}{'':>10}"
          f"{statistics.median(floor):>9.1f}{floor_p95:>9.1f}{1.0:>9.1f}")  # fmt: skip
    over: list[str] = []
    every: list[float] = []
    firsts: list[float] = []
    roles: dict[str, tuple[list[float], list[float]]] = {}
    for role, paths in pages.items():
        for path in [*paths, "/materials/"]:
            if path == "/materials/":
                # A material the role sees, from its (already timed) list.
                listed = client.get(
                    "/materials", headers={"Authorization": f"Bearer {tokens[role]}"}
                )
                material = re.search(r'href="(/materials/[^"?]+)"', listed.text)
                if material is None:
                    continue
                path = material[1]
            first, found, status = _times(_page(client, path, tokens[role]), requests)
            every.extend(found)
            firsts.append(first)
            roles.setdefault(role, ([], []))[0].append(first)
            roles[role][1].extend(found)
            p95 = _p95(found)
            p50 = statistics.median(found)
            print(f"{role:<20}{path:<36}{status:>7}{first:>10.1f}{p50:>9.1f}{p95:>9.1f}"
                  f"{p95 / floor_p95:>9.1f}")  # fmt: skip
            if status != 200:
                raise SystemExit(f"{role} {path}: HTTP {status}")
            if max(p95, first) > TARGET_MS:
                over.append(f"{role} {path} (first {first:.0f} ms, p95 {p95:.0f} ms)")
    # A page's first view computes its KPIs; later views until the next submission reuse them.
    print(f"\nall pages: p95 {_p95(every):.1f} ms over {len(every)} repeated requests, "
          f"first views p95 {_p95(firsts):.1f} ms (max {max(firsts):.1f}); "
          f"target ≤ {TARGET_MS:.0f} ms per page")  # fmt: skip
    for role, (role_firsts, repeated) in roles.items():
        print(f"{role}: first views p95 {_p95(role_firsts):.1f} ms (max {max(role_firsts):.1f}), "
              f"repeated p95 {_p95(repeated):.1f} ms over {len(role_firsts)} pages")  # fmt: skip
    print("over target: " + (", ".join(over) if over else "none"))


if __name__ == "__main__":
    main()
