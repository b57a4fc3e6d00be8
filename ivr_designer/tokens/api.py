"""/api/tokens: the caller's own API tokens."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ivr_designer.auth.current import current_actor
from ivr_designer.extensions import db
from ivr_designer.models import ApiToken
from ivr_designer.models.base import utcnow
from ivr_designer.tokens import operations
from ivr_designer.tokens.schemas import NewTokenSchema, TokenCreateSchema, TokenSchema

blp = Blueprint("tokens", __name__, url_prefix="/api/tokens", description="Own API tokens.")


@blp.route("")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self) -> list[ApiToken]:
        return operations.list_tokens(db.session, current_actor())

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a token; the response carries the secret, which is never shown again."""
        token, secret = operations.create_token(db.session, current_actor(), now=utcnow(), **data)
        return {**{name: getattr(token, name) for name in TokenSchema().fields}, "token": secret}


@blp.route("/<int:token_id>")
class TokenById(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a token (it stays listed, marked revoked)."""
        operations.revoke_token(db.session, current_actor(), token_id, now=utcnow())
