"""Dashboard pages: token login in a strict cookie, and only the caller's slice on show."""

from __future__ import annotations

import re

from tests.api.hub import HUADONG, JINLI, OEM, Hub


def _counts(html: str) -> dict[str, int]:
    rows = re.findall(r'<span class="muted">(\w+)</span></td><td class="num">([\d,]+)</td>', html)
    return {name: int(count.replace(",", "")) for name, count in rows}


def _login(hub: Hub, who: str) -> None:
    response = hub.client.post("/login", data={"token": hub.tokens[who]}, follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


def test_the_dashboard_asks_for_a_token(hub: Hub) -> None:
    response = hub.client.get("/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert 'name="token"' in hub.client.get("/login").text
    refused = hub.client.post("/login", data={"token": "chk_nope_nope"})
    assert refused.status_code == 401
    assert "The token is unknown, expired or revoked." in refused.text


def test_a_supplier_sees_its_slice_and_the_oem_sees_all(hub: Hub) -> None:
    _login(hub, JINLI)
    supplier = hub.client.get("/")
    assert supplier.status_code == 200
    counts = _counts(supplier.text)
    assert (counts["purchase_order"], counts["sales_order"], counts["shipment"]) == (1, 0, 1)
    assert (counts["inventory_snapshot"], counts["partner"]) == (2, 5)
    assert "M004" in supplier.text and 'id="overview"' in supplier.text
    hub.client.post("/logout")
    assert hub.client.get("/", follow_redirects=False).status_code == 303
    _login(hub, OEM)
    counts = _counts(hub.client.get("/").text)
    assert (counts["purchase_order"], counts["sales_order"], counts["shipment"]) == (5, 1, 1)


def test_a_distributor_sees_no_purchase_orders(hub: Hub) -> None:
    _login(hub, HUADONG)
    counts = _counts(hub.client.get("/?lang=zh").text)
    assert (counts["purchase_order"], counts["sales_order"]) == (0, 1)
