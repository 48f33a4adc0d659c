"""Partners describe materials in their own words: in their files, profiles and the crosswalk."""

from __future__ import annotations

import csv
import json
import unicodedata
from datetime import date

import polars as pl

from chainhub.intake.readers import read_source
from chainhub.intake.schemas import load_profile
from chainhub.sim.catalog import MATERIALS
from chainhub.sim.chain import build_chain

from .conftest import SEED, SmallChain


def _crosswalk(chain: SmallChain) -> list[dict[str, str]]:
    with (chain.root / "ground_truth" / "crosswalk.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _bare(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "")


def test_every_partner_code_has_its_own_description(small_chain: SmallChain) -> None:
    rows = _crosswalk(small_chain)
    golden = {m.code: m for m in MATERIALS}
    assert len(rows) == 103
    assert all(r["description"].strip() for r in rows)
    same = [
        (r["partner_id"], r["partner_material_code"])
        for r in rows
        if _bare(r["description"])
        in {_bare(golden[r["material_code"]].name_zh), _bare(golden[r["material_code"]].name_en)}
    ]
    # Only one SAP short text happens to be the golden English name in capitals.
    assert same == [("kaida-valve", "10-00233")]
    # Partners that buy the same material name it differently.
    r101 = {r["partner_id"]: r["description"] for r in rows if r["material_code"] == "R101"}
    assert len(set(r101.values())) >= 4
    examples = {(r["partner_id"], r["partner_material_code"]): r["description"] for r in rows}
    assert examples[("huayang-compressor", "MAT01")] == "压缩机总成 QX-1.5P 1.5P 冷媒R32"
    assert examples[("taihe-kessler", "10-00231")] == "ROTARY COPMRESSOR QX1,5P 1,5HP"
    assert examples[("xinrui-electronics", "XR-0001")] == (
        "Inverter control PCBA PCB-AC-V3 rev 3.2"
    )
    assert examples[("meiyu-plastics", "01000004")] == "ＡＢＳ塑胶原料７５７本色（ＲｏＨＳ）"


def test_files_carry_the_description_column_of_their_dialect(small_chain: SmallChain) -> None:
    mapping = json.loads((small_chain.root / "ground_truth" / "mapping.json").read_text("utf-8"))
    described = {
        (spec["dialect"], doc_type): spec["columns"].get("material_description")
        for partner, per_type in mapping.items()
        if partner != "haichuan"
        for doc_type, spec in per_type.items()
        # A capacity group and purchasing terms name the customer's golden material, so they
        # describe none.
        if doc_type not in ("capacity_group", "purchasing_terms")
    }
    assert {c for (d, _), c in described.items() if d == "sap_de"} == {"MAKTX", "TXZ01", "ARKTX"}
    assert described[("sap_s4", "shipment")] == "ARKTX"
    assert {c for (d, _), c in described.items() if d == "kingdee_xlsx"} == {"物料名称"}
    assert {c for (d, _), c in described.items() if d == "u8_xlsx"} == {"存货名称"}
    assert {c for (d, _), c in described.items() if d == "yonyou_gbk"} == {"存货名称"}
    assert {c for (d, _), c in described.items() if d == "excel_zh_csv"} == {"物料描述"}
    assert {c for (d, _), c in described.items() if d == "legacy_gb18030"} == {"物料描述"}
    assert {c for (d, _), c in described.items() if d == "english_tab"} == {"Description"}
    assert all(
        "material_description" not in spec["columns"] for spec in mapping["haichuan"].values()
    )


def test_a_partner_writes_one_description_per_code_everywhere(small_chain: SmallChain) -> None:
    described = {
        (r["partner_id"], r["partner_material_code"]): r["description"]
        for r in _crosswalk(small_chain)
    }
    checked = 0
    for sub in small_chain.manifest["submissions"]:
        profile = load_profile(small_chain.root / sub["profile"])
        if profile.material_description is None:
            continue
        code = profile.fields["material_code"].column
        frame = read_source(small_chain.root / sub["file"], profile.source)
        pairs = frame.select(pl.col(code), pl.col(profile.material_description)).unique()
        for partner_code, description in pairs.iter_rows():
            assert described[(sub["partner_id"], partner_code)] == description, sub["file"]
            checked += 1
    assert checked > 1000


def test_descriptions_are_stable_per_partner_and_material() -> None:
    alone = build_chain(seed=SEED, start=date(2025, 7, 1), days=30, extra_dealers=0)
    crowded = build_chain(seed=SEED, start=date(2025, 7, 1), days=30, extra_dealers=20)
    other = build_chain(seed=SEED + 1, start=date(2025, 7, 1), days=30, extra_dealers=0)
    assert crowded.descriptions.items() >= alone.descriptions.items()
    assert len(crowded.descriptions) == len(alone.descriptions) + 20 * 8
    changed = [k for k, v in alone.descriptions.items() if other.descriptions[k] != v]
    assert len(changed) > len(alone.descriptions) // 2
