"""/api/users: administrators manage users; staff may read themselves."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ivr_designer.auth.current import current_actor, password_hasher
from ivr_designer.extensions import db
from ivr_designer.models import User
from ivr_designer.users import operations
from ivr_designer.users.schemas import (
    UserCreateSchema,
    UserListQuerySchema,
    UserSchema,
    UserUpdateSchema,
)

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Users.")


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserListQuerySchema, location="query")
    @blp.response(200, UserSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[User]:
        """Users visible to the caller, optionally of one organisation."""
        return operations.list_users(db.session, current_actor(), org_id=query.get("org_id"))

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data: dict[str, Any]) -> User:
        """Create a user; org admins create only in their own organisation."""
        return operations.create_user(db.session, current_actor(), password_hasher(), **data)


@blp.route("/<int:user_id>")
class UserById(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id: int) -> User:
        return operations.get_user(db.session, current_actor(), user_id)

    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, changes: dict[str, Any], user_id: int) -> User:
        return operations.update_user(
            db.session, current_actor(), password_hasher(), user_id, changes
        )

    @blp.response(204)
    def delete(self, user_id: int) -> None:
        operations.delete_user(db.session, current_actor(), user_id)
