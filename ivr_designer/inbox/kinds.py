"""The two kinds of inbox item, voicemail and fax, described once for every module."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Table

from ivr_designer.models import Fax, FaxBox, Voicemail, VoicemailBox
from ivr_designer.models.fax import fax_heard
from ivr_designer.models.fax_box import fax_box_listener
from ivr_designer.models.voicemail import voicemail_heard
from ivr_designer.models.voicemail_box import voicemail_box_listener

__all__ = ["FAX", "KINDS", "VOICEMAIL", "Item", "ItemKind", "kind_named"]

Item = Voicemail | Fax


@dataclass(frozen=True)
class ItemKind:
    name: str  # "voicemail" | "fax": the operations' ``kind`` argument
    model: type[Voicemail] | type[Fax]
    box_model: type[VoicemailBox] | type[FaxBox]
    listeners: Table  # box_id, user_id
    heard: Table  # <name>_id, user_id, heard_at
    files: tuple[str, ...]  # columns holding stored file paths (relative to MEDIA_FOLDER)

    @property
    def heard_item(self) -> Column[int]:
        column: Column[int] = self.heard.c[f"{self.name}_id"]
        return column


VOICEMAIL = ItemKind(
    "voicemail",
    Voicemail,
    VoicemailBox,
    voicemail_box_listener,
    voicemail_heard,
    ("media_path", "opus_path"),
)
FAX = ItemKind("fax", Fax, FaxBox, fax_box_listener, fax_heard, ("media_path",))
KINDS = {kind.name: kind for kind in (VOICEMAIL, FAX)}


def kind_named(name: str) -> ItemKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown inbox item kind {name!r}") from None
