"""The dashboard in a real browser (Debian's chromium through Playwright): sign in with a
token as a supplier and as the OEM, and with a name and password as the OEM's admin, open the
pages, see the charts drawn by the Plotly served from the installed package, no console error,
nothing fetched from anywhere but the hub itself; a screenshot of each page is kept in the
test's tmp path."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest
import uvicorn

from chainhub.access.passwords import do_create_user
from chainhub.access.schemas import Role
from chainhub.api.deps import current_time
from chainhub.app import create_app
from chainhub.settings import Settings
from tests.api.hub import HUAYANG, JINLI, OEM, TAIHE, running_hub
from tests.schedule.plant import NOW, PLANT, load_plant
from tests.trace.build import LOT, load_build

CHROMIUM = Path("/usr/bin/chromium")
if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "haichuan admin 2026"
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
        load_plant(hub)
        # Planned when the plant's orders start, so the Gantt and its now line meet.
        hub.client.app.dependency_overrides[current_time] = lambda: NOW  # type: ignore[attr-defined]
        planned = hub.post(OEM, f"/api/v1/schedule/{PLANT}/runs", json={"seconds": 3})
        assert planned.status_code == 201, planned.text
        load_build(hub)
        with hub.engine.begin() as conn:
            do_create_user(
                conn=conn, partner_id=OEM, name="haichuan-admin", role=Role.PARTNER_ADMIN,
                password=PASSWORD,
            )  # fmt: skip
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(database_url=url, data_dir=tmp_path_factory.mktemp("data")))
    app.dependency_overrides[current_time] = lambda: NOW
    server = uvicorn.Server(
        uvicorn.Config(
            app,
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


def _token_sign_in(page: Page, token: str) -> None:
    """The login form's second option: open it, paste the token."""
    page.click("#token-sign-in summary")
    page.fill("input[name=token]", token)
    page.click("#token-form button[type=submit]")


def _exported(page: Page, table: str, tmp_path: Path) -> Path:
    """The workbook the XLSX export above `table` downloads."""
    with page.expect_download() as download:
        page.locator(table).locator("xpath=preceding-sibling::div[1]").locator(
            "button[data-export=xlsx]"
        ).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def test_the_oem_and_a_supplier_open_every_page(
    served: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

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
        _token_sign_in(page, tokens[JINLI])
        page.wait_for_selector("#cards")
        assert "jinli-motor" in page.inner_text("header")
        page.screenshot(path=tmp_path / "supplier-overview.png", full_page=True)
        supplier = [
            visit(page, "/data", "supplier-data", "#flows"),
            visit(page, "/kpis/supplier_stockout_rate", "supplier-kpi"),
            visit(page, "/materials/M004", "supplier-material", "#chart"),
            visit(page, "/quality", "supplier-quality"),
            visit(page, "/forecast", "supplier-forecast"),
            visit(page, f"/suppliers/{JINLI}?lang=zh", "supplier-scorecard-zh"),
            visit(page, "/schedule", "supplier-schedule-zh"),
            visit(page, f"/trace?lot={LOT}", "supplier-trace-zh", "#graph"),
            visit(page, "/plan", "supplier-plan-zh", "#zones"),
            # The language chosen on the scorecard stays chosen.
            visit(page, "/", "supplier-overview-zh"),
        ]
        assert "产业链绩效" in page.inner_text("h1")
        assert "M004" in supplier[0]
        for html in supplier:
            assert HUAYANG not in html and TAIHE not in html
        page.click("form[action='/logout'] button")
        assert page.url == f"{base}/login"
        _token_sign_in(page, tokens[OEM])
        page.wait_for_selector("#card-otif .main-svg")
        assert "haichuan" in page.inner_text("header")
        page.screenshot(path=tmp_path / "oem-overview-zh.png", full_page=True)
        visit(page, "/kpis/otif?lang=en", "oem-kpi", "#chart")
        # Every table exports: the workbook holds the table's rows as the page shows them.
        with page.expect_download() as download:
            page.locator("button[data-export=xlsx]").first.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".xlsx" and saved.stat().st_size > 0
        first = page.locator("main table").first
        shown = first.locator("tbody tr").first.locator("td").first.inner_text().strip()
        assert pl.read_excel(saved).row(0)[0] == shown
        # The filter bar puts its choice in the address: the KPI for one supplier.
        page.select_option("#filter-partner", HUAYANG)
        page.click("#filters button[type=submit]")
        page.wait_for_url(f"**partner={HUAYANG}**")
        partners = page.locator("#values tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.partner)"
        )
        assert partners and set(partners) == {HUAYANG}
        oem = visit(page, f"/suppliers/{HUAYANG}", "oem-scorecard", "#spark-otif")
        assert "Supplier A" not in oem and f"{JINLI} Co." in oem
        visit(page, "/kpis", "oem-catalogue")
        gantt = visit(page, "/schedule", "oem-schedule", "#gantt")
        assert "MO-HC-1" in gantt and 'id="orders"' in gantt
        page.click("button[data-view=order]")
        page.wait_for_selector("button[data-view=order][aria-pressed=true]")
        page.screenshot(path=tmp_path / "oem-schedule-by-order.png", full_page=True)
        assert "MO-HC-2" in page.inner_text("#gantt")
        visit(page, f"/trace?lot={LOT}", "oem-trace", "#graph")
        assert "huadong-trading" in page.inner_text("#lots")
        assert 'id="oee"' in visit(page, "/equipment", "oem-equipment")
        board = visit(page, "/plan", "oem-plan", "#zones")
        assert 'data-material="M001"' in board and 'data-material="M004"' in board
        # A forecast run (after the plan board, which would plan from it), drawn on its page.
        ran = page.request.post(
            f"{base}/api/v1/forecast/runs",
            headers={"Authorization": f"Bearer {tokens[OEM]}"},
            data={"horizon": 4, "windows": 1, "season": 4},
        )
        assert ran.status == 201, ran.text()
        assert 'id="value-added"' in visit(page, "/forecast", "oem-forecast", "#chart")
        # The value-added table, shown a page at a time, exports whole from the hub.
        saved = _exported(page, "#value-added", tmp_path)
        shown = page.locator("#value-added tbody tr").count()
        assert pl.read_excel(saved).height == shown
        page.click("form[action='/logout'] button")
        page.fill("input[name=name]", "haichuan-admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("#password-form button[type=submit]")
        page.wait_for_selector("#cards")
        account = visit(page, "/account", "oem-account")
        assert "haichuan-admin" in account and 'id="add-user"' in account
        assert JINLI not in page.inner_text("#users")
        material = visit(page, "/materials/M001?lang=zh", "oem-material-zh", "#supplier-chart")
        assert f"{HUAYANG} 公司" in material and f"{TAIHE} 公司" in material
        browser.close()
    assert errors == [], errors
    assert [u for u in requested if not u.startswith(base)] == []
    assert f"{base}/static/plotly/plotly.min.js" in requested
    assert len(list(tmp_path.glob("*.png"))) == 23


def test_a_supplier_uploads_a_file_and_downloads_its_row_errors(
    served: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, tokens = served
    requested: list[str] = []
    errors: list[str] = []
    bad = tmp_path / "asn.csv"
    bad.write_text(
        "shipment_number,shipper_id,receiver_id,ship_from_site,ship_to_site,ship_date,"
        "expected_delivery_date,line_no,material_code,quantity,unit,lot_number\n"
        "ASN-JL-9,jinli-motor,haichuan,jinli-ningbo,haichuan-foshan,2026-03-09,2026-03-12,"
        "10,M004,fifty,H87,JL260309C\n",
        encoding="utf-8",
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("request", lambda r: requested.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/login?lang=en")
        _token_sign_in(page, tokens[JINLI])
        page.wait_for_selector("#cards")
        page.click("header nav a[href='/upload']")
        page.select_option("select[name=document_type]", "shipment")
        page.set_input_files("input[name=file]", str(bad))
        page.click("#upload button[type=submit]")
        page.wait_for_selector("#outcome[data-status=rejected]")
        page.screenshot(path=tmp_path / "supplier-upload.png", full_page=True)
        cells = page.locator("#row-errors tbody tr").first.locator("td").all_inner_texts()
        assert cells[:4] == ["1", "quantity", "quantity", "fifty"]
        saved = _exported(page, "#row-errors", tmp_path)
        assert pl.read_excel(saved).row(0)[:4] == (1, "quantity", "quantity", "fifty")
        for path in ("/submissions", "/agreements", "/review"):
            page.goto(f"{base}{path}")
            page.screenshot(path=tmp_path / f"supplier{path.replace('/', '-')}.png", full_page=True)
            html = page.content()
            assert HUAYANG not in html and TAIHE not in html, path
        browser.close()
    assert errors == [], errors
    assert [u for u in requested if not u.startswith(base)] == []
