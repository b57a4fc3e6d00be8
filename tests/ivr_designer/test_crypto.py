"""Provider credentials at rest: Fernet keys from config, rotation, start-up checks."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet

from ivr_designer import create_app, crypto
from ivr_designer.config import ConfigError


@pytest.fixture
def instance(tmp_path, monkeypatch):
    for variable in ("IVR_ENV", "DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("IVR_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path / "instance"


def test_round_trip_and_the_ciphertext_hides_the_secret(instance):
    app = create_app()
    with app.app_context():
        stored = crypto.encrypt("auth-token-1234")
        assert "auth-token-1234" not in stored
        assert stored != crypto.encrypt("auth-token-1234"), "each encryption is randomised"
        assert crypto.decrypt(stored) == "auth-token-1234"


def test_development_key_is_generated_once_and_private(instance):
    first = create_app()
    key_file = instance / "encryption_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    with first.app_context():
        stored = crypto.encrypt("secret")
    second = create_app()
    assert second.config["ENCRYPTION_KEY"] == first.config["ENCRYPTION_KEY"]
    with second.app_context():
        assert crypto.decrypt(stored) == "secret"


def test_production_refuses_to_start_without_a_key(instance, monkeypatch):
    monkeypatch.setenv("IVR_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-key")
    with pytest.raises(ConfigError, match="ENCRYPTION_KEY is not set"):
        create_app()
    assert not (instance / "encryption_key").exists()
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ENCRYPTION_KEY", key)
    assert create_app().config["ENCRYPTION_KEY"] == key


def test_a_malformed_key_is_a_start_up_error_that_does_not_echo_it(instance, monkeypatch):
    monkeypatch.setenv("ENCRYPTION_KEY", "not-a-real-key-but-secret-material")
    with pytest.raises(ConfigError) as caught:
        create_app()
    assert "not-a-real-key" not in str(caught.value)
    assert "key 1 is not a Fernet key" in str(caught.value)


def test_rotation_new_key_first_old_values_still_readable(instance, caplog):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app = create_app({"ENCRYPTION_KEY": old})
    with app.app_context():
        stored = crypto.encrypt("token-under-old-key")
    caplog.set_level(logging.DEBUG)
    rotated_app = create_app({"ENCRYPTION_KEY": f"{new}, {old}"})
    with rotated_app.app_context():
        assert crypto.decrypt(stored) == "token-under-old-key"
        rotated = crypto.rotate(stored)
    new_only = create_app({"ENCRYPTION_KEY": new})
    with new_only.app_context():
        assert crypto.decrypt(rotated) == "token-under-old-key"
        with pytest.raises(crypto.DecryptionFailed):
            crypto.decrypt(stored)
    assert "token-under-old-key" not in caplog.text
    assert old not in caplog.text
    assert new not in caplog.text


def test_damaged_values_raise_a_domain_error(instance):
    app = create_app()
    with app.app_context():
        with pytest.raises(crypto.DecryptionFailed):
            crypto.decrypt("gAAAAA-not-a-token")
        with pytest.raises(crypto.DecryptionFailed):
            crypto.rotate("garbage")


def test_parse_keys_accepts_lists_and_rejects_empty():
    key = crypto.generate_key()
    assert crypto.parse_keys([key]).decrypt(crypto.parse_keys(key).encrypt(b"x")) == b"x"
    with pytest.raises(crypto.InvalidKey, match="no key"):
        crypto.parse_keys(" , ")
