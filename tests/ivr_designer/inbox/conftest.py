"""An org with two voicemail boxes and a fax box, their listeners, and a foreign org."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ivr_designer.models import Organisation, User, VoicemailBox


@dataclass
class Inbox:
    org: Organisation
    foreign: Organisation
    anna: User  # staff, listens to box A and the fax box
    bo: User  # staff, listens to box B only
    admin: User  # org admin of org
    root: User  # system admin
    stranger: User  # org admin of the foreign org
    box_a: VoicemailBox
    box_b: VoicemailBox
    fax_box: Any
    foreign_box: VoicemailBox


@pytest.fixture
def inbox(make_org, make_user, make_box) -> Inbox:
    org = make_org(name="Hansen VVS", slug="hansen")
    foreign = make_org(name="Other ApS", slug="other")
    anna = make_user(org, name="Anna Jensen")
    bo = make_user(org, name="Bo Nielsen")
    admin = make_user(org, role="org_admin", name="Admin Person")
    root = make_user(None, role="system_admin", name="Root")
    stranger = make_user(foreign, role="org_admin", name="Stranger")
    return Inbox(
        org=org,
        foreign=foreign,
        anna=anna,
        bo=bo,
        admin=admin,
        root=root,
        stranger=stranger,
        box_a=make_box(org, "vm-a", name="Reception", listeners=[anna]),
        box_b=make_box(org, "vm-b", name="Service", listeners=[bo]),
        fax_box=make_box(org, "fax", kind="fax", name="Fax", listeners=[anna]),
        foreign_box=make_box(foreign, "vm-x", listeners=[]),
    )


@pytest.fixture
def as_user(bearer):
    """Headers per user, made once per user and test."""
    made: dict[int, dict[str, str]] = {}

    def headers(user: User) -> dict[str, str]:
        if user.id not in made:
            made[user.id] = bearer(user)
        return made[user.id]

    return headers


@pytest.fixture
def media_root(app) -> Path:
    return Path(app.config["MEDIA_FOLDER"])


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=30,
    )
    return json.loads(out.stdout)
