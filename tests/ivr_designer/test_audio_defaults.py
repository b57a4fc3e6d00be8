"""The licence-free defaults (made on first need) and the in-process worker."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from audio.rights import RightsKind
from ivr_designer.audio_lib import worker
from ivr_designer.audio_lib.defaults import DEFAULT_BEEP, DEFAULT_HOLD_MUSIC, ensure_defaults
from ivr_designer.models import AudioAsset
from tests.audio.conftest import ffprobe


def test_defaults_are_synthesised_once_per_org(app, make_org, db_session):
    org = make_org()
    root = Path(app.config["MEDIA_FOLDER"])
    made = ensure_defaults(db_session, org.id, root)
    assert {name: asset.key for name, asset in made.items()} == {
        "hold_music": DEFAULT_HOLD_MUSIC,
        "beep": DEFAULT_BEEP,
    }
    hold = made["hold_music"]
    assert hold.is_default
    assert hold.status == "ready"
    assert hold.rights_kind == RightsKind.PUBLIC_DOMAIN
    assert hold.use == "hold_music"
    assert 30 < hold.duration_s < 34
    assert ffprobe(root / hold.telephony_path).sample_rate == 8000
    again = ensure_defaults(db_session, org.id, root)
    assert again["hold_music"].id == hold.id
    count = db_session.execute(select(func.count()).select_from(AudioAsset)).scalar_one()
    assert count == 2


def test_a_default_whose_file_is_gone_is_made_again(app, make_org, db_session):
    org = make_org()
    root = Path(app.config["MEDIA_FOLDER"])
    hold = ensure_defaults(db_session, org.id, root)["hold_music"]
    (root / hold.telephony_path).unlink()
    again = ensure_defaults(db_session, org.id, root)["hold_music"]
    assert again.id == hold.id
    assert (root / again.telephony_path).is_file()


def test_worker_processes_one_asset_and_is_off_in_tests(app, make_org, db_session):
    assert worker.executor_for(app) is None  # AUDIO_WORKER_THREADS=0 in tests
    org = make_org()
    root = Path(app.config["MEDIA_FOLDER"])
    incoming = root / "audio" / "incoming"
    incoming.mkdir(parents=True)
    (incoming / "upload-x").write_bytes(b"not audio at all" * 10)
    asset = AudioAsset(
        org_id=org.id,
        key="broken",
        name="Broken",
        status="processing",
        upload_path="audio/incoming/upload-x",
    )
    db_session.add(asset)
    db_session.commit()

    worker.run_one(app, asset.id)  # what the pool runs, here on this thread

    db_session.expire_all()
    assert db_session.get(AudioAsset, asset.id).status == "failed"
    assert db_session.get(AudioAsset, asset.id).failure_code == "not_audio"
    assert not (incoming / "upload-x").exists()


def test_worker_pool_starts_when_configured(app):
    app.config["AUDIO_WORKER_THREADS"] = 1
    pool = worker.executor_for(app)
    try:
        assert pool is not None
        assert worker.executor_for(app) is pool
        assert pool.submit(lambda: 41 + 1).result(timeout=5) == 42
    finally:
        pool.shutdown()
