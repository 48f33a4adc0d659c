"""A supplier's file with codes the hub has no crosswalk for: rejected, reviewed, then stored."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from chainhub.intake.readers import SOURCE_ROW, read_source
from chainhub.intake.schemas import CodeStatus, MappingProfile, load_profile
from chainhub.intake.service import do_submit
from chainhub.masterdata.chain_model import AUTO_ACCEPT_THRESHOLD
from chainhub.masterdata.service import (
    do_accept_match,
    do_suggest_matches,
    list_suggestions,
    list_unknown_codes,
)
from chainhub.standard.registry import DOCUMENT_TYPES
from tests.support import SmallChain, submitter

SUPPLIER = "huayang-compressor"
DROPPED = {"MAT01": "M001", "MAT02": "M002", "MAT03": "M003"}
SHIPMENT = f"partners/{SUPPLIER}/shipment_2025-07.xlsx"


def _without_dropped_rows(path: Path, profile: MappingProfile, out: Path) -> Path:
    """The OEM's crosswalk file as written, less the supplier's rows for the dropped codes."""
    partner = profile.fields["partner_id"].map or {}
    numbers = {word for word, pid in partner.items() if pid == SUPPLIER}
    columns = profile.fields["partner_id"].column, profile.fields["partner_material_code"].column
    frame = read_source(path, profile.source).drop(SOURCE_ROW)
    kept = frame.filter(~(pl.col(columns[0]).is_in(numbers) & pl.col(columns[1]).is_in(DROPPED)))
    assert frame.height - kept.height == len(DROPPED)
    kept.write_csv(out, separator=profile.source.delimiter)
    return out


def _load_master_data(engine: sa.Engine, chain: SmallChain, tmp_path: Path) -> None:
    """Every master-data file of the chain through the intake path, the crosswalk cut short."""
    for sub in chain.manifest["submissions"]:
        if not DOCUMENT_TYPES[sub["document_type"]].master:
            continue
        path = chain.root / sub["file"]
        profile = load_profile(chain.root / sub["profile"])
        if sub["document_type"] == "material_crosswalk":
            path = _without_dropped_rows(path, profile, tmp_path / path.name)
        with engine.begin() as conn:
            result = do_submit(
                conn=conn, path=path, profile=profile, submitter=submitter(sub["partner_id"])
            )
        assert result.status == "stored", sub["file"]


def test_unknown_codes_are_suggested_accepted_and_the_file_then_stored(
    engine: sa.Engine, small_chain: SmallChain, tmp_path: Path
) -> None:
    _load_master_data(engine, small_chain, tmp_path)
    path = small_chain.root / SHIPMENT
    profile = load_profile(small_chain.root / f"profiles/{SUPPLIER}/shipment.yaml")
    assert (profile.fields["material_code"].column, profile.material_description) == (
        "物料编码",
        "物料名称",
    )
    source = read_source(path, profile.source)
    with engine.begin() as conn:
        rejected = do_submit(conn=conn, path=path, profile=profile, submitter=submitter(SUPPLIER))
    assert rejected.status == "rejected" and rejected.validation is not None
    errors = rejected.validation.errors
    assert errors["rule"].unique().to_list() == ["crosswalk"]
    assert sorted(errors["row"].to_list()) == source[SOURCE_ROW].to_list()
    assert dict(errors.select("row", "value").iter_rows()) == dict(
        source.select(SOURCE_ROW, "物料编码").iter_rows()
    )

    with (small_chain.root / "ground_truth" / "crosswalk.csv").open(encoding="utf-8") as fh:
        truth = {
            r["partner_material_code"]: r for r in csv.DictReader(fh) if r["partner_id"] == SUPPLIER
        }
    with engine.begin() as conn:
        unknown = list_unknown_codes(conn=conn, partner_id=SUPPLIER)
        assert do_suggest_matches(conn=conn, partner_id=SUPPLIER) == len(DROPPED)
        best = {
            s.partner_material_code: s
            for s in list_suggestions(conn=conn, partner_id=SUPPLIER)
            if s.rank == 1
        }
    occurrences = dict(source["物料编码"].value_counts().iter_rows())
    assert {c.partner_material_code: (c.description, c.unit, c.occurrences) for c in unknown} == {
        code: (truth[code]["description"], "个", occurrences[code]) for code in DROPPED
    }
    assert [c.description for c in sorted(unknown, key=lambda c: c.partner_material_code)] == [
        "压缩机总成 QX-1.5P 1.5P 冷媒R32",
        "压缩机总成 QX-3P 3P 冷媒R32",
        "活塞式压缩机　ＲＦ－１２０Ｗ（Ｒ６００ａ）",
    ]
    assert {code: s.material_code for code, s in best.items()} == DROPPED
    # The supplier states a description and a unit: the golden category is stated on one side
    # only, never counted against the match; the spec agrees where its model number is quoted,
    # and the typed specifications both state (匹, refrigerant) agree by value.
    assert {code: (s.agreed, s.disagreed, s.missing) for code, s in best.items()} == {
        "MAT01": (["name", "unit", "horsepower", "refrigerant"], [], ["category", "spec"]),
        "MAT02": (["name", "unit", "horsepower", "refrigerant"], [], ["category", "spec"]),
        "MAT03": (["name", "spec", "unit", "refrigerant"], [], ["category"]),
    }
    assert best["MAT03"].reasons == [
        "name agrees", "spec agrees", "unit agrees", "refrigerant agrees",
        "category stated on one side only",
    ]  # fmt: skip
    assert all(s.confidence >= AUTO_ACCEPT_THRESHOLD for s in best.values())

    with engine.begin() as conn:
        for code, material in DROPPED.items():
            do_accept_match(
                conn=conn,
                partner_id=SUPPLIER,
                partner_material_code=code,
                material_code=material,
                decided_by="li.wei",
            )
        stored = do_submit(conn=conn, path=path, profile=profile, submitter=submitter(SUPPLIER))
        mapped = list_unknown_codes(conn=conn, partner_id=SUPPLIER, status=CodeStatus.MAPPED)
    assert (stored.status, stored.stored_rows) == ("stored", source.height)
    assert {c.partner_material_code: c.material_code for c in mapped} == DROPPED
