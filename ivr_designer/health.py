"""GET /healthz for load balancers: 200 when the database answers, else 503."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ivr_designer.extensions import db

log = logging.getLogger(__name__)
blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check failed: %s", exc.__class__.__name__)
        return jsonify({"status": "unavailable", "database": "error"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
