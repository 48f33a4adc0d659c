"""The dashboard in a real browser (Debian's chromium through Playwright): sign in with a
token, see the chart drawn by the Plotly served from the installed package, and nothing
fetched from anywhere but the hub itself."""

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
from tests.api.hub import JINLI, OEM, running_hub

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


def test_a_supplier_signs_in_and_sees_its_dashboard(
    served: tuple[str, dict[str, str]],
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = served
    requested: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/")
        assert page.url == f"{base}/login"
        page.fill("input[name=token]", tokens[JINLI])
        page.click("button[type=submit]")
        page.wait_for_selector("#flows .main-svg")
        assert "jinli-motor" in page.inner_text("header")
        assert "M004" in page.inner_text("#overview")
        page.goto(f"{base}/?lang=zh")
        assert "产业链总览" in page.inner_text("h1")
        page.click("form[action='/logout'] button")
        assert page.url == f"{base}/login"
        page.fill("input[name=token]", tokens[OEM])
        page.click("button[type=submit]")
        page.wait_for_selector("#flows .main-svg")
        assert "haichuan" in page.inner_text("header")
        browser.close()
    assert errors == []
    assert [u for u in requested if not u.startswith(base)] == []
    assert f"{base}/static/plotly/plotly.min.js" in requested
