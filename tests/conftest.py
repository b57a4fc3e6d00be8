"""Shared fixtures: one app per test, SQLite and (when configured) PostgreSQL.

The database fixture is parametrised over the available backends, so each test runs
once per backend in a single pytest run ([sqlite], [postgresql]). The schema is built
once per backend per session by the Alembic migrations; every test then runs inside
an outer transaction on one connection that is rolled back at the end, with the
app's sessions bound to it in ``create_savepoint`` mode so their commits are
savepoints.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from ivr_designer import create_app, crypto, migrate
from ivr_designer.auth.api_tokens import new_secret
from ivr_designer.auth.passwords import hash_password, make_hasher
from ivr_designer.callflows.documents import canonical_document, document_sha256, parse_document
from ivr_designer.database import build_engine, normalise_database_url
from ivr_designer.extensions import db
from ivr_designer.models import (
    ApiToken,
    AudioAsset,
    Fax,
    FaxBox,
    Flow,
    FlowVersion,
    MusicAgreement,
    Organisation,
    PhoneNumber,
    ProviderAccount,
    User,
    Voicemail,
    VoicemailBox,
)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
# One schema per test run, so two runs against the same database (two developers, a
# developer and CI) never drop each other's tables.
TEST_SCHEMA = f"ivr_designer_tests_{os.getpid()}"
DEFAULT_PASSWORD = "a-Long-enough-passphrase"

# Cheap argon2 parameters: hashing cost is not what the tests are about.
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def postgres_engine(url: str, schema: str) -> Engine:
    """An engine whose connections live in their own schema, created empty."""
    admin_engine = build_engine(url)
    with admin_engine.connect() as admin:
        admin.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.commit()
    admin_engine.dispose()
    return build_engine(url, connect_args={"options": f"-csearch_path={schema}"})


def drop_postgres_schema(url: str, schema: str) -> None:
    engine = build_engine(url)
    with engine.connect() as admin:
        admin.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.commit()
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
    return normalise_database_url(os.environ["TEST_DATABASE_URL"])


@pytest.fixture(scope="session")
def engine(backend: str, database_url: str) -> Iterator[Engine]:
    """The migrated test database of one backend (built once per session)."""
    if backend == "postgresql":
        engine = postgres_engine(database_url, TEST_SCHEMA)
    else:
        engine = build_engine(database_url)
    with engine.connect() as connection:
        migrate.upgrade(connection)
    yield engine
    engine.dispose()
    if backend == "postgresql":
        drop_postgres_schema(database_url, TEST_SCHEMA)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    """Overridable per test module: ``@pytest.fixture def app_config(app_config): ...``."""
    return {
        "TESTING": True,
        "ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_BASE_URL": "http://localhost",
        # Worker threads must not share the test's single connection (see audio_lib.worker).
        "AUDIO_WORKER_THREADS": 0,
        **FAST_HASHING,
    }


@pytest.fixture
def app(
    app_config: dict[str, Any],
    connection: Connection,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(app_config)
    db.bind(app, connection)
    yield app
    db.engine(app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db_session(connection: Connection) -> Iterator[Session]:
    """A session on the test transaction, for arranging data and checking results."""
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()


def _save(session: Session, obj: Any) -> Any:
    """Persist and load ``obj`` fully, leaving no savepoint open behind it.

    An open savepoint of this session would enclose later requests, and rolling it
    back would silently undo their work.
    """
    session.add(obj)
    session.flush()
    session.refresh(obj)
    session.commit()
    return obj


_serial = itertools.count(1)


@pytest.fixture
def make_org(db_session: Session) -> Callable[..., Organisation]:
    def make(name: str | None = None, slug: str | None = None, **settings: Any) -> Organisation:
        number = next(_serial)
        slug = slug or f"org-{number}"
        return _save(db_session, Organisation(name=name or f"Org {number}", slug=slug, **settings))

    return make


@pytest.fixture
def make_user(db_session: Session, app: Flask) -> Callable[..., User]:
    hasher = make_hasher(app.config)

    def make(
        org: Organisation | None = None,
        role: str = "staff",
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
        **fields: Any,
    ) -> User:
        number = next(_serial)
        user = User(
            org_id=org.id if org is not None else None,
            role=role,
            email=email or f"user{number}@{org.slug if org else 'system'}.example",
            name=fields.pop("name", f"User {number}"),
            password_hash=hash_password(hasher, password),
            **fields,
        )
        return _save(db_session, user)

    return make


@pytest.fixture
def make_token(db_session: Session) -> Callable[..., tuple[ApiToken, str]]:
    """Return (token row, secret); the secret goes in ``Authorization: Bearer``."""

    def make(
        user: User,
        name: str = "test token",
        expires_at: datetime | None = None,
        revoked_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        secret = new_secret()
        token = ApiToken(
            user_id=user.id,
            name=name,
            prefix=secret.prefix,
            token_hash=secret.digest,
            expires_at=expires_at,
            revoked_at=revoked_at,
        )
        return _save(db_session, token), secret.secret

    return make


@pytest.fixture
def bearer(make_token: Callable[..., tuple[ApiToken, str]]) -> Callable[[User], dict[str, str]]:
    """Authorization headers acting as ``user``."""

    def headers(user: User) -> dict[str, str]:
        _token, secret = make_token(user)
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[..., dict[str, str]]:
    """Sign ``client`` in through the API; return headers carrying the CSRF token."""

    def sign_in(user: User, password: str = DEFAULT_PASSWORD) -> dict[str, str]:
        response = client.post("/api/auth/login", json={"email": user.email, "password": password})
        assert response.status_code == 200, response.json
        return {"X-CSRFToken": response.json["csrf_token"]}

    return sign_in


# --- issue 4: flows, boxes, provider accounts, numbers -------------------------------


def simple_flow_document(name: str, *, box: str | None = None) -> dict[str, Any]:
    """A valid flow: a greeting, then a voicemail box (when given) or hang-up."""
    nodes: dict[str, Any] = {
        "greeting": {"type": "play", "props": {"text": "Hej"}, "ports": {"next": "end"}},
        "end": {"type": "hangup", "props": {}, "ports": {}},
    }
    if box is not None:
        nodes["greeting"]["ports"] = {"next": "vm"}
        nodes["vm"] = {"type": "voicemail", "props": {"box": box}, "ports": {"next": "end"}}
    return {"format": 1, "name": name, "entry": "greeting", "nodes": nodes, "layout": {}}


@pytest.fixture
def make_flow(db_session: Session) -> Callable[..., Flow]:
    """A flow with ``document`` as its draft; ``published=True`` also makes version 1
    from it (no validation: tests may want to publish anything)."""

    def make(
        org: Organisation,
        name: str | None = None,
        document: dict[str, Any] | None = None,
        *,
        published: bool = False,
        author: User | None = None,
    ) -> Flow:
        name = name or f"flow-{next(_serial)}"
        draft = canonical_document(parse_document(document or simple_flow_document(name)))
        flow = _save(db_session, Flow(org_id=org.id, name=name, draft=draft))
        if published:
            version = _save(
                db_session,
                FlowVersion(
                    org_id=org.id,
                    flow_id=flow.id,
                    number=1,
                    document=draft,
                    message="published by a test",
                    author_id=author.id if author else None,
                    sha256=document_sha256(draft),
                ),
            )
            flow.published_version_id = version.id
            flow = _save(db_session, flow)
        return flow

    return make


@pytest.fixture
def make_box(db_session: Session) -> Callable[..., VoicemailBox | FaxBox]:
    """``kind="voicemail"`` (default) or ``"fax"``; ``listeners`` are users of the org."""

    def make(
        org: Organisation,
        key: str | None = None,
        *,
        kind: str = "voicemail",
        name: str | None = None,
        listeners: Sequence[User] = (),
        **fields: Any,
    ) -> VoicemailBox | FaxBox:
        number = next(_serial)
        model = {"voicemail": VoicemailBox, "fax": FaxBox}[kind]
        box = model(
            org_id=org.id,
            key=key or f"{kind}-{number}",
            name=name or f"{kind.title()} box {number}",
            **fields,
        )
        box.listeners = list(listeners)
        return _save(db_session, box)

    return make


TEST_AUTH_TOKEN = "test-auth-token-0123456789"


@pytest.fixture
def make_provider_account(db_session: Session, app: Flask) -> Callable[..., ProviderAccount]:
    """The auth token is encrypted with the test app's ENCRYPTION_KEY."""

    def make(
        org: Organisation,
        provider: str = "twilio",
        *,
        account_sid: str | None = None,
        auth_token: str = TEST_AUTH_TOKEN,
        api_base_url: str | None = None,
        label: str = "",
    ) -> ProviderAccount:
        account = ProviderAccount(
            org_id=org.id,
            provider=provider,
            account_sid=account_sid or f"AC{next(_serial):032d}",
            auth_token_encrypted=crypto.encrypt(auth_token, app),
            api_base_url=api_base_url,
            label=label,
        )
        return _save(db_session, account)

    return make


@pytest.fixture
def make_number(
    db_session: Session, make_provider_account: Callable[..., ProviderAccount]
) -> Callable[..., PhoneNumber]:
    """A number of ``org``; without ``provider_account`` a new twilio account is made."""

    def make(
        org: Organisation,
        e164: str | None = None,
        *,
        voice_flow: Flow | None = None,
        fax_box: FaxBox | None = None,
        provider_account: ProviderAccount | None = None,
        label: str = "",
    ) -> PhoneNumber:
        account = provider_account or make_provider_account(org)
        number = PhoneNumber(
            org_id=org.id,
            e164=e164 or f"+4570{next(_serial):06d}",
            label=label,
            provider_account_id=account.id,
            voice_flow_id=voice_flow.id if voice_flow else None,
            fax_box_id=fax_box.id if fax_box else None,
        )
        return _save(db_session, number)

    return make


# --- issue 5: audio assets and music agreements -----------------------------------------


def write_test_wav(path: Any, seconds: float = 0.5, rate: int = 8000, hz: float = 440.0) -> Any:
    """A small 16-bit mono sine WAV, written without ffmpeg (a stand-in rendition)."""
    import math
    import wave

    frames = int(seconds * rate)
    with wave.open(path if hasattr(path, "write") else str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(
            b"".join(
                int(8000 * math.sin(2 * math.pi * hz * i / rate)).to_bytes(2, "little", signed=True)
                for i in range(frames)
            )
        )
    return path


@pytest.fixture
def make_audio_asset(db_session: Session, app: Flask) -> Callable[..., AudioAsset]:
    """A ready asset; uploads get a stand-in telephony WAV under MEDIA_FOLDER/audio/
    (``with_file=False`` for none). Pass rights_* / agreement / status as needed."""
    from pathlib import Path

    def make(
        org: Organisation,
        key: str | None = None,
        *,
        use: str = "prompt",
        kind: str = "upload",
        status: str = "ready",
        with_file: bool = True,
        agreement: MusicAgreement | None = None,
        **fields: Any,
    ) -> AudioAsset:
        number = next(_serial)
        asset = AudioAsset(
            org_id=org.id,
            key=key or f"audio-{number}",
            name=fields.pop("name", f"Audio {number}"),
            use=use,
            kind=kind,
            status=status,
            agreement_id=agreement.id if agreement is not None else None,
            **fields,
        )
        if kind == "upload" and with_file:
            folder = Path(app.config["MEDIA_FOLDER"]) / "audio"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"test-{number}.pcm.wav"
            write_test_wav(folder / name)
            asset.telephony_path = f"audio/{name}"
            asset.duration_s = 0.5
        return _save(db_session, asset)

    return make


@pytest.fixture
def make_agreement(db_session: Session) -> Callable[..., MusicAgreement]:
    def make(
        org: Organisation,
        valid_from: Any,
        valid_until: Any,
        *,
        lines_covered: int = 2,
        number: str | None = None,
    ) -> MusicAgreement:
        agreement = MusicAgreement(
            org_id=org.id,
            number=number or f"KG-{next(_serial)}",
            lines_covered=lines_covered,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        return _save(db_session, agreement)

    return make


@pytest.fixture
def make_voicemail(db_session: Session, app: Flask) -> Callable[..., Voicemail]:
    """A ready voicemail in ``box`` with a stand-in WAV under MEDIA_FOLDER/voicemail/
    (``with_media=False`` for a ``pending_media`` row without a file)."""
    from pathlib import Path

    def make(
        box: VoicemailBox, *, with_media: bool = True, seconds: float = 0.5, **fields: Any
    ) -> Voicemail:
        number = next(_serial)
        row = Voicemail(
            org_id=box.org_id,
            box_id=box.id,
            recording_sid=fields.pop("recording_sid", f"RE{number:032d}"),
            caller=fields.pop("caller", "+4511223344"),
            duration_s=fields.pop("duration_s", max(1, round(seconds))),
            status="ready" if with_media else "pending_media",
            **fields,
        )
        if with_media:
            folder = Path(app.config["MEDIA_FOLDER"]) / "voicemail"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"test-{number}.wav"
            write_test_wav(folder / name, seconds=seconds)
            row.media_path = f"voicemail/{name}"
        return _save(db_session, row)

    return make


MINIMAL_PDF = (
    b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def make_fax(db_session: Session, app: Flask) -> Callable[..., Fax]:
    """A ready fax in ``box`` with a small PDF under MEDIA_FOLDER/fax/."""
    from pathlib import Path

    def make(box: FaxBox, *, with_media: bool = True, **fields: Any) -> Fax:
        number = next(_serial)
        row = Fax(
            org_id=box.org_id,
            box_id=box.id,
            fax_sid=fields.pop("fax_sid", f"FX{number:032d}"),
            caller=fields.pop("caller", "+4511223344"),
            pages=fields.pop("pages", 1),
            status="ready" if with_media else "pending_media",
            **fields,
        )
        if with_media:
            folder = Path(app.config["MEDIA_FOLDER"]) / "fax"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"test-{number}.pdf"
            (folder / name).write_bytes(MINIMAL_PDF)
            row.media_path = f"fax/{name}"
        return _save(db_session, row)

    return make
