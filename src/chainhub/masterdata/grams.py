"""Character n-grams inside words (scikit-learn's `char_wb` analyzer: each word padded with a
space, 2- to 4-grams), TF-IDF weighted, counted with NumPy rather than string by string: a
100,000-material master is read in seconds. Features and weights equal scikit-learn's
TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

_SIZES: Final = (2, 3, 4)
# Texts counted at once: bounds the n-gram arrays (~50 n-grams a text) to tens of megabytes.
_CHUNK: Final = 16_384
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


class CharGrams:
    """TF-IDF over character 2-4-grams inside words, fitted on a corpus."""

    def __init__(self, *, max_df: float = 1.0, dtype: Any = np.float64) -> None:
        self.max_df = max_df
        self.dtype = dtype
        self.alphabet_: npt.NDArray[np.uint32] = np.zeros(0, dtype=np.uint32)
        self.vocabulary_: U64 = np.zeros(0, dtype=np.uint64)
        self.idf_: npt.NDArray[np.float64] = np.zeros(0)

    def fit(self, texts: Sequence[str]) -> CharGrams:
        """Learn the characters, the n-grams (those in more than `max_df` of the texts dropped)
        and each n-gram's smoothed inverse document frequency."""
        self.alphabet_ = np.unique(_codepoints(texts)[0])
        keys: list[U64] = []
        counts: list[I64] = []
        # Chunk by chunk, keeping only each chunk's distinct n-grams: a master's every n-gram
        # at once would take hundreds of megabytes.
        for k in _starts(texts):
            docs, grams, _ = self._grams(texts[k : k + _CHUNK])
            # Each n-gram once per text: document frequency.
            order = np.lexsort((docs, grams))
            by_gram, by_doc = grams[order], docs[order]
            first = np.ones(len(by_gram), dtype=bool)
            first[1:] = (by_gram[1:] != by_gram[:-1]) | (by_doc[1:] != by_doc[:-1])
            unique, count = np.unique(by_gram[first], return_counts=True)
            keys.append(unique)
            counts.append(count.astype(np.int64))
        vocabulary, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        df = np.bincount(inverse, weights=np.concatenate(counts), minlength=len(vocabulary))
        limit = self.max_df if isinstance(self.max_df, int) else self.max_df * len(texts)
        kept = df <= limit
        self.vocabulary_ = vocabulary[kept]
        self.idf_ = np.log((1.0 + len(texts)) / (1.0 + df[kept])) + 1.0
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        """Each text as a row of sublinear TF-IDF weights, L2-normalized (CSR)."""
        from scipy import sparse
        from sklearn.preprocessing import normalize

        blocks = []
        width = len(self.vocabulary_)
        for k in _starts(texts):
            docs, grams, rows = self._grams(texts[k : k + _CHUNK])
            column = np.searchsorted(self.vocabulary_, grams)
            found = column < width
            found[found] = self.vocabulary_[column[found]] == grams[found]
            counts = sparse.csr_matrix(
                (np.ones(int(found.sum())), (docs[found], column[found])), shape=(rows, width)
            )
            counts.sum_duplicates()
            counts.data = (np.log(counts.data) + 1.0) * self.idf_[counts.indices]
            blocks.append(counts.astype(self.dtype))
        weighted = sparse.vstack(blocks, format="csr")
        # scikit-learn refuses to normalize no rows.
        return (normalize(weighted) if weighted.shape[0] else weighted).astype(self.dtype)

    def fit_transform(self, texts: Sequence[str]) -> Any:
        """Fit on `texts` and return them transformed."""
        return self.fit(texts).transform(texts)

    def _grams(self, texts: Sequence[str]) -> tuple[I64, U64, int]:
        """(text index, n-gram key) of every n-gram of every word of `texts`, and their count."""
        points, starts, lengths, doc_of_word = _codepoints(texts)
        # Characters as 1..A, unknown ones as A+1 (in no fitted n-gram): an n-gram's key is its
        # digits in base A+2, so keys of different lengths never meet.
        size = len(self.alphabet_)
        ids = np.searchsorted(self.alphabet_, points)
        known = ids < size
        known[known] = self.alphabet_[ids[known]] == points[known]
        digits = np.where(known, ids + 1, size + 1).astype(np.uint64)
        base = np.uint64(size + 2)
        docs: list[I64] = []
        keys: list[U64] = []
        for n in _SIZES:
            per_word = np.maximum(lengths - n + 1, 0)
            total = int(per_word.sum())
            first = np.repeat(np.cumsum(per_word) - per_word, per_word)
            at = np.repeat(starts, per_word) + (np.arange(total) - first)
            # Beyond 4 digits of 2^16 the key wraps: two n-grams may then share a column, as
            # in a hashing vectorizer; the alphabets of material masters are far smaller.
            key = np.zeros(total, dtype=np.uint64)
            for k in range(n):
                key = key * base + digits[at + k]
            keys.append(key)
            docs.append(np.repeat(doc_of_word, per_word))
        return np.concatenate(docs), np.concatenate(keys), len(texts)


def _starts(texts: Sequence[str]) -> range:
    # One chunk even for no texts: the result keeps its shape (0 rows).
    return range(0, max(len(texts), 1), _CHUNK)


def _codepoints(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint32], I64, I64, I64]:
    """Every word of every text padded with a space each side, as one array of code points
    (words hold no whitespace, so spaces mark their bounds); each padded word's start, length
    and the index of its text."""
    padded = [" " + "  ".join(text.lower().split()) + " " for text in texts]
    ends = np.cumsum(np.fromiter(map(len, padded), dtype=np.int64, count=len(padded)))
    joined = "".join(padded)
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    space = points == ord(" ")
    first = np.flatnonzero(space[:-1] & ~space[1:])
    last = np.flatnonzero(~space[:-1] & space[1:]) + 1
    doc = np.searchsorted(ends, first, side="right").astype(np.int64)
    return points, first.astype(np.int64), (last - first + 1).astype(np.int64), doc
