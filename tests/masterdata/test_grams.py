"""Character n-grams counted with NumPy weigh texts as scikit-learn's char_wb TF-IDF does."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from chainhub.masterdata.grams import CharGrams

TEXTS = (
    "压缩机 qx-1.5p 1.5 p r32",
    "rotary compressor qx-1.5p",
    "冷轧钢板 spcc 0.8mm",
    "",
    "a",
    "ab  c\td",
    "Ünïcode ÀB x",
    "cold-rolled steel sheet spcc 0.8 mm",
)


@pytest.mark.parametrize("max_df", [1.0, 2])
def test_weights_equal_scikit_learn_s(max_df: float) -> None:
    theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                             max_df=max_df)  # fmt: skip
    ours = CharGrams(max_df=max_df)
    a, b = theirs.fit_transform(TEXTS), ours.fit_transform(TEXTS)
    assert a.shape == b.shape
    assert sorted(theirs.idf_.tolist()) == pytest.approx(sorted(ours.idf_.tolist()))
    # Columns come in another order: the texts' similarities must agree.
    queries = ["compressor qx1.5p", "spcc sheet", "ünï", "never seen ж"]
    expected = (theirs.transform(queries) @ a.T).toarray()
    assert (ours.transform(queries) @ b.T).toarray() == pytest.approx(expected)
    assert np.allclose(
        (ours.transform(list(TEXTS)) @ b.T).toarray(), (a @ a.T).toarray(), atol=1e-12
    )


def test_no_text_is_no_row() -> None:
    ours = CharGrams(dtype=np.float32).fit(TEXTS)
    empty = ours.transform([])
    assert empty.shape == (0, len(ours.idf_)) and empty.dtype == np.float32
