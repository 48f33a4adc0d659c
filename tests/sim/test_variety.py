"""Dialects vary as real ERPs do, and the same seed gives the same bytes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from chainhub.sim.service import do_simulate

from .conftest import SEED, SmallChain


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_dialect_variety(small_chain: SmallChain) -> None:
    mapping = json.loads((small_chain.root / "ground_truth" / "mapping.json").read_text("utf-8"))
    specs = [spec for per_type in mapping.values() for spec in per_type.values()]
    assert {s["encoding"] for s in specs if s["encoding"]} == {
        "utf-8",
        "utf-8-sig",
        "gbk",
        "gb18030",
    }
    assert {s["format"] for s in specs} == {"csv", "xlsx"}
    assert {s["delimiter"] for s in specs if s["delimiter"]} == {",", ";", "\t", "|"}
    assert any(s["decimal_comma"] for s in specs)
    assert {s["date_format"] for s in specs} == {
        "%Y%m%d",
        "%d.%m.%Y",
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%m/%d/%Y",
    }
    headers = {h for s in specs for h in s["columns"].values()}
    assert {"MATNR", "MENGE", "MEINS", "EBELN", "EBELP", "CHARG", "LIFNR", "BUDAT"} <= headers
    assert {"物料编码", "存货编码", "批号", "批次"} <= headers
    assert any(re.search(r"[\u4e00-\u9fff]", h) for h in headers)
    units = {w for s in specs for w in s["units"]}
    assert {"件", "PC", "EA", "个", "千克", "kg", "KG", "g"} <= units


def test_one_material_three_codes(small_chain: SmallChain) -> None:
    xw = small_chain.truth("material_crosswalk").filter(
        small_chain.truth("material_crosswalk")["material_code"] == "M001"
    )
    codes = dict(zip(xw["partner_id"], xw["partner_material_code"], strict=True))
    assert codes == {"huayang-compressor": "MAT01", "taihe-kessler": "10-00231"}


def test_decimal_comma_file(small_chain: SmallChain) -> None:
    text = (small_chain.root / "partners" / "taihe-kessler" / "shipment_2025-09.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    header, first = text.decode("utf-8-sig").splitlines()[:2]
    assert header.split(";")[:3] == ["VBELN", "KUNNR", "VSTEL"]
    assert re.search(r";\d{2}\.\d{2}\.\d{4};", first)


def test_same_seed_same_bytes_other_seed_differs(small_chain: SmallChain, tmp_path: Path) -> None:
    again = tmp_path / "again"
    do_simulate(out=again, scale="small", seed=SEED)
    assert _hashes(again) == _hashes(small_chain.root)
    other = tmp_path / "other"
    do_simulate(out=other, scale="small", seed=SEED + 1)
    theirs, ours = _hashes(other), _hashes(small_chain.root)
    changed = [k for k in ours if theirs.get(k) != ours[k]]
    assert len(changed) > len(ours) // 2


@pytest.mark.parametrize("scale", ["small", "50000"])
def test_scale_names_are_accepted(scale: str) -> None:
    from chainhub.sim.service import check_scale

    assert check_scale(scale).months == 12
