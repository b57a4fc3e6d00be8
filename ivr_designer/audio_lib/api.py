"""/api/audio and /api/music-agreements: the org's audio library and its music licences.

Administrators write; staff may list and read assets (and their waveform) for the
editor. Uploads are ``multipart/form-data`` streamed to disk under their own size
limit (AUDIO_MAX_BYTES), not the JSON API's MAX_CONTENT_LENGTH.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, cast

from flask import Response, after_this_request, current_app, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from audio.errors import AudioError, TooLarge
from audio.ingest import receive
from audio.names import safe_display_name
from audio.peaks import peaks
from ivr_designer.audio_lib import agreements, operations, worker
from ivr_designer.audio_lib.schemas import (
    AgreementCreateSchema,
    AgreementSchema,
    AgreementUpdateSchema,
    AssetSchema,
    AssetUpdateSchema,
    FileQuerySchema,
    ListQuerySchema,
    PeaksQuerySchema,
    PeaksSchema,
    TtsCreateSchema,
    UploadFileSchema,
    UploadFormSchema,
)
from ivr_designer.audio_lib.storage import incoming_dir, limits_from, rendition_path
from ivr_designer.auth.current import current_actor
from ivr_designer.callflows.access import require_admin
from ivr_designer.errors import DomainError, Invalid, NotFound
from ivr_designer.extensions import db
from ivr_designer.models import AudioAsset, MusicAgreement
from ivr_designer.models.base import utcnow

blp = Blueprint("audio", __name__, url_prefix="/api/audio", description="Audio library.")
agreements_blp = Blueprint(
    "music_agreements",
    __name__,
    url_prefix="/api/music-agreements",
    description="KODA/Gramex music agreements.",
)

#: Room for the form fields and multipart framing on top of the file itself.
FORM_OVERHEAD = 64 * 1024
MIMETYPES = {"telephony": "audio/wav", "ulaw": "audio/wav", "opus": "audio/ogg"}
EXTENSIONS = {"telephony": "wav", "ulaw": "ulaw.wav", "opus": "ogg"}


class UploadTooLarge(DomainError):
    status = 413


def _media_root() -> Path:
    return Path(current_app.config["MEDIA_FOLDER"])


def _form() -> dict[str, Any]:
    try:
        data: dict[str, Any] = UploadFormSchema().load(request.form.to_dict())
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        raise Invalid("validation failed", dict(messages)) from None
    return data


@blp.route("")
class Assets(MethodView):
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, AssetSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[AudioAsset]:
        return operations.list_assets(db.session, current_actor(), org_id=query.get("org_id"))

    @blp.doc(
        requestBody={
            "required": True,
            "content": {"multipart/form-data": {"schema": UploadFileSchema}},
        }
    )
    @blp.response(201, AssetSchema)
    def post(self) -> AudioAsset:
        """Upload audio: ``ready`` when short, else ``processing`` until the worker is done."""
        actor = current_actor()
        require_admin(actor, "audio")
        limits = limits_from(current_app)
        request.max_content_length = limits.max_bytes + FORM_OVERHEAD
        if request.mimetype != "multipart/form-data":
            raise Invalid("send multipart/form-data", {"file": ["an audio file is required"]})
        data = _form()
        file = request.files.get("file")
        if file is None:
            raise Invalid("validation failed", {"file": ["an audio file is required"]})
        try:
            name = safe_display_name(data.pop("name")) if data.get("name") else None
        except AudioError as error:
            raise operations.refused(error, "name") from None
        try:
            filename = safe_display_name(file.filename or "")
            upload = receive(
                cast(BinaryIO, file.stream), incoming_dir(_media_root()), limits=limits
            )
        except TooLarge as error:
            raise UploadTooLarge(
                error.reason, {"file": [error.reason], "code": error.code}
            ) from None
        except AudioError as error:
            raise operations.refused(error) from None
        asset = operations.upload_asset(
            db.session,
            actor,
            upload,
            name=name or filename,
            original_filename=filename,
            media_root=_media_root(),
            limits=limits,
            inline_max_seconds=float(current_app.config["AUDIO_INLINE_MAX_SECONDS"]),
            **data,
        )
        if asset.status == "processing":
            asset_id = asset.id

            @after_this_request
            def _queue(response: Response) -> Response:
                if response.status_code < 400:
                    worker.submit_after_response(response, asset_id)
                return response

        return asset


@blp.route("/tts", methods=["POST"])
@blp.arguments(TtsCreateSchema)
@blp.response(201, AssetSchema)
def create_tts(data: dict[str, Any]) -> AudioAsset:
    """A text-to-speech prompt, spoken with ``<Say>`` at call time."""
    return operations.create_tts(db.session, current_actor(), **data)


@blp.route("/<int:asset_id>")
class AssetById(MethodView):
    @blp.response(200, AssetSchema)
    def get(self, asset_id: int) -> AudioAsset:
        return operations.get_asset(db.session, current_actor(), asset_id)

    @blp.arguments(AssetUpdateSchema)
    @blp.response(200, AssetSchema)
    def patch(self, data: dict[str, Any], asset_id: int) -> AudioAsset:
        """Rename, change the use or the rights declaration."""
        return operations.update_asset(
            db.session, current_actor(), asset_id, data, today=utcnow().date()
        )

    @blp.response(204)
    def delete(self, asset_id: int) -> None:
        """Refused (409) while a published flow plays the key."""
        operations.delete_asset(db.session, current_actor(), asset_id, media_root=_media_root())


@blp.route("/<int:asset_id>/file", methods=["GET"])
@blp.arguments(FileQuerySchema, location="query")
@blp.response(200, content_type="audio/wav", description="The rendition's bytes.")
def download(query: dict[str, Any], asset_id: int) -> Response:
    """A rendition, for administrators (providers get signed media URLs instead)."""
    asset = operations.get_asset_for_admin(db.session, current_actor(), asset_id)
    rendition = query["rendition"]
    path = rendition_path(asset, rendition, _media_root())
    if path is None:
        raise NotFound("this asset has no such file (yet)")
    return send_file(
        path,
        mimetype=MIMETYPES[rendition],
        as_attachment=True,
        download_name=f"{asset.key}.{EXTENSIONS[rendition]}",
        max_age=0,
    )


@blp.route("/<int:asset_id>/peaks", methods=["GET"])
@blp.arguments(PeaksQuerySchema, location="query")
@blp.response(200, PeaksSchema)
def waveform(query: dict[str, Any], asset_id: int) -> dict[str, Any]:
    """Waveform (min, max) pairs for the editor's player."""
    asset = operations.get_asset(db.session, current_actor(), asset_id)
    path = rendition_path(asset, "telephony", _media_root())
    if path is None:
        raise NotFound("this asset has no waveform (text-to-speech, or not processed yet)")
    return peaks(path, buckets=query["buckets"])


@agreements_blp.route("")
class Agreements(MethodView):
    @agreements_blp.arguments(ListQuerySchema, location="query")
    @agreements_blp.response(200, AgreementSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[MusicAgreement]:
        return agreements.list_agreements(db.session, current_actor(), org_id=query.get("org_id"))

    @agreements_blp.arguments(AgreementCreateSchema)
    @agreements_blp.response(201, AgreementSchema)
    def post(self, data: dict[str, Any]) -> MusicAgreement:
        return agreements.create_agreement(db.session, current_actor(), **data)


@agreements_blp.route("/<int:agreement_id>")
class AgreementById(MethodView):
    @agreements_blp.response(200, AgreementSchema)
    def get(self, agreement_id: int) -> MusicAgreement:
        return agreements.get_agreement(db.session, current_actor(), agreement_id)

    @agreements_blp.arguments(AgreementUpdateSchema)
    @agreements_blp.response(200, AgreementSchema)
    def patch(self, data: dict[str, Any], agreement_id: int) -> MusicAgreement:
        return agreements.update_agreement(db.session, current_actor(), agreement_id, data)

    @agreements_blp.response(204)
    def delete(self, agreement_id: int) -> None:
        """Refused (409) while music declares the agreement."""
        agreements.delete_agreement(db.session, current_actor(), agreement_id)
