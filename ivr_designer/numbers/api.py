"""/api/numbers and /api/provider-accounts (administrators)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ivr_designer import crypto
from ivr_designer.auth.current import current_actor
from ivr_designer.extensions import db
from ivr_designer.models import PhoneNumber, ProviderAccount
from ivr_designer.numbers import accounts, operations
from ivr_designer.numbers.schemas import (
    ListQuerySchema,
    NumberCreateSchema,
    NumberSchema,
    NumberUpdateSchema,
    ProviderAccountCreateSchema,
    ProviderAccountSchema,
    ProviderAccountUpdateSchema,
)

blp = Blueprint(
    "numbers", __name__, url_prefix="/api", description="Phone numbers and provider accounts."
)


@blp.route("/numbers")
class Numbers(MethodView):
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, NumberSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[PhoneNumber]:
        return operations.list_numbers(db.session, current_actor(), **query)

    @blp.arguments(NumberCreateSchema)
    @blp.response(201, NumberSchema)
    def post(self, data: dict[str, Any]) -> PhoneNumber:
        """Add a number; its voice flow must be published, its links of the same org."""
        return operations.create_number(db.session, current_actor(), **data)


@blp.route("/numbers/<int:number_id>")
class NumberById(MethodView):
    @blp.response(200, NumberSchema)
    def get(self, number_id: int) -> PhoneNumber:
        return operations.get_number(db.session, current_actor(), number_id)

    @blp.arguments(NumberUpdateSchema)
    @blp.response(200, NumberSchema)
    def patch(self, changes: dict[str, Any], number_id: int) -> PhoneNumber:
        return operations.update_number(db.session, current_actor(), number_id, changes)

    @blp.response(204)
    def delete(self, number_id: int) -> None:
        operations.delete_number(db.session, current_actor(), number_id)


@blp.route("/provider-accounts")
class ProviderAccounts(MethodView):
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, ProviderAccountSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[ProviderAccount]:
        return accounts.list_accounts(db.session, current_actor(), **query)

    @blp.arguments(ProviderAccountCreateSchema)
    @blp.response(201, ProviderAccountSchema)
    def post(self, data: dict[str, Any]) -> ProviderAccount:
        """Add credentials; the auth token is stored encrypted and never shown again."""
        return accounts.create_account(db.session, current_actor(), crypto.encrypt, **data)


@blp.route("/provider-accounts/<int:account_id>")
class ProviderAccountById(MethodView):
    @blp.response(200, ProviderAccountSchema)
    def get(self, account_id: int) -> ProviderAccount:
        return accounts.get_account(db.session, current_actor(), account_id)

    @blp.arguments(ProviderAccountUpdateSchema)
    @blp.response(200, ProviderAccountSchema)
    def patch(self, changes: dict[str, Any], account_id: int) -> ProviderAccount:
        """Change settings; send ``auth_token`` only to replace it."""
        return accounts.update_account(
            db.session, current_actor(), crypto.encrypt, account_id, changes
        )

    @blp.response(204)
    def delete(self, account_id: int) -> None:
        """Refused (409) while numbers use the account."""
        accounts.delete_account(db.session, current_actor(), account_id)
