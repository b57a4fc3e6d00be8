"""/api/voicemail-boxes and /api/fax-boxes.

Administrators manage boxes; staff may list the boxes they listen to.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ivr_designer.auth.current import current_actor
from ivr_designer.boxes import operations
from ivr_designer.boxes.operations import FAX, VOICEMAIL, Box
from ivr_designer.boxes.schemas import (
    BoxCreateSchema,
    BoxListQuerySchema,
    BoxSchema,
    BoxUpdateSchema,
    VoicemailBoxCreateSchema,
    VoicemailBoxSchema,
    VoicemailBoxUpdateSchema,
)
from ivr_designer.extensions import db

blp = Blueprint("boxes", __name__, url_prefix="/api", description="Voicemail and fax boxes.")


@blp.route("/voicemail-boxes")
class VoicemailBoxes(MethodView):
    @blp.arguments(BoxListQuerySchema, location="query")
    @blp.response(200, VoicemailBoxSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Box]:
        """The org's voicemail boxes; for staff, the ones they listen to."""
        return operations.list_boxes(db.session, current_actor(), VOICEMAIL, **query)

    @blp.arguments(VoicemailBoxCreateSchema)
    @blp.response(201, VoicemailBoxSchema)
    def post(self, data: dict[str, Any]) -> Box:
        return operations.create_box(db.session, current_actor(), VOICEMAIL, **data)


@blp.route("/voicemail-boxes/<int:box_id>")
class VoicemailBoxById(MethodView):
    @blp.response(200, VoicemailBoxSchema)
    def get(self, box_id: int) -> Box:
        return operations.get_box(db.session, current_actor(), VOICEMAIL, box_id)

    @blp.arguments(VoicemailBoxUpdateSchema)
    @blp.response(200, VoicemailBoxSchema)
    def patch(self, changes: dict[str, Any], box_id: int) -> Box:
        """Rename, change listeners or the longest message; the key is fixed."""
        return operations.update_box(db.session, current_actor(), VOICEMAIL, box_id, changes)

    @blp.response(204)
    def delete(self, box_id: int) -> None:
        """Refused (409) while a published flow uses it or it holds messages."""
        operations.delete_box(db.session, current_actor(), VOICEMAIL, box_id)


@blp.route("/fax-boxes")
class FaxBoxes(MethodView):
    @blp.arguments(BoxListQuerySchema, location="query")
    @blp.response(200, BoxSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Box]:
        """The org's fax boxes; for staff, the ones they listen to."""
        return operations.list_boxes(db.session, current_actor(), FAX, **query)

    @blp.arguments(BoxCreateSchema)
    @blp.response(201, BoxSchema)
    def post(self, data: dict[str, Any]) -> Box:
        return operations.create_box(db.session, current_actor(), FAX, **data)


@blp.route("/fax-boxes/<int:box_id>")
class FaxBoxById(MethodView):
    @blp.response(200, BoxSchema)
    def get(self, box_id: int) -> Box:
        return operations.get_box(db.session, current_actor(), FAX, box_id)

    @blp.arguments(BoxUpdateSchema)
    @blp.response(200, BoxSchema)
    def patch(self, changes: dict[str, Any], box_id: int) -> Box:
        """Rename or change listeners; the key is fixed."""
        return operations.update_box(db.session, current_actor(), FAX, box_id, changes)

    @blp.response(204)
    def delete(self, box_id: int) -> None:
        """Refused (409) while a published flow or a number uses it, or it holds faxes."""
        operations.delete_box(db.session, current_actor(), FAX, box_id)
