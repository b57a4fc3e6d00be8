"""Telephony providers: webhook signatures, the public URL they sign, media downloads.

Plain functions and classes; no Flask, no database.
"""

from integrations.telephony.provider import (
    MediaFile,
    MediaUnavailable,
    NullProvider,
    RestProvider,
    TelephonyProvider,
    make_provider,
)
from integrations.telephony.public_url import RequestFacts, candidate_urls, request_url
from integrations.telephony.signatures import SIGNATURE_HEADER, sign, verify_signature

__all__ = [
    "SIGNATURE_HEADER",
    "MediaFile",
    "MediaUnavailable",
    "NullProvider",
    "RequestFacts",
    "RestProvider",
    "TelephonyProvider",
    "candidate_urls",
    "make_provider",
    "request_url",
    "sign",
    "verify_signature",
]
