"""A process killed while loading leaves no trace of its submission."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from chainhub.storage.service import count_documents, list_submissions

LOADER = """
import sys
from datetime import UTC, date, datetime
from decimal import Decimal

import polars as pl

from chainhub.storage.engine import create_engine_for
from chainhub.storage.service import do_store_submission

url, rows = sys.argv[1], int(sys.argv[2])
row = pl.int_range(1, rows + 1, dtype=pl.Int32, eager=True)
records = pl.DataFrame({"_source_row": row}).with_columns(
    po_number=pl.format("PO-{}", pl.col("_source_row") // 10),
    buyer_id=pl.lit("haichuan"),
    supplier_id=pl.lit("acme-castings"),
    ship_to_site=pl.lit("haichuan-foshan"),
    order_date=pl.lit(date(2026, 3, 2)),
    line_no=pl.col("_source_row").cast(pl.Int64) % 10 + 1,
    material_code=pl.lit("HC-CAST-001"),
    quantity=pl.lit(Decimal("12.5")).cast(pl.Decimal(18, 6)),
    unit=pl.lit("H87"),
    requested_date=pl.lit(date(2026, 4, 15)),
)
engine = create_engine_for(url)
with engine.begin() as conn:
    print("loading", flush=True)
    do_store_submission(
        conn=conn, document_type="purchase_order", records=records, submitted_by="haichuan",
        source_file="big.csv", content_hash="big", standard_version="1.0.0",
        received_at=datetime.now(UTC),
    )
    print("loaded", flush=True)
    sys.stdin.read()  # wait, uncommitted, to be killed
"""


def test_a_killed_load_stores_nothing(engine: sa.Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()  # a DuckDB file admits one process; the loader takes it over
    loader = subprocess.Popen(
        [sys.executable, "-c", LOADER, url, "2000000"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert loader.stdout is not None and loader.stdout.readline().strip() == "loading"
    time.sleep(0.3)  # well into the load, which takes seconds
    loader.send_signal(signal.SIGKILL)
    assert loader.wait(timeout=30) == -signal.SIGKILL

    with engine.connect() as conn:
        assert list_submissions(conn=conn) == []
        assert count_documents(conn=conn)["purchase_order"] == (0, 0)
        assert conn.execute(sa.text("SELECT count(*) FROM doc_purchase_order")).scalar() == 0
