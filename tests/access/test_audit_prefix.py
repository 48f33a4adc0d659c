"""The audit page's kept prefix: a view recomputes the entries after the last pass, the whole
chain when asked, when that pass is too old, or when the prefix it kept no longer holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from chainhub.access.audit import (
    get_checkpoint,
    get_head_checkpoint,
    set_audit_key,
)
from chainhub.access.audit_prefix import AuditPrefixKeeper
from chainhub.access.models import audit_log
from chainhub.access.schemas import AuditVerification
from tests.support import fill_audit_log

KEY = "a-test-audit-key-of-some-length"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _fill(engine: sa.Engine, count: int) -> None:
    fill_audit_log(engine, count, key=KEY)


def _view(
    engine: sa.Engine, keeper: AuditPrefixKeeper, *, minutes: float = 0, full: bool = False,
    checkpoints: tuple = (),
) -> AuditVerification:  # fmt: skip
    with engine.connect() as conn:
        set_audit_key(conn=conn, key=KEY)
        return keeper.get_verification(
            conn=conn,
            checkpoints=checkpoints,
            now=START + timedelta(minutes=minutes),
            full=full,
        )


def _edit(engine: sa.Engine, seq: int, **values: str) -> None:
    with engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == seq).values(**values))


def test_a_view_recomputes_only_the_entries_after_the_last_pass(engine: sa.Engine) -> None:
    keeper = AuditPrefixKeeper(full_pass_every=timedelta(minutes=15))
    _fill(engine, 5)
    first = _view(engine, keeper)
    assert (first.ok, first.checked, first.newly_checked) == (True, 5, 5)
    assert first.full_pass_at == START
    _fill(engine, 3)
    second = _view(engine, keeper, minutes=5)
    assert (second.ok, second.checked, second.newly_checked) == (True, 8, 3)
    assert second.full_pass_at == START
    # An entry changed inside the prefix shows at the next pass from the first entry: asked
    # for, or due once the last one is older than the setting.
    _edit(engine, 2, outcome="ok, honest")
    assert _view(engine, keeper, minutes=6).ok
    asked = _view(engine, keeper, minutes=7, full=True)
    assert (asked.ok, asked.first_broken_seq, asked.checked) == (False, 2, 1)
    # A broken chain keeps no prefix: every view recomputes it whole until it verifies.
    assert _view(engine, keeper, minutes=8).first_broken_seq == 2


def test_the_whole_chain_again_once_the_last_pass_is_too_old(engine: sa.Engine) -> None:
    keeper = AuditPrefixKeeper(full_pass_every=timedelta(minutes=15))
    _fill(engine, 4)
    _view(engine, keeper)
    _edit(engine, 1, action="GET /elsewhere")
    assert _view(engine, keeper, minutes=14).ok
    due = _view(engine, keeper, minutes=15)
    assert (due.ok, due.first_broken_seq) == (False, 1)


def test_a_changed_or_missing_end_of_the_prefix_sends_the_view_back_to_the_start(
    engine: sa.Engine,
) -> None:
    keeper = AuditPrefixKeeper(full_pass_every=timedelta(minutes=15))
    _fill(engine, 4)
    _view(engine, keeper)
    # The prefix ends at seq 4: its hash rewritten, the view starts over and finds the entry.
    _edit(engine, 4, row_hash="f" * 64)
    rewritten = _view(engine, keeper, minutes=1)
    assert (rewritten.ok, rewritten.first_broken_seq, rewritten.newly_checked) == (False, 4, 3)
    with engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 4))
    # Cut back to three entries that verify: a pass from the first entry says so honestly.
    cut = _view(engine, keeper, minutes=2)
    assert (cut.ok, cut.checked, cut.newly_checked) == (True, 3, 3)


def test_a_checkpoint_inside_the_prefix_is_matched_by_a_pass_from_the_start(
    engine: sa.Engine,
) -> None:
    keeper = AuditPrefixKeeper(full_pass_every=timedelta(minutes=15))
    _fill(engine, 6)
    _view(engine, keeper)
    with engine.connect() as conn:
        set_audit_key(conn=conn, key=KEY)
        honest = get_head_checkpoint(conn=conn)
    assert honest is not None
    wrong = get_checkpoint(seq=3, row_hash="e" * 64, key=KEY)
    met = _view(engine, keeper, minutes=1, checkpoints=(honest,))
    assert (met.ok, met.newly_checked) == (True, 6)
    contradicted = _view(engine, keeper, minutes=2, checkpoints=(honest, wrong))
    assert (contradicted.ok, contradicted.first_broken_seq) == (False, 3)
