"""The small simulated chain, generated once per test session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from chainhub.sim.service import SimulationSummary, do_simulate

SEED = 7


class SmallChain:
    """A generated small chain on disk with its manifest and ground truth."""

    def __init__(self, root: Path, summary: SimulationSummary) -> None:
        self.root = root
        self.summary = summary
        self.manifest: dict[str, Any] = json.loads((root / "manifest.json").read_text("utf-8"))
        self._truth: dict[str, pl.DataFrame] = {}

    def truth(self, doc_type: str) -> pl.DataFrame:
        """Standard records of one type from the ground truth."""
        if doc_type not in self._truth:
            path = self.root / "ground_truth" / "standard" / f"{doc_type}.parquet"
            self._truth[doc_type] = pl.read_parquet(path)
        return self._truth[doc_type]


@pytest.fixture(scope="session")
def small_chain(tmp_path_factory: pytest.TempPathFactory) -> SmallChain:
    root = tmp_path_factory.mktemp("sim") / "chain"
    summary = do_simulate(out=root, scale="small", seed=SEED)
    return SmallChain(root, summary)
