"""The audit-log page: the hub admin's only; the chain's verification on top, then the entries,
newest first, filtered by partner and day."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from chainhub.access.models import audit_log
from chainhub.web import admin_pages
from tests.api.hub import JINLI, OEM, Hub


def _rows(html: str) -> list[list[str]]:
    body = html[html.index('<table id="audit"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]


def test_the_audit_log_is_refused_to_everyone_but_the_hub_admin(hub: Hub) -> None:
    for who in (JINLI, OEM, "jinli-analyst"):
        refused = hub.get(who, "/audit?lang=en")
        assert refused.status_code == 403, who
        assert "only the hub admin may do this" in refused.text
        assert '<table id="audit"' not in refused.text and 'href="/audit"' not in refused.text
    zh = hub.get(JINLI, "/audit?lang=zh")
    assert zh.status_code == 403 and "只有枢纽管理员可以执行此操作" in zh.text
    assert 'href="/audit"' in hub.get("admin", "/?lang=en").text


def test_the_hub_admin_sees_the_entries_and_the_chain_verified(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_pages, "PAGE_SIZE", 10)
    hub.get(JINLI, "/audit")  # a refusal is on record too
    with hub.engine.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(audit_log.c.seq))).scalar_one()
    # The page's own entry is written after it is answered.
    shown = hub.get("admin", "/audit?lang=en")
    assert shown.status_code == 200
    assert 'data-ok="true"' in shown.text
    assert f"The audit chain is intact: {last} entries verified" in shown.text
    # No checkpoint yet in the hub's data dir: every entry lies after the last one.
    assert f"{last} entries lie after the last signed checkpoint." in shown.text
    first = [int(r[0]) for r in _rows(shown.text)]
    assert first == list(range(last, last - 10, -1)) and 'rel="next"' in shown.text
    second = _rows(hub.get("admin", "/audit?page=2&lang=en").text)
    # One entry more (the first page's) pushes the second page down by one.
    assert [int(r[0]) for r in second] == list(range(last - 9, last - 19, -1))
    mine = _rows(hub.get("admin", f"/audit?partner={JINLI}&lang=en").text)
    assert mine and {r[2] for r in mine} == {f"{JINLI} Co."}
    assert mine[0][5:] == ["GET /audit", "403", "forbidden", "/audit"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d", mine[0][1])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert _rows(hub.get("admin", f"/audit?from={tomorrow}&lang=en").text) == [["No entries."]]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert _rows(hub.get("admin", f"/audit?to={yesterday}&lang=en").text) == [["No entries."]]
    today = datetime.now(UTC).date().isoformat()
    assert len(_rows(hub.get("admin", f"/audit?from={today}&to={today}&lang=en").text)) == 10


def test_a_rewritten_entry_shows_as_a_broken_chain(hub: Hub) -> None:
    with hub.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 3).values(outcome="ok, honest"))
    broken = hub.get("admin", "/audit?lang=zh")
    assert 'data-ok="false"' in broken.text
    assert "审计链在序号 3 处断裂（此前 2 条校验通过）" in broken.text


def test_a_view_goes_on_from_the_last_pass_and_the_whole_chain_on_demand(hub: Hub) -> None:
    whole = hub.get("admin", "/audit?lang=en")
    assert "The whole chain was recomputed from its first entry now." in whole.text
    assert 'href="/audit?verify=all"' in whole.text
    with hub.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 3).values(outcome="ok, honest"))
    # Only the entries after the last pass are recomputed (its own entry and this view's), and
    # the page says when the whole chain last was.
    after = hub.get("admin", "/audit?lang=en")
    assert 'data-ok="true"' in after.text
    assert re.search(
        r"last recomputed from its first entry at .+; entries since then, recomputed now: 1\.",
        after.text,
    )
    asked = hub.get("admin", "/audit?verify=all&lang=zh")
    assert 'data-ok="false"' in asked.text and "审计链在序号 3 处断裂" in asked.text
    assert 'data-ok="false"' in hub.get("admin", "/audit?lang=en").text
    bad = hub.get("admin", "/audit?verify=some&lang=en")
    assert bad.status_code == 422 and "verify" in bad.text
