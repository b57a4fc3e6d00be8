"""Checking that a webhook really comes from the provider (``X-Twilio-Signature``).

Twilio (and the TwiML-compatible providers) sign the full URL they requested plus, for
form posts, the sorted POST parameters; JSON posts carry ``bodySHA256`` in the query
and the URL alone is signed. The URL must be rebuilt exactly as the provider saw it:
see :mod:`integrations.telephony.public_url`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import RequestValidator

__all__ = ["SIGNATURE_HEADER", "sign", "verify_signature"]

SIGNATURE_HEADER = "X-Twilio-Signature"


class _Params:
    """Form parameters as the validator wants them: every value of a repeated key."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key, []).append(value)

    def __iter__(self) -> Any:
        return iter(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def getall(self, key: str) -> list[str]:
        return self._values[key]


def _pairs(params: Mapping[str, str] | Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        getlist = getattr(params, "getlist", None)
        if callable(getlist):
            return [(key, value) for key in params for value in getlist(key)]
        return [(str(k), str(v)) for k, v in params.items()]
    return [(str(k), str(v)) for k, v in params]


def verify_signature(
    auth_token: str,
    urls: Sequence[str],
    signature: str | None,
    *,
    form: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    body: str | None = None,
) -> str | None:
    """The URL among ``urls`` the request was validly signed for, or None.

    ``form`` holds form-encoded POST parameters; ``body`` the raw text of a JSON post
    (whose URL must then carry ``bodySHA256``). Each URL is tried with and without its
    default port, as the provider may have signed either spelling.

    >>> token = "secret"
    >>> url = "https://example.org/hooks/voice"
    >>> verify_signature(token, [url], sign(token, url, {"To": "+4511"}), form={"To": "+4511"})
    'https://example.org/hooks/voice'
    """
    if not signature or not auth_token:
        return None
    validator = RequestValidator(auth_token)
    for url in urls:
        if body is not None:
            if "bodySHA256" not in parse_qs(urlsplit(url).query):
                continue
            if validator.validate(url, body, signature):
                return url
        elif validator.validate(url, _Params(_pairs(form)), signature):
            return url
    return None


def sign(
    auth_token: str, url: str, form: Mapping[str, str] | Sequence[tuple[str, str]] = ()
) -> str:
    """The signature a provider puts on a form post of ``form`` to ``url``."""
    return str(RequestValidator(auth_token).compute_signature(url, _Params(_pairs(form))))
