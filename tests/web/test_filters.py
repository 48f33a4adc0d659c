"""The filter bar's parameters: months and days, refusals with their message, shared links."""

from __future__ import annotations

from datetime import date

from chainhub.web.filters import parse_filters
from chainhub.web.session import login_url, safe_next

PARTNERS = [("haichuan", "Haichuan"), ("jinli-motor", "Jinli Motor")]


def test_a_month_range_covers_whole_months_and_the_link_keeps_it() -> None:
    found = parse_filters(
        {"from": "2026-02", "to": "2026-03", "partner": "jinli-motor", "material": "M004"},
        PARTNERS,
        "en",
    )
    assert (found.start, found.end) == (date(2026, 2, 1), date(2026, 3, 31))
    assert (found.partner, found.material, found.site, found.errors) == (
        "jinli-motor", "M004", None, []
    )  # fmt: skip
    assert found.query() == "from=2026-02-01&to=2026-03-31&partner=jinli-motor&material=M004"
    assert found.query(leave_out=("partner", "from")) == "to=2026-03-31&material=M004"


def test_an_unusable_filter_is_left_out_with_its_message() -> None:
    found = parse_filters(
        {"from": "2026-04-01", "to": "2026-01-31", "partner": "taihe-kessler",
         "site": "<script>", "material": "M001"},
        PARTNERS,
        "zh",
    )  # fmt: skip
    assert (found.start, found.end, found.partner, found.site) == (None, None, None, None)
    assert found.material == "M001"
    assert found.errors == [
        "期间 2026-04-01 至 2026-01-31 的开始晚于结束，已忽略。",
        "'taihe-kessler' 不是可筛选的伙伴，已忽略伙伴筛选。",
        "'<script>' 不是有效代码（字母、数字、. - / 与空格，最多 64 个字符），已忽略。",
    ]
    assert parse_filters({"to": "2026-13"}, PARTNERS, "en").errors == [
        "The date '2026-13' is not a date (YYYY-MM-DD or YYYY-MM); it was left out."
    ]


def test_sign_in_leads_back_only_to_a_page_of_the_hub() -> None:
    assert login_url("/kpis/otif?from=2026-03") == "/login?next=/kpis/otif%3Ffrom%3D2026-03"
    assert login_url("/") == "/login"
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example", ""):
        assert safe_next(elsewhere) == "/"
