"""Webhook signatures: what Twilio signs, and what must not pass."""

from __future__ import annotations

import hashlib

from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from integrations.telephony import sign, verify_signature

TOKEN = "auth-token-123"
URL = "https://ivr.example.dk/hooks/voice/7/menu/result?tries=1"
FORM = {"CallSid": "CA1", "Digits": "1", "To": "+4570000000"}


def test_a_twilio_signature_is_accepted():
    signature = RequestValidator(TOKEN).compute_signature(URL, FORM)
    assert verify_signature(TOKEN, [URL], signature, form=FORM) == URL


def test_forged_missing_and_wrong_token_are_refused():
    signature = sign(TOKEN, URL, FORM)
    assert verify_signature(TOKEN, [URL], None, form=FORM) is None
    assert verify_signature(TOKEN, [URL], "", form=FORM) is None
    assert verify_signature(TOKEN, [URL], "AAAA" + signature[4:], form=FORM) is None
    assert verify_signature("other-token", [URL], signature, form=FORM) is None
    assert verify_signature("", [URL], signature, form=FORM) is None


def test_changed_parameters_or_url_are_refused():
    signature = sign(TOKEN, URL, FORM)
    assert verify_signature(TOKEN, [URL], signature, form={**FORM, "Digits": "2"}) is None
    assert (
        verify_signature(TOKEN, [URL.replace("tries=1", "tries=0")], signature, form=FORM) is None
    )


def test_the_matching_candidate_is_returned():
    other = "http://app:8000/hooks/voice/7/menu/result?tries=1"
    signature = sign(TOKEN, URL, FORM)
    assert verify_signature(TOKEN, [other, URL], signature, form=FORM) == URL


def test_default_port_spelling_does_not_matter():
    with_port = "https://ivr.example.dk:443/hooks/voice"
    without = "https://ivr.example.dk/hooks/voice"
    assert verify_signature(TOKEN, [without], sign(TOKEN, with_port, FORM), form=FORM) == without
    assert verify_signature(TOKEN, [with_port], sign(TOKEN, without, FORM), form=FORM) == with_port


def test_repeated_form_keys_are_all_signed():
    form = MultiDict([("a", "2"), ("a", "1"), ("b", "x")])
    signature = sign(TOKEN, URL, [("a", "1"), ("a", "2"), ("b", "x")])
    assert verify_signature(TOKEN, [URL], signature, form=form) == URL
    assert verify_signature(TOKEN, [URL], signature, form={"a": "1", "b": "x"}) is None


def test_json_body_variant_checks_the_body_hash():
    body = '{"CallSid": "CA1"}'
    url = (
        f"https://ivr.example.dk/hooks/voice?bodySHA256={hashlib.sha256(body.encode()).hexdigest()}"
    )
    signature = RequestValidator(TOKEN).compute_signature(url, {})
    assert verify_signature(TOKEN, [url], signature, body=body) == url
    assert verify_signature(TOKEN, [url], signature, body=body + " ") is None
    # A JSON body without bodySHA256 in the URL is never accepted.
    plain = "https://ivr.example.dk/hooks/voice"
    assert verify_signature(TOKEN, [plain], sign(TOKEN, plain), body=body) is None
