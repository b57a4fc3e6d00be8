"""Extensions, created unbound so that several apps (tests, CLI) can share them.

Each is bound to an app by its own ``init_app`` call in the factory.
"""

from __future__ import annotations

from flask_wtf.csrf import CSRFProtect

from ivr_designer.database import Database

db = Database()
csrf = CSRFProtect()

__all__ = ["csrf", "db"]
