"""Configuration: defaults < instance ``config.py`` < environment < explicit mapping.

Environment variables are the deployment interface (twelve-factor); the instance
folder holds what the app generates for itself on a single machine (SQLite file,
development secret key, media).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from integrations.notify.policy import DEFAULT_MAX_FLOOD_WAITS
from ivr_designer import crypto
from ivr_designer.database import normalise_database_url

#: Environment variables read at start-up, with the config key they set.
ENVIRONMENT_VARIABLES: dict[str, str] = {
    "IVR_ENV": "ENV",
    "DATABASE_URL": "DATABASE_URL",
    "SECRET_KEY": "SECRET_KEY",
    "PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
    "MEDIA_FOLDER": "MEDIA_FOLDER",
    "MAX_CONTENT_LENGTH": "MAX_CONTENT_LENGTH",
    "TRUSTED_PROXY_COUNT": "TRUSTED_PROXY_COUNT",
    "ENCRYPTION_KEY": "ENCRYPTION_KEY",
    "TELEPHONY_PROVIDER": "TELEPHONY_PROVIDER",
    "TELEPHONY_TIMEOUT": "TELEPHONY_TIMEOUT",
    "TELEPHONY_MAX_MEDIA_BYTES": "TELEPHONY_MAX_MEDIA_BYTES",
    "HOOKS_DEFAULT_LANGUAGE": "HOOKS_DEFAULT_LANGUAGE",
    "AUDIO_MAX_BYTES": "AUDIO_MAX_BYTES",
    "AUDIO_WORKER_THREADS": "AUDIO_WORKER_THREADS",
    "TELEGRAM_API_BASE_URL": "TELEGRAM_API_BASE_URL",
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "WEBHOOKS_ALLOW_PRIVATE_TARGETS",
    "NOTIFY_MAX_ATTEMPTS": "NOTIFY_MAX_ATTEMPTS",
    "NOTIFY_WORKER_THREADS": "NOTIFY_WORKER_THREADS",
    "NOTIFY_SEND_IN_BACKGROUND": "NOTIFY_SEND_IN_BACKGROUND",
}
_BOOLEAN_KEYS = {"WEBHOOKS_ALLOW_PRIVATE_TARGETS", "NOTIFY_SEND_IN_BACKGROUND"}
_INTEGER_KEYS = {
    "NOTIFY_MAX_ATTEMPTS",
    "NOTIFY_WORKER_THREADS",
    "MAX_CONTENT_LENGTH",
    "TRUSTED_PROXY_COUNT",
    "TELEPHONY_TIMEOUT",
    "TELEPHONY_MAX_MEDIA_BYTES",
    "AUDIO_MAX_BYTES",
    "AUDIO_WORKER_THREADS",
}

DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "TRUSTED_PROXY_COUNT": 0,
    # Audio library (issue 5): upload size, duration limits, inline vs worker processing.
    "AUDIO_MAX_BYTES": 50 * 1024 * 1024,
    "AUDIO_MAX_MUSIC_SECONDS": 15 * 60,
    "AUDIO_MAX_PROMPT_SECONDS": 2 * 60,
    "AUDIO_INLINE_MAX_SECONDS": 10,  # longer uploads are transcoded off the request
    "AUDIO_WORKER_THREADS": 1,  # in-process worker; 0 leaves it to the scheduler job
    "AUDIO_STALE_PROCESSING_SECONDS": 30 * 60,  # a claim this old is retried by the job
    # Telephony (issue 4): "rest" downloads media from the provider, "null" never does.
    "TELEPHONY_PROVIDER": "rest",
    "TELEPHONY_TIMEOUT": 10,
    "TELEPHONY_MAX_MEDIA_BYTES": 50 * 1024 * 1024,
    # Language of what callers to unknown numbers hear (orgs use their own).
    "HOOKS_DEFAULT_LANGUAGE": "da",
    "HOOKS_FLOW_CACHE_SIZE": 256,
    "SCHEDULER_MEDIA_RETRY_MINUTES": 5,
    # Notifications (outbox worker, Telegram, outgoing webhooks).
    "NOTIFY_MAX_ATTEMPTS": 12,  # then the delivery is dead-lettered (admins can retry)
    "NOTIFY_MAX_FLOOD_WAITS": DEFAULT_MAX_FLOOD_WAITS,  # Telegram 429 waits, not attempts
    "NOTIFY_BACKOFF_BASE_SECONDS": 10.0,
    "NOTIFY_BACKOFF_CAP_SECONDS": 6 * 3600.0,
    "NOTIFY_TIMEOUT_SECONDS": 10.0,  # per remote call
    # Delivery threads in the scheduler/worker process: at Telegram's ~50-100 ms per
    # request, 2 threads top out near 25 messages/s and a backlog builds; 4 keep up.
    "NOTIFY_WORKER_THREADS": 4,
    # Sending threads run at idle CPU priority (Linux), so call webhooks come first.
    "NOTIFY_SEND_IN_BACKGROUND": True,
    "NOTIFY_POLL_SECONDS": 0.5,  # fallback poll when no wake-up signal arrives
    "NOTIFY_LEASE_SECONDS": 120,  # a claimed delivery is retried after this (crashed worker)
    "TELEGRAM_API_BASE_URL": "https://api.telegram.org",
    "TELEGRAM_LINK_TOKEN_MINUTES": 30,
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": False,  # SSRF guard; self-hosters may allow LAN targets
    "WEBHOOK_DISABLE_AFTER_FAILURES": 50,
    "WEBHOOK_DISABLE_AFTER_HOURS": 24,
    "MEDIA_LINK_TTL_SECONDS": 3 * 24 * 3600,  # signed media links in webhook payloads
    # Scheduler and retention.
    "SCHEDULER_LOCK_SECONDS": 30,  # lease; a standby scheduler takes over after this
    "RETENTION_SWEEP_MINUTES": 60,
    "RETENTION_BATCH_SIZE": 500,
    "SESSION_COOKIE_NAME": "ivr_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # CSRF is checked by ivr_designer.security, which knows about bearer tokens.
    "WTF_CSRF_CHECK_DEFAULT": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "CSRF_EXEMPT_PATH_PREFIXES": ("/hooks/",),
    "PASSWORD_MIN_LENGTH": 12,
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 64 * 1024,
    "ARGON2_PARALLELISM": 4,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_IP": 20,
    "API_TITLE": "ivr-designer",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "ivr_session"},
            }
        },
        "security": [{"bearer": []}, {"session": []}],
    },
}


class ConfigError(RuntimeError):
    """The app cannot start with this configuration; the message says what to set."""


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Pick the documented variables out of ``environ``, converting numbers."""
    found: dict[str, Any] = {}
    for variable, key in ENVIRONMENT_VARIABLES.items():
        value = environ.get(variable)
        if value in (None, ""):
            continue
        if key in _BOOLEAN_KEYS:
            if value.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ConfigError(f"{variable} must be true or false, got {value!r}")
            found[key] = value.lower() in ("1", "true", "yes", "on")
        elif key in _INTEGER_KEYS:
            try:
                found[key] = int(value)
            except ValueError as exc:
                raise ConfigError(f"{variable} must be an integer, got {value!r}") from exc
        else:
            found[key] = value
    return found


def load(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Fill ``app.config``; fail early with a readable message when unusable."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(from_environment(os.environ))
    if overrides:
        app.config.from_mapping(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.setdefault("DATABASE_URL", f"sqlite:///{instance / 'ivr-designer.sqlite'}")
    app.config["DATABASE_URL"] = normalise_database_url(app.config["DATABASE_URL"])
    app.config.setdefault("MEDIA_FOLDER", str(instance / "media"))
    app.config["SESSION_COOKIE_SECURE"] = str(app.config["PUBLIC_BASE_URL"]).startswith("https://")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret_key(app, instance)
    if not app.config.get("ENCRYPTION_KEY"):
        app.config["ENCRYPTION_KEY"] = _development_encryption_key(app, instance)
    try:
        crypto.parse_keys(app.config["ENCRYPTION_KEY"])
    except crypto.InvalidKey as exc:
        raise ConfigError(f"ENCRYPTION_KEY is not usable: {exc}. {_KEY_HINT}") from None


def is_production(app: Flask) -> bool:
    return str(app.config.get("ENV", "")).lower() == "production"


def _development_secret_key(app: Flask, instance: Path) -> str:
    """Generate the key once so sessions survive restarts; refuse in production."""
    if is_production(app):
        raise ConfigError(
            "SECRET_KEY is not set. In production (IVR_ENV=production) set SECRET_KEY "
            "to a long random value, e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'`."
        )
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


_KEY_HINT = (
    "Generate one with `python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'`; several keys separated by commas rotate "
    "(the first encrypts)."
)


def _development_encryption_key(app: Flask, instance: Path) -> str:
    """Like the secret key: generated once in development, required in production.

    Losing this key makes every stored provider credential unreadable, so production
    must manage it explicitly rather than depend on a file that a redeploy may drop.
    """
    if is_production(app):
        raise ConfigError(
            "ENCRYPTION_KEY is not set. In production (IVR_ENV=production) set "
            f"ENCRYPTION_KEY to keep provider credentials encrypted at rest. {_KEY_HINT}"
        )
    path = instance / "encryption_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(crypto.generate_key())
    return path.read_text().strip()


def instance_path() -> str | None:
    """``IVR_INSTANCE_PATH`` moves the instance folder (data, keys); default: Flask's."""
    return os.environ.get("IVR_INSTANCE_PATH") or None
