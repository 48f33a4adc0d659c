"""Every partner file, read by the hub's intake through its true profile, gives back the
standard records of the ground truth, with no error."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from chainhub.intake.readers import read_source
from chainhub.intake.schemas import load_profile
from chainhub.intake.validate import check_frame
from chainhub.partners.visibility import party_rule_applies
from chainhub.standard.registry import DOCUMENT_TYPES
from tests.support import LEADER

from .conftest import SmallChain


def _comparable(frame: pl.DataFrame) -> pl.DataFrame:
    # Timestamps compare as instants; the truth keeps Asia/Shanghai, the hub UTC.
    return frame.with_columns(
        pl.col(c).dt.convert_time_zone("UTC")
        for c, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime)
    )


def test_every_submission_round_trips_through_intake(small_chain: SmallChain) -> None:
    xw = small_chain.truth("material_crosswalk")
    checked = 0
    for sub in small_chain.manifest["submissions"]:
        doc_type = sub["document_type"]
        profile = load_profile(small_chain.root / sub["profile"])
        mine = xw.filter(pl.col("partner_id") == profile.partner_id)
        crosswalk = dict(zip(mine["partner_material_code"], mine["material_code"], strict=True))
        frame = read_source(small_chain.root / sub["file"], profile.source)
        # The write path asks the visibility module whether the party rule applies.
        party = party_rule_applies(document_type=doc_type, chain_leader=sub["partner_id"] == LEADER)
        result = check_frame(
            frame=frame,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=sub["partner_id"] if party else None,
        )
        assert result.errors.height == 0, (sub["file"], result.errors.head(3).to_dicts())
        fields = list(DOCUMENT_TYPES[doc_type].record_fields)
        truth = small_chain.truth(doc_type).filter(pl.col("source_file") == sub["file"])
        assert_frame_equal(
            _comparable(result.records.select(fields)),
            _comparable(truth.select(fields).cast(result.records.select(fields).schema)),
            check_exact=True,
        )
        checked += result.rows
    assert checked == sum(s["rows"] for s in small_chain.manifest["submissions"])
