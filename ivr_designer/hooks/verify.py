"""Signature first: the request is checked against the number's provider token before
any of its content is acted on. Failures answer 403 and are logged."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import cast
from urllib.parse import quote, urlsplit

from flask import Request, current_app

from integrations.telephony import SIGNATURE_HEADER, RequestFacts, candidate_urls, verify_signature
from ivr_designer import crypto
from ivr_designer.hooks.lookup import Route

_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
log = logging.getLogger(__name__)

__all__ = ["SignatureRejected", "auth_token", "request_facts", "verified_base"]

TOKENS_EXTENSION = "ivr_designer.hooks.auth_tokens"
_TOKENS_KEPT = 256


class SignatureRejected(Exception):
    """Missing or forged provider signature."""


def request_facts(request: Request) -> RequestFacts:
    """What the server saw, from before any ProxyFix rewriting."""
    environ = request.environ
    original = environ.get("werkzeug.proxy_fix.orig", {})
    return RequestFacts(
        scheme=original.get("wsgi.url_scheme", environ.get("wsgi.url_scheme", "http")),
        host=original.get("HTTP_HOST", environ.get("HTTP_HOST", "")),
        path=environ.get("PATH_INFO", ""),
        query=environ.get("QUERY_STRING", ""),
        script_name=original.get("SCRIPT_NAME", environ.get("SCRIPT_NAME", "")),
        server_port=str(environ.get("SERVER_PORT", "")),
        raw_target=environ.get("RAW_URI") or environ.get("REQUEST_URI"),
        headers=cast(Mapping[str, str], request.headers),
    )


def _base_of(url: str, path: str) -> str:
    """The public base (origin and any prefix) of a verified URL."""
    parts = urlsplit(url)
    prefix = parts.path[: -len(path)] if path and parts.path.endswith(path) else ""
    return f"{parts.scheme}://{parts.netloc}{prefix}"


def auth_token(encrypted: str) -> str:
    """The provider account's auth token, decrypted once per process and ciphertext.

    Fernet decryption costs more than the rest of the signature check; the ciphertext
    changes whenever the token (or the encryption key) does, so it is a safe key.
    """
    kept: dict[str, str] = current_app.extensions.setdefault(TOKENS_EXTENSION, {})
    token = kept.get(encrypted)
    if token is None:
        token = crypto.decrypt(encrypted)
        if len(kept) >= _TOKENS_KEPT:
            kept.clear()
        kept[encrypted] = token
    return token


def verified_base(request: Request, route: Route) -> str:
    """Check the signature with ``route``'s credentials; return the public base URL the
    provider used (so our answers send it back to the same place)."""
    config = current_app.config
    facts = request_facts(request)
    urls = candidate_urls(
        facts, config.get("PUBLIC_BASE_URL") or None, int(config["TRUSTED_PROXY_COUNT"])
    )
    token = auth_token(route.auth_token_encrypted)
    signature = request.headers.get(SIGNATURE_HEADER)
    if request.mimetype == "application/json":
        body = request.get_data(as_text=True)
        matched = verify_signature(token, urls, signature, body=body)
    else:
        matched = verify_signature(token, urls, signature, form=request.form)
    if matched is None:
        log.warning(
            "webhook signature %s for %s (number %s, tried %s)",
            "missing" if not signature else "invalid",
            request.path,
            route.e164,
            ", ".join(urls),
        )
        raise SignatureRejected(request.path)
    return _base_of(matched, quote(facts.path.encode("latin-1", "replace"), safe=_PATH_SAFE))
