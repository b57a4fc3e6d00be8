"""The retention sweep on generated data: old rows and their files go, young ones stay,
per-org settings count, one audit entry per org, and batches stay small."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from ivr_designer.extensions import db
from ivr_designer.jobs import sweep_retention
from ivr_designer.models import (
    AuditEntry,
    Call,
    CallStep,
    DeliveryAttempt,
    Fax,
    OutboxDelivery,
    RetentionSetting,
    Voicemail,
    voicemail_heard,
)
from ivr_designer.models.base import utcnow
from ivr_designer.retention.sweep import AUDIT_ACTION, SYSTEM_OBJECT, remove_media, sweep


def _days_ago(days: float):
    return utcnow() - timedelta(days=days)


@pytest.fixture
def media(app) -> Path:
    return Path(app.config["MEDIA_FOLDER"])


@pytest.fixture
def voicemail_with_opus(make_voicemail, media):
    def make(box, days: float):
        number = len(list(media.glob("voicemail/*.opus")))
        name = f"voicemail/rendition-{number}.opus"
        (media / "voicemail").mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(b"OggS")
        row = make_voicemail(box, created_at=_days_ago(days), opus_path=name)
        return row, media / row.media_path, media / name

    return make


def _count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.execute(select(func.count()).select_from(model)).scalar_one()


def _ids(db_session, model) -> set[int]:
    db_session.expire_all()
    return set(db_session.execute(select(model.id)).scalars())


def test_old_rows_and_their_files_go_young_ones_stay(
    app, db_session, make_org, make_box, make_user, make_fax, voicemail_with_opus, media
):
    org = make_org()
    listener = make_user(org)
    box = make_box(org)
    fax_box = make_box(org, kind="fax")
    old_vm, old_wav, old_opus = voicemail_with_opus(box, 31)
    young_vm, young_wav, young_opus = voicemail_with_opus(box, 29)
    db_session.execute(voicemail_heard.insert().values(voicemail_id=old_vm.id, user_id=listener.id))
    old_fax = make_fax(fax_box, created_at=_days_ago(40))
    young_fax = make_fax(fax_box, created_at=_days_ago(1))
    old_pdf, young_pdf = media / old_fax.media_path, media / young_fax.media_path
    old_call = Call(org_id=org.id, call_sid="CA-old", started_at=_days_ago(15))
    young_call = Call(org_id=org.id, call_sid="CA-young", started_at=_days_ago(13))
    db_session.add_all([old_call, young_call])
    db_session.flush()
    db_session.add_all(
        [
            CallStep(
                org_id=org.id,
                call_id=call.id,
                seq=seq,
                flow_name="f",
                node_id="n",
                node_type="play",
            )
            for call in (old_call, young_call)
            for seq in (1, 2)
        ]
    )
    young_vm.call_id = old_call.id  # a kept voicemail outlives the call that left it
    done = OutboxDelivery(
        org_id=org.id,
        event="voicemail.created",
        channel="webhook",
        idempotency_key="k-done",
        status="delivered",
        created_at=_days_ago(31),
    )
    stuck = OutboxDelivery(
        org_id=org.id,
        event="voicemail.created",
        channel="webhook",
        idempotency_key="k-pending",
        status="pending",
        created_at=_days_ago(31),
    )
    db_session.add_all([done, stuck])
    db_session.flush()
    db_session.add_all(
        [
            DeliveryAttempt(
                org_id=org.id, delivery_id=stuck.id, outcome="retry", attempted_at=_days_ago(31)
            ),
            DeliveryAttempt(
                org_id=org.id, delivery_id=stuck.id, outcome="retry", attempted_at=_days_ago(2)
            ),
            AuditEntry(org_id=org.id, action="update", object_type="x", created_at=_days_ago(366)),
            AuditEntry(org_id=org.id, action="update", object_type="x", created_at=_days_ago(364)),
        ]
    )
    db_session.commit()

    report = sweep_retention(app)

    assert _ids(db_session, Voicemail) == {young_vm.id}
    assert _ids(db_session, Fax) == {young_fax.id}
    assert _ids(db_session, Call) == {young_call.id}
    assert _count(db_session, CallStep) == 2
    assert _ids(db_session, OutboxDelivery) == {stuck.id}  # unfinished work is never swept
    assert _count(db_session, DeliveryAttempt) == 1
    assert _count(db_session, voicemail_heard) == 0
    assert db_session.get(Voicemail, young_vm.id).call_id is None
    # Deleted means gone from the disk too: WAV, Opus rendition and PDF.
    assert not old_wav.exists()
    assert not old_opus.exists()
    assert not old_pdf.exists()
    assert young_wav.exists()
    assert young_opus.exists()
    assert young_pdf.exists()

    expected = {
        "voicemail": 1,
        "fax": 1,
        "call": 1,
        "call_step": 2,
        "outbox_delivery": 1,
        "delivery_attempt": 1,
        "audit_entry": 1,
        "files": 3,
    }
    assert report.deleted[org.id] == expected
    [entry] = db_session.execute(
        select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION)
    ).scalars()
    assert (entry.org_id, entry.object_type, entry.object_id) == (
        org.id,
        "organisations",
        str(org.id),
    )
    assert entry.after["deleted"] == expected
    assert entry.after["days"]["voicemail"] == 30

    # Nothing left to delete: no new entry, nothing else touched.
    again = sweep_retention(app)
    assert again.deleted[org.id] == {}
    assert _count(db_session, AuditEntry) == 2  # the young entry and the sweep's own


def test_each_org_has_its_own_retention(
    app, db_session, make_org, make_box, make_voicemail, client, bearer, make_user
):
    short, default, legacy = make_org(), make_org(), make_org(voicemail_retention_days=7)
    db_session.add(RetentionSetting(org_id=short.id, data_class="voicemail", days=5))
    db_session.commit()
    rows = {
        (org.id, days): make_voicemail(make_box(org), created_at=_days_ago(days)).id
        for org in (short, default, legacy)
        for days in (6, 10)
    }
    report = sweep_retention(app)

    kept = _ids(db_session, Voicemail)
    assert kept == {rows[(default.id, 6)], rows[(default.id, 10)], rows[(legacy.id, 6)]}
    assert report.deleted[short.id] == {"voicemail": 2, "files": 2}
    assert report.deleted[legacy.id] == {"voicemail": 1, "files": 1}
    entries = db_session.execute(
        select(AuditEntry.org_id).where(AuditEntry.action == AUDIT_ACTION)
    ).scalars()
    assert sorted(entries) == sorted([short.id, legacy.id])  # one per org that lost data


def test_deletes_go_in_batches_of_the_configured_size(
    app, db_session, connection, make_org, make_box, make_voicemail
):
    org = make_org()
    box = make_box(org)
    for _ in range(5):
        make_voicemail(box, created_at=_days_ago(60))
    make_voicemail(box, created_at=_days_ago(1))
    app.config["RETENTION_BATCH_SIZE"] = 2
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("DELETE FROM VOICEMAIL "):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", note)
    try:
        report = sweep_retention(app)
    finally:
        event.remove(connection, "before_cursor_execute", note)
    assert report.deleted[org.id]["voicemail"] == 5
    assert len(statements) == 3  # 2 + 2 + 1, each in its own transaction
    assert _count(db_session, Voicemail) == 1
    assert report.longest_batch_s > 0


def test_orphaned_audit_entries_keep_the_default_period(app, db_session):
    db_session.add_all(
        [
            AuditEntry(org_id=None, action="login", object_type="users", created_at=_days_ago(400)),
            AuditEntry(org_id=None, action="login", object_type="users", created_at=_days_ago(300)),
            AuditEntry(org_id=987654, action="x", object_type="x", created_at=_days_ago(400)),
        ]
    )
    db_session.commit()
    with app.app_context():
        report = sweep(db.new_session, Path(app.config["MEDIA_FOLDER"]), run_by="test")
    assert report.deleted[0] == {"audit_entry": 2}
    # The young one stays, and the sweep says what it removed in one system-level entry.
    kept = db_session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert [(e.action, e.org_id) for e in kept] == [("login", None), (AUDIT_ACTION, None)]
    entry = kept[-1]
    assert (entry.object_type, entry.object_id, entry.actor_email) == (
        SYSTEM_OBJECT,
        "audit",
        "scheduler",
    )
    assert entry.after == {"deleted": {"audit_entry": 2}, "days": {"audit": 365}, "run_by": "test"}
    assert report.audit_entries == 1
    # Nothing old left: the next sweep writes nothing.
    with app.app_context():
        again = sweep(db.new_session, Path(app.config["MEDIA_FOLDER"]))
    assert (again.deleted.get(0), again.audit_entries) == (None, 0)


def test_media_outside_the_folder_is_never_deleted(tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    assert remove_media(root, "../precious.txt") is False
    assert remove_media(root, None) is False
    assert outside.exists()


def test_batch_size_must_be_positive(app):
    with app.app_context():
        new_session = db.new_session
        with pytest.raises(ValueError, match="batch_size"):
            sweep(new_session, Path("."), batch_size=0)
