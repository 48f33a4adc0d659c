"""Every partner file, read through its true profile, gives back the standard records."""

from __future__ import annotations

import polars as pl

from chainhub.standard.registry import DOCUMENT_TYPES

from .conftest import SmallChain
from .profile_reader import normal, read_standard


def test_every_submission_round_trips(small_chain: SmallChain) -> None:
    xw = small_chain.truth("material_crosswalk")
    crosswalk = {
        (p, c): m
        for p, c, m in xw.select("partner_id", "partner_material_code", "material_code").iter_rows()
    }
    checked = 0
    for sub in small_chain.manifest["submissions"]:
        doc_type = sub["document_type"]
        fields = list(DOCUMENT_TYPES[doc_type].record_fields)
        truth = small_chain.truth(doc_type).filter(pl.col("source_file") == sub["file"])
        expected = [[normal(r[f]) for f in fields] for r in truth.iter_rows(named=True)]
        got = [
            [normal(r[f]) for f in fields]
            for r in read_standard(small_chain.root, sub["file"], sub["profile"], crosswalk)
        ]
        assert got == expected, sub["file"]
        checked += len(got)
    assert checked == sum(s["rows"] for s in small_chain.manifest["submissions"])
