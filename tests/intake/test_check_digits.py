"""The vectorized check-digit rules agree with the standard's own validators."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from chainhub.intake.validate import gs1_fails, uscc_fails
from chainhub.standard.fields import USCC_CHARSET, gs1_check_digit_ok, uscc_check_char

digits = st.text(alphabet="0123456789", min_size=8, max_size=14)
uscc_bodies = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)


@settings(max_examples=300, deadline=None)  # timing belongs in bench/, not here
@given(st.lists(digits, min_size=1, max_size=50))
def test_gs1_rule_matches_python_validator(values: list[str]) -> None:
    frame = pl.DataFrame({"v": values})
    fails = frame.select(gs1_fails(pl.col("v"), (8, 12, 13, 14)))["v"].to_list()
    expected = [not (len(v) in (8, 12, 13, 14) and gs1_check_digit_ok(v)) for v in values]
    assert fails == expected


@settings(max_examples=300, deadline=None)  # timing belongs in bench/, not here
@given(st.lists(st.tuples(uscc_bodies, st.sampled_from(USCC_CHARSET)), min_size=1, max_size=50))
def test_uscc_rule_matches_python_validator(pairs: list[tuple[str, str]]) -> None:
    values = [body + last for body, last in pairs]
    frame = pl.DataFrame({"v": values})
    fails = frame.select(uscc_fails(pl.col("v")))["v"].to_list()
    assert fails == [uscc_check_char(v[:17]) != v[17] for v in values]
