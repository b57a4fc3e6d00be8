"""Domain errors and the JSON error format of the API.

Operations raise the domain errors below without knowing about HTTP; the handlers
registered here turn them, and every HTTP error under ``/api``, into
``{"error": "...", "fields": {...}}`` with the matching status code.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/healthz", "/hooks/")


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class Invalid(DomainError):
    status = 422


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooManyAttempts(DomainError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def error_response(
    status: int, message: str, fields: dict[str, Any] | None = None
) -> tuple[Response, int]:
    return jsonify({"error": message, "fields": fields or {}}), status


def _flatten_messages(data: Any) -> dict[str, Any]:
    """webargs nests messages per location ({"json": {...}}); clients want the fields."""
    messages = (data or {}).get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        return {}
    flat: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            flat.update(location_messages)
    return flat


def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith(JSON_PREFIXES)


def _handle_http(error: HTTPException) -> Any:
    if not _wants_json():
        return error
    status = error.code or 500
    data = getattr(error, "data", None)
    fields = _flatten_messages(data)
    message = "validation failed" if status == 422 else (error.description or error.name)
    if status == 400 and isinstance(data, dict) and "messages" in data and not fields:
        message = "malformed JSON body"
    response, status = error_response(status, message, fields)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response, status


def _handle_domain(error: DomainError) -> tuple[Response, int]:
    response, status = error_response(error.status, error.message, error.fields)
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    return response, status


def _handle_integrity(error: IntegrityError) -> tuple[Response, int]:
    log.info("integrity error turned into 409: %s", error.orig.__class__.__name__)
    return error_response(409, "conflicts with existing data")


def _handle_unexpected(error: Exception) -> Any:
    if isinstance(error, HTTPException):
        return _handle_http(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    if not _wants_json():
        return InternalServerError()
    return error_response(500, "internal server error")


def init_app(app: Flask) -> None:
    """Register after the API so these handlers replace flask-smorest's."""
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(DomainError, _handle_domain)
    app.register_error_handler(IntegrityError, _handle_integrity)
    app.register_error_handler(Exception, _handle_unexpected)
