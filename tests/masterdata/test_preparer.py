"""The golden master prepared when it is published: once per new material submission."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chainhub.masterdata.chain_model import get_prepared_master
from chainhub.masterdata.preparer import MasterPreparer
from chainhub.masterdata.service import list_golden_materials
from chainhub.standard import STANDARD_VERSION
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade
from chainhub.storage.service import do_store_submission

from .conftest import PUBLISHED_AT, store_golden


def test_a_new_material_submission_is_prepared_once_into_the_store(tmp_path: Path) -> None:
    engine = create_engine_for(f"duckdb:///{tmp_path / 'hub.duckdb'}")
    do_upgrade(engine=engine)
    store = tmp_path / "prepared"
    preparer = MasterPreparer(engine=engine, store=store)
    assert not preparer.do_prepare_if_changed()  # no master yet
    store_golden(engine)
    with engine.connect() as conn:
        # Already prepared in this process (a suggestion call): still written for the others.
        get_prepared_master(list_golden_materials(conn=conn))
    assert preparer.do_prepare_if_changed()
    first = set(store.iterdir())
    assert len(first) == 1
    assert not preparer.do_prepare_if_changed()
    added = pl.DataFrame(
        [{"material_code": "M016", "name_zh": "不锈钢螺钉 M5×16", "name_en": "Screw M5×16",
          "category": "component", "base_unit": "H87", "spec": "SUS304", "_source_row": 1}]
    )  # fmt: skip
    with engine.begin() as conn:
        do_store_submission(
            conn=conn, document_type="material", records=added, submitted_by="haichuan",
            source_file="material-2.csv", content_hash="golden-2",
            standard_version=STANDARD_VERSION, received_at=PUBLISHED_AT,
        )  # fmt: skip
    assert preparer.do_prepare_if_changed()
    assert len(set(store.iterdir()) - first) == 1  # the new master, under its own fingerprint
    engine.dispose()
