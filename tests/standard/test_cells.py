"""Formulas are neutralised in every cell the hub writes for people."""

from __future__ import annotations

import polars as pl

from chainhub.standard.cells import neutralise_cell, neutralise_frame


def test_formula_starts_get_a_quote_and_other_values_stay() -> None:
    for value in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(value) == "'" + value
    assert [neutralise_cell(v) for v in ("M001", "", None, "1-2")] == ["M001", "", None, "1-2"]
    frame = pl.DataFrame({"a": ["=1+1", "ok", None], "n": [1, 2, 3]})
    assert neutralise_frame(frame).to_dict(as_series=False) == {
        "a": ["'=1+1", "ok", None],
        "n": [1, 2, 3],
    }


def test_frames_keep_numbers_and_dates_as_they_are() -> None:
    frame = pl.DataFrame({"a": ["2026-02-08", "8000001874", "-1", "=A1"]})
    assert neutralise_frame(frame)["a"].to_list() == ["2026-02-08", "8000001874", "'-1", "'=A1"]
