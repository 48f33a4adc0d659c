"""The output layout other code depends on: manifest, files, profiles, ground truth."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime

import polars as pl

from chainhub.intake.schemas import load_profile
from chainhub.sim.catalog import NAMED_PARTNERS, OEM_ID
from chainhub.sim.writer import LOAD_ORDER
from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.standard.version import STANDARD_VERSION

from .conftest import SEED, SmallChain

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def test_manifest_header(small_chain: SmallChain) -> None:
    m = small_chain.manifest
    assert list(m) == ["seed", "scale", "standard_version", "generated_at", "submissions"]
    assert (m["seed"], m["scale"], m["standard_version"]) == (SEED, "small", STANDARD_VERSION)
    assert m["generated_at"] == "2026-06-30T18:00:00+08:00"
    assert datetime.fromisoformat(m["generated_at"]).utcoffset() is not None


def test_submissions_in_load_order_and_files_exist(small_chain: SmallChain) -> None:
    subs = small_chain.manifest["submissions"]
    ranks = [LOAD_ORDER.index(s["document_type"]) for s in subs]
    assert ranks == sorted(ranks)
    masters = [s for s in subs if DOCUMENT_TYPES[s["document_type"]].master]
    assert {s["partner_id"] for s in masters} == {OEM_ID}
    assert [s["document_type"] for s in masters] == list(LOAD_ORDER[:7])
    for s in subs:
        assert set(s) == {"partner_id", "document_type", "file", "profile", "rows", "sent_at"}
        assert s["file"].startswith(f"partners/{s['partner_id']}/")
        assert s["profile"] == f"profiles/{s['partner_id']}/{s['document_type']}.yaml"
        assert (small_chain.root / s["file"]).is_file()
        profile = load_profile(small_chain.root / s["profile"])
        assert (profile.partner_id, profile.document_type) == (s["partner_id"], s["document_type"])


def test_each_file_is_sent_by_its_partners_habit_after_what_it_reports(
    small_chain: SmallChain,
) -> None:
    subs = small_chain.manifest["submissions"]
    sent = {s["file"]: datetime.fromisoformat(s["sent_at"]) for s in subs}
    assert all(at.utcoffset() is not None for at in sent.values())
    masters = {sent[s["file"]] for s in subs if DOCUMENT_TYPES[s["document_type"]].master}
    assert masters == {datetime.fromisoformat("2025-06-30T17:30:00+08:00")}
    habits = {partner: set(lags) for partner, lags in small_chain.send_lags().items()}
    # A file goes out a fixed number of days after its newest document, by its partner's habit
    # (a month's orders after the month's last order, a whole year's after the year's last).
    assert all(len(h) == 1 and 0 <= min(h) <= 12 for h in habits.values()), habits
    days = sorted(min(h) for h in habits.values())
    # Most partners send within a day; the laggards days later.
    assert sum(d <= 1 for d in days) >= 0.6 * len(days)
    assert days[-1] >= 3 and len(set(days)) > 3, days


def test_rows_match_ground_truth(small_chain: SmallChain) -> None:
    for doc_type in DOCUMENT_TYPES:
        counts = dict(small_chain.truth(doc_type).group_by("source_file").len().iter_rows())
        listed = {
            s["file"]: s["rows"]
            for s in small_chain.manifest["submissions"]
            if s["document_type"] == doc_type
        }
        assert counts == listed
    assert sum(small_chain.summary.rows.values()) == sum(
        s["rows"] for s in small_chain.manifest["submissions"]
    )


def test_named_partners_and_ids(small_chain: SmallChain) -> None:
    partners = small_chain.truth("partner")
    assert partners["partner_id"].to_list() == list(NAMED_PARTNERS)
    assert partners.filter(pl.col("tier") == 1)["roles"].list.first().value_counts(
        sort=True
    ).rows() == [("supplier", 12), ("distributor", 5)]
    assert partners.filter(pl.col("tier") == 2).height == 8
    sites = small_chain.truth("site")
    assert {"haichuan-foshan", "haichuan-hefei"} <= set(sites["site_id"])
    assert all(_ID.match(x) for x in [*partners["partner_id"], *sites["site_id"]])
    assert (
        sites.filter(pl.col("site_id") == "haichuan-hefei").row(0, named=True)["province"] == "安徽"
    )


def test_ground_truth_files(small_chain: SmallChain) -> None:
    gt = small_chain.root / "ground_truth"
    mapping = json.loads((gt / "mapping.json").read_text("utf-8"))
    assert mapping["jinli-motor"]["shipment"]["encoding"] == "gbk"
    assert mapping["jinli-motor"]["shipment"]["columns"]["material_code"] == "存货编码"
    assert mapping["haichuan"]["purchase_order"]["columns"]["po_number"] == "EBELN"
    with (gt / "crosswalk.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {
        "partner_id": "zhongci-magnet",
        "partner_material_code": "ZC-0001",
        "material_code": "R107",
        "partner_unit": "g",
        "units_per_partner_unit": "0.001",
        "description": "烧结钕铁硼 N35 镀锌",
    } in rows
    assert len(rows) == small_chain.truth("material_crosswalk").height
    with (gt / "order_outcomes.csv").open(encoding="utf-8") as fh:
        outcomes = list(csv.DictReader(fh))
    assert {o["outcome"] for o in outcomes} == {
        "delivered",
        "partially_delivered",
        "late",
        "cancelled",
    }
    assert all(o["reason"] for o in outcomes)


def test_ground_truth_names_the_days_promotions_and_holidays_move_demand(
    small_chain: SmallChain,
) -> None:
    with (small_chain.root / "ground_truth" / "demand_events.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    days: dict[str, int] = {}
    for row in rows:
        days[row["event"]] = days.get(row["event"], 0) + 1
    # A year from 1 July 2025: 国庆 2025, 双11 2025, 春节 2026 (初一 17 February: the dip
    # from 10 to 26 February, the lunar dates the forecast's regressors follow), 618 2026.
    assert days == {
        "national_day": 7,
        "1111": 9,
        "1111_peak": 2,
        "spring_festival": 17,
        "618": 15,
        "618_peak": 3,
    }
    assert {"date": "2026-06-18", "event": "618_peak", "factor": "3.0"} in rows
    spring = [r["date"] for r in rows if r["event"] == "spring_festival"]
    assert (spring[0], spring[-1]) == ("2026-02-10", "2026-02-26")
