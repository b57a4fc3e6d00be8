"""The group inbox: voicemails and faxes of the boxes a person listens to.

Listeners (and org admins) list, play, download, claim, mark handled, mark heard
and delete items. ``init_app`` adds the one public route, the signed media link.
"""

from __future__ import annotations

from flask import Flask

from ivr_designer.inbox.links import init_app as init_links


def init_app(app: Flask) -> None:
    init_links(app)
