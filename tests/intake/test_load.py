"""A load of many files in one transaction shares what they read, and stores what one file at a
time would: master data and a crosswalk sent early in the load are seen by the files after
them, and a file sent twice in the load is stored once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from chainhub.access.audit import check_audit_chain
from chainhub.access.models import audit_log
from chainhub.access.tokens import do_set_chain_leader
from chainhub.cli.demo import manifest_file
from chainhub.errors import ChainhubError
from chainhub.events.reactions import set_reactions
from chainhub.events.schemas import HubEvent, WebhookEvent
from chainhub.intake import load
from chainhub.intake.attempts import IngestResult
from chainhub.intake.load import LoadFile, do_load_files
from chainhub.intake.models import intake_attempts
from chainhub.intake.schemas import MappingProfile, SourceFormat, load_profile, standard_profile
from chainhub.intake.service import IntakeContext, do_submit, get_submitter
from chainhub.partners.models import webhook_deliveries
from chainhub.partners.schemas import SubscriptionCreate
from chainhub.partners.webhooks import do_create_subscription
from chainhub.storage import service as storage_service
from chainhub.storage.models import current_view, doc_table, submissions
from chainhub.storage.schemas import SubmissionRead
from chainhub.storage.service import get_document_history
from tests.intake.shipments import CROSSWALK_PROFILE, SHIPMENT_PROFILE, shipment_file
from tests.support import LEADER, SmallChain, submitter

# Purchase orders and the master data they name.
ORDER_TYPES = ("partner", "site", "material", "material_crosswalk", "purchase_order")
MATERIAL = "material_code,name_zh,name_en,category,base_unit\nM003,电机,Motor,component,H87\n"


def _profile(folder: Path, profile: MappingProfile) -> Path:
    path = folder / f"{profile.partner_id}-{profile.document_type}.yaml"
    path.write_text(profile.to_yaml(), encoding="utf-8")
    return path


def _files(folder: Path) -> list[LoadFile]:
    """The leader adds material M003; jinli ships a crosswalked material; the leader adds
    jinli's code for M003; jinli ships M003 under that code, and sends that file again."""
    material_profile = standard_profile(
        partner_id="haichuan",
        document_type="material",
        columns=MATERIAL.splitlines()[0].split(","),
        source=SourceFormat(format="csv"),
    )
    (folder / "material.csv").write_text(MATERIAL, encoding="utf-8")
    (folder / "crosswalk.csv").write_text(
        "LIFNR,IDNLF,MATNR\njinli-motor,MAT03,M003\n", encoding="utf-8"
    )
    first = shipment_file(folder, "ASN-1,20260301,20260303,10,MAT01,5,件,L1\n", "asn-1.csv")
    later = shipment_file(folder, "ASN-2,20260302,20260304,10,MAT03,7,件,L2\n", "asn-2.csv")
    shipment = _profile(folder, SHIPMENT_PROFILE)
    return [
        LoadFile(folder / "material.csv", _profile(folder, material_profile), "haichuan"),
        LoadFile(first, shipment, "jinli-motor"),
        LoadFile(folder / "crosswalk.csv", _profile(folder, CROSSWALK_PROFILE), "haichuan"),
        LoadFile(later, shipment, "jinli-motor"),
        LoadFile(later, shipment, "jinli-motor"),
    ]


def _shipped(conn: sa.Connection) -> list[tuple[str, str, int]]:
    view = current_view("shipment")
    rows = conn.execute(
        sa.select(view.c.shipment_number, view.c.material_code, view.c.quantity).order_by(
            view.c.shipment_number
        )
    )
    return [(r.shipment_number, r.material_code, int(r.quantity)) for r in rows]


@pytest.mark.parametrize("shared", [True, False], ids=["one context", "file by file"])
def test_a_load_sees_what_its_earlier_files_stored(
    with_crosswalk: sa.Engine, tmp_path: Path, shared: bool
) -> None:
    """The load's shared context stores what files submitted one by one store."""
    results: list[IngestResult] = []
    with with_crosswalk.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=LEADER)
        before = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
        if shared:
            do_load_files(
                conn=conn,
                files=_files(tmp_path),
                channel="test",
                on_result=lambda _file, result: results.append(result),
            )
        else:
            results.extend(
                do_submit(
                    conn=conn,
                    path=file.path,
                    profile=load_profile(file.profile),
                    submitter=submitter(file.partner_id),
                )
                for file in _files(tmp_path)
            )
    assert [r.status for r in results] == ["stored"] * 4 + ["duplicate"]
    assert results[4].submission_id == results[3].submission_id
    with with_crosswalk.connect() as conn:
        assert _shipped(conn) == [("ASN-1", "M001", 5), ("ASN-2", "M003", 7)]
        attempts = conn.execute(sa.select(intake_attempts.c.status)).scalars().all()
        assert sorted(attempts).count("duplicate") == 1
        # One audit entry a file, in the load's order, on an unbroken chain.
        entries = conn.execute(
            sa.select(audit_log.c.action).where(audit_log.c.seq > before).order_by(audit_log.c.seq)
        ).scalars()
        assert list(entries) == [
            "submit material",
            "submit shipment",
            "submit material_crosswalk",
            "submit shipment",
            "submit shipment",
        ]
        assert check_audit_chain(conn=conn).ok


@pytest.mark.parametrize("shared", [True, False], ids=["one context", "file by file"])
def test_the_connections_reactions_see_each_stored_file_once(
    with_crosswalk: sa.Engine, tmp_path: Path, shared: bool
) -> None:
    """A load runs the reactions once, when its rows are written; file by file, after each."""
    seen: list[tuple[list[str], int]] = []

    def react(*, conn: sa.Connection, stored: Sequence[SubmissionRead]) -> list[HubEvent]:
        seen.append(([s.document_type for s in stored], len(_shipped(conn))))
        return []

    with with_crosswalk.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=LEADER)
        set_reactions(conn=conn, reactions=[react])
        if shared:
            do_load_files(
                conn=conn, files=_files(tmp_path), channel="test", on_result=lambda *_: None
            )
        else:
            for file in _files(tmp_path):
                do_submit(
                    conn=conn,
                    path=file.path,
                    profile=load_profile(file.profile),
                    submitter=submitter(file.partner_id),
                )
    kinds = ["material", "shipment", "material_crosswalk", "shipment"]
    if shared:
        assert seen == [(kinds, 2)]
    else:
        assert seen == [([k], n) for k, n in zip(kinds, (0, 1, 1, 2), strict=True)]


def test_a_context_forgets_what_a_stored_file_changes(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    """Stored master data and crosswalks are read again; what no file changed is not."""
    context = IntakeContext()
    with with_crosswalk.begin() as conn:
        assert "M003" not in context.get_references(conn=conn)["material"]
        assert context.get_crosswalk(conn=conn, partner_id="jinli-motor") == {
            "MAT01": "M001",
            "MAT02": "M002",
        }
        for file in _files(tmp_path)[0:3:2]:
            result = do_submit(
                conn=conn,
                path=file.path,
                profile=load_profile(file.profile),
                submitter=submitter(file.partner_id),
                context=context,
            )
            assert result.status == "stored"
        assert "M003" in context.get_references(conn=conn)["material"]
        assert context.get_crosswalk(conn=conn, partner_id="jinli-motor")["MAT03"] == "M003"
        assert context.references["partner"]  # read once, never dropped by these files


def _shipment_files(folder: Path, bodies: dict[str, str]) -> list[LoadFile]:
    """JINLI's shipment files, one per named body, under the shipment profile."""
    shipment = _profile(folder, SHIPMENT_PROFILE)
    return [
        LoadFile(shipment_file(folder, body, name), shipment, "jinli-motor")
        for name, body in bodies.items()
    ]


@pytest.mark.parametrize(
    ("first", "most"),
    [(load.FIRST_CHECK_FILES, load.CHECK_FILES), (3, 3), (1, 2)],
    ids=["one chunk", "two chunks", "growing chunks"],
)
def test_a_load_versions_refuses_and_logs_as_file_by_file(
    with_crosswalk: sa.Engine,
    tmp_path: Path,
    first: int,
    most: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows written in batches: a document sent again later in the load is its next version,
    a bad file is refused whole with its errors while the others are stored, every file
    has its attempt and submission; so whether the files are checked together in one chunk,
    in two, or in chunks of 1, 2 and 1."""
    monkeypatch.setattr(load, "FIRST_CHECK_FILES", first)
    monkeypatch.setattr(load, "CHECK_FILES", most)
    bodies = {
        "first.csv": "ASN-9,20260301,20260303,10,MAT01,5,件,L1\n",
        "bad.csv": "ASN-8,2026-03-01,20260303,10,MAT01,5,件,L1\n",
        "again.csv": "ASN-9,20260301,20260303,10,MAT01,6,件,L1\n",
        "other.csv": "ASN-7,20260302,20260304,10,MAT02,7,件,L2\n",
    }
    files = _shipment_files(tmp_path, bodies)
    results: list[IngestResult] = []
    with with_crosswalk.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=LEADER)
        do_load_files(
            conn=conn, files=files, channel="test", on_result=lambda _f, r: results.append(r)
        )
    assert [r.status for r in results] == ["stored", "rejected", "stored", "stored"]
    refused = results[1].validation
    assert refused is not None
    assert refused.errors.select("row", "column").row(0) == (1, "发货日期")
    with with_crosswalk.connect() as conn:
        history = get_document_history(
            conn=conn, document_type="shipment", doc_key="jinli-motor|ASN-9"
        )
        assert history.select("_doc_version", "quantity").rows() == [(1, 5), (2, 6)]
        assert _shipped(conn) == [("ASN-7", "M002", 7), ("ASN-9", "M001", 6)]
        logged = conn.execute(
            sa.select(intake_attempts.c.source_file, intake_attempts.c.status)
        ).all()
        assert sorted(tuple(r) for r in logged if r.source_file in bodies) == sorted(
            (name, r.status) for name, r in zip(bodies, results, strict=True)
        )
        stored = conn.execute(
            sa.select(submissions.c.submission_id).where(submissions.c.document_type == "shipment")
        ).scalars()
        assert sorted(stored) == sorted(r.submission_id for r in results if r.submission_id)


@pytest.mark.parametrize(
    "subscribed",
    [WebhookEvent.SHIPMENT_ANNOUNCED, WebhookEvent.QUALITY_ALERT],
    ids=["subscribed", "not subscribed"],
)
def test_a_load_builds_the_events_a_webhook_wants_only(
    with_crosswalk: sa.Engine, tmp_path: Path, subscribed: WebhookEvent
) -> None:
    """A load's caller publishes no events: its results carry those a subscription wants,
    queued for it, and none that no subscription wants."""
    files = _shipment_files(
        tmp_path,
        {
            "one.csv": "ASN-5,20260301,20260303,10,MAT01,5,件,L1\n",
            "two.csv": "ASN-6,20260302,20260304,10,MAT02,7,件,L2\n",
        },
    )
    results: list[IngestResult] = []
    with with_crosswalk.begin() as conn:
        do_set_chain_leader(conn=conn, partner_id=LEADER)
        do_create_subscription(
            conn=conn,
            partner_id="jinli-motor",
            subscription=SubscriptionCreate.model_validate(
                {"url": "https://hooks.example.com/in", "events": [subscribed]}
            ),
        )
        do_load_files(
            conn=conn, files=files, channel="test", on_result=lambda _f, r: results.append(r)
        )
        queued = conn.execute(sa.select(webhook_deliveries.c.event)).scalars().all()
    assert [r.status for r in results] == ["stored", "stored"]
    wanted = subscribed == WebhookEvent.SHIPMENT_ANNOUNCED
    assert [[(e.event, e.doc_key) for e in r.events] for r in results] == (
        [
            [(WebhookEvent.SHIPMENT_ANNOUNCED, "jinli-motor|ASN-5")],
            [(WebhookEvent.SHIPMENT_ANNOUNCED, "jinli-motor|ASN-6")],
        ]
        if wanted
        else [[], []]
    )
    assert queued == (["shipment.announced"] * 2 if wanted else [])


def test_a_load_holds_a_pending_version_to_the_rules(
    with_crosswalk: sa.Engine, tmp_path: Path
) -> None:
    """A document sent again later in the load is checked against its version still pending
    in the load's batch: a new version naming other parties is refused."""
    renamed = SHIPMENT_PROFILE.model_copy(
        update={
            "fields": {
                **SHIPMENT_PROFILE.fields,
                "receiver_id": SHIPMENT_PROFILE.fields["receiver_id"].model_copy(
                    update={"value": "huadong-trading"}
                ),
            }
        }
    )
    body = "ASN-9,20260301,20260303,10,MAT01,5,件,L1\n"
    files = [
        LoadFile(
            shipment_file(tmp_path, body, "first.csv"),
            _profile(tmp_path, SHIPMENT_PROFILE),
            "jinli-motor",
        ),
        LoadFile(
            shipment_file(tmp_path, body.replace(",5,", ",6,"), "again.csv"),
            _renamed(tmp_path, renamed),
            "jinli-motor",
        ),
    ]
    with with_crosswalk.begin() as conn, pytest.raises(ChainhubError) as refused:
        do_load_files(conn=conn, files=files, channel="test", on_result=lambda _f, _r: None)
    assert refused.value.code == "parties_changed"
    assert "haichuan" in refused.value.message_en


def _renamed(folder: Path, profile: MappingProfile) -> Path:
    path = folder / "renamed-shipment.yaml"
    path.write_text(profile.to_yaml(), encoding="utf-8")
    return path


def _stored_tables(
    conn: sa.Connection, types: Sequence[str]
) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row of `types`' tables and of the submissions, but the random ids."""
    tables = [doc_table(t) for t in types]
    return {
        table.name: sorted(
            conn.execute(sa.select(*(c for c in table.c if c.name not in ids))).all(), key=repr
        )
        for table, ids in (
            *((t, {"_submission_id"}) for t in tables),
            (submissions, {"submission_id"}),
        )
    }


@pytest.mark.parametrize(
    ("before", "batch_rows"),
    [(0, 200_000), (0, 300), (40, 300)],
    ids=["one write", "many writes", "tables held rows"],
)
def test_a_load_stores_what_its_files_one_by_one_would(
    engine: sa.Engine,
    small_chain: SmallChain,
    monkeypatch: pytest.MonkeyPatch,
    before: int,
    batch_rows: int,
) -> None:
    """The simulated chain's master data and purchase orders (revised in later files) stored
    by a load, whose batch numbers versions and flags current rows as it writes them (once,
    in many writes, or over tables holding rows already), equal them stored file by file."""
    entries = [e for e in small_chain.manifest["submissions"] if e["document_type"] in ORDER_TYPES]
    files = [manifest_file(small_chain.root, e) for e in entries]
    types = sorted({e["document_type"] for e in entries})
    monkeypatch.setattr(storage_service, "_BATCH_ROWS", batch_rows)

    def stored(*, batched: bool) -> dict[str, list[tuple[object, ...]]]:
        with engine.connect() as conn, conn.begin() as transaction:
            do_set_chain_leader(conn=conn, partner_id=LEADER)
            one_by_one = files if not batched else files[:before]
            for file in one_by_one:
                result = do_submit(
                    conn=conn,
                    path=file.path,
                    profile=load_profile(file.profile),
                    submitter=get_submitter(conn=conn, partner_id=file.partner_id, channel="t"),
                    received_at=file.received_at,
                )
                assert result.status == "stored", file.path
            if batched:
                do_load_files(
                    conn=conn,
                    files=files[before:],
                    channel="t",
                    on_result=lambda f, r: _assert_stored(f, r),
                )
            tables = _stored_tables(conn, types)
            transaction.rollback()
        return tables

    one_by_one = stored(batched=False)
    orders = doc_table("purchase_order")
    versions = {r._mapping["_doc_version"] for r in one_by_one[orders.name]}
    assert max(versions) > 1 and any(not r._mapping["_current"] for r in one_by_one[orders.name])
    assert stored(batched=True) == one_by_one


def _assert_stored(file: LoadFile, result: IngestResult) -> None:
    assert result.status == "stored", file.path
