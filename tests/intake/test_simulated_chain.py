"""The whole simulated chain loads through the intake path, as `chainhub demo` loads it."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.standard.registry import DOCUMENT_TYPES
from chainhub.storage.models import doc_table
from tests.support import SmallChain


def test_every_partner_file_is_stored_once_and_whole(
    engine: sa.Engine, small_chain: SmallChain
) -> None:
    for sub in small_chain.manifest["submissions"]:
        result = small_chain.submit(engine, sub)
        assert (result.status, result.stored_rows) == ("stored", sub["rows"]), sub["file"]
    with engine.connect() as conn:
        stored = {
            t: conn.execute(sa.select(sa.func.count()).select_from(doc_table(t))).scalar_one()
            for t in DOCUMENT_TYPES
        }
    assert stored == {t: small_chain.truth(t).height for t in DOCUMENT_TYPES}
