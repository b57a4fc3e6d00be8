"""The factory: configuration sources, secret key handling, no database work."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_designer import create_app
from ivr_designer.config import ConfigError
from ivr_designer.database import normalise_database_url

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    for variable in (
        "IVR_ENV",
        "DATABASE_URL",
        "SECRET_KEY",
        "PUBLIC_BASE_URL",
        "MEDIA_FOLDER",
        "ENCRYPTION_KEY",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path / "instance"


def test_embedded_defaults_live_in_the_instance_folder(instance):
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'ivr-designer.sqlite'}"
    assert app.config["MEDIA_FOLDER"] == str(instance / "media")
    assert not (instance / "ivr-designer.sqlite").exists(), "the factory must not touch the DB"


def test_development_secret_key_is_generated_once(instance):
    first = create_app().config["SECRET_KEY"]
    assert len(first) >= 32
    assert (instance / "secret_key").stat().st_mode & 0o777 == 0o600
    assert create_app().config["SECRET_KEY"] == first


def test_production_requires_a_secret_key(instance, monkeypatch):
    monkeypatch.setenv("IVR_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    assert not (instance / "secret_key").exists()
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


def test_environment_variables_are_read(instance, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/ivr")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://ivr.example.dk")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("MEDIA_FOLDER", "/srv/media")
    app = create_app()
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@db.example/ivr"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAX_CONTENT_LENGTH"] == 2048
    assert app.config["MEDIA_FOLDER"] == "/srv/media"


def test_instance_config_file_is_read(instance):
    instance.mkdir(parents=True)
    (instance / "config.py").write_text("LOGIN_MAX_FAILURES_PER_IP = 99\n")
    assert create_app().config["LOGIN_MAX_FAILURES_PER_IP"] == 99


def test_explicit_config_wins(instance, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "env")
    assert create_app({"SECRET_KEY": "explicit"}).config["SECRET_KEY"] == "explicit"


def test_bad_integer_is_a_clear_error(instance, monkeypatch):
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "lots")
    with pytest.raises(ConfigError, match="MAX_CONTENT_LENGTH"):
        create_app()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_normalisation(given, expected):
    assert normalise_database_url(given) == expected


def test_building_the_app_needs_no_database(instance):
    app = create_app({"DATABASE_URL": UNREACHABLE})
    assert app.url_map is not None


def test_health_is_503_when_the_database_is_down(instance):
    response = create_app({"DATABASE_URL": UNREACHABLE}).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_proxy_headers_are_trusted_only_when_configured(instance, database_url):
    seen = {}

    def remember(app):
        @app.get("/api/_ip")
        def _ip():
            from flask import request

            seen["ip"] = request.remote_addr
            return {}

    for hops, expected in ((0, "127.0.0.1"), (1, "203.0.113.5")):
        app = create_app({"TRUSTED_PROXY_COUNT": hops, "DATABASE_URL": database_url})
        remember(app)
        app.test_client().get("/api/_ip", headers={"X-Forwarded-For": "203.0.113.5"})
        assert seen["ip"] == expected
