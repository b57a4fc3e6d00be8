"""/api/orgs: system admins manage all organisations, org admins their own."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ivr_designer.auth.current import current_actor
from ivr_designer.extensions import db
from ivr_designer.models import Organisation
from ivr_designer.orgs import operations
from ivr_designer.orgs.schemas import OrgCreateSchema, OrgSchema, OrgUpdateSchema

blp = Blueprint("orgs", __name__, url_prefix="/api/orgs", description="Organisations.")


@blp.route("")
class Orgs(MethodView):
    @blp.response(200, OrgSchema(many=True))
    def get(self) -> list[Organisation]:
        """All organisations (system admins)."""
        return operations.list_orgs(db.session, current_actor())

    @blp.arguments(OrgCreateSchema)
    @blp.response(201, OrgSchema)
    def post(self, data: dict[str, Any]) -> Organisation:
        """Create an organisation (system admins)."""
        return operations.create_org(db.session, current_actor(), **data)


@blp.route("/<int:org_id>")
class OrgById(MethodView):
    @blp.response(200, OrgSchema)
    def get(self, org_id: int) -> Organisation:
        """One organisation with its settings."""
        return operations.get_org(db.session, current_actor(), org_id)

    @blp.arguments(OrgUpdateSchema)
    @blp.response(200, OrgSchema)
    def patch(self, changes: dict[str, Any], org_id: int) -> Organisation:
        """Change settings (retention, password policy, time zone, language)."""
        return operations.update_org(db.session, current_actor(), org_id, changes)
