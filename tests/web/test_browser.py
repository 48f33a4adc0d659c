"""The dashboard in a real browser (Debian's chromium through Playwright): sign in with a
token as a supplier and as the OEM, open the pages, see the charts drawn by the Plotly served
from the installed package, no console error, nothing fetched from anywhere but the hub
itself; a screenshot of each page is kept in the test's tmp path."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from chainhub.app import create_app
from chainhub.settings import Settings
from tests.api.hub import HUAYANG, JINLI, OEM, TAIHE, running_hub

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A seeded hub served by uvicorn on a free loopback port, and its tokens."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI: apt-get install chromium")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    url = f"duckdb:///{tmp_path_factory.mktemp('browser') / 'hub.duckdb'}"
    with running_hub(url) as hub:
        tokens = dict(hub.tokens)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(database_url=url, data_dir=tmp_path_factory.mktemp("data"))),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", tokens
    server.should_exit = True
    thread.join(timeout=10)


def test_the_oem_and_a_supplier_open_every_page(
    served: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    from playwright.sync_api import Page, sync_playwright

    base, tokens = served
    requested: list[str] = []
    errors: list[str] = []

    def visit(page: Page, path: str, shot: str, drawn: str | None = None) -> str:
        page.goto(f"{base}{path}")
        if drawn is not None:
            page.wait_for_selector(f"{drawn} .main-svg")
        page.screenshot(path=tmp_path / f"{shot}.png", full_page=True)
        return page.content()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("request", lambda r: requested.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/")
        assert page.url == f"{base}/login"
        page.fill("input[name=token]", tokens[JINLI])
        page.click("button[type=submit]")
        page.wait_for_selector("#cards")
        assert "jinli-motor" in page.inner_text("header")
        page.screenshot(path=tmp_path / "supplier-overview.png", full_page=True)
        supplier = [
            visit(page, "/data", "supplier-data", "#flows"),
            visit(page, "/kpis/supplier_stockout_rate", "supplier-kpi"),
            visit(page, "/materials/M004", "supplier-material", "#chart"),
            visit(page, "/quality", "supplier-quality"),
            visit(page, f"/suppliers/{JINLI}?lang=zh", "supplier-scorecard-zh"),
            # The language chosen on the scorecard stays chosen.
            visit(page, "/", "supplier-overview-zh"),
        ]
        assert "产业链绩效" in page.inner_text("h1")
        assert "M004" in supplier[0]
        for html in supplier:
            assert HUAYANG not in html and TAIHE not in html
        page.click("form[action='/logout'] button")
        assert page.url == f"{base}/login"
        page.fill("input[name=token]", tokens[OEM])
        page.click("button[type=submit]")
        page.wait_for_selector("#card-otif .main-svg")
        assert "haichuan" in page.inner_text("header")
        page.screenshot(path=tmp_path / "oem-overview-zh.png", full_page=True)
        visit(page, "/kpis/otif?lang=en", "oem-kpi", "#chart")
        oem = visit(page, f"/suppliers/{HUAYANG}", "oem-scorecard", "#spark-otif")
        assert "Supplier A" not in oem and f"{JINLI} Co." in oem
        visit(page, "/kpis", "oem-catalogue")
        material = visit(page, "/materials/M001?lang=zh", "oem-material-zh", "#supplier-chart")
        assert f"{HUAYANG} 公司" in material and f"{TAIHE} 公司" in material
        browser.close()
    assert errors == [], errors
    assert [u for u in requested if not u.startswith(base)] == []
    assert f"{base}/static/plotly/plotly.min.js" in requested
    assert len(list(tmp_path.glob("*.png"))) == 12
