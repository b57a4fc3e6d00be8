"""Who is doing something, passed explicitly to every operation.

Operations never look at the request; the handler (or a CLI command) builds the actor.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr_designer.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip_address: str | None = None

    @property
    def is_system(self) -> bool:
        """True for the command line, which acts with system-admin rights."""
        return self.user is None

    @property
    def is_system_admin(self) -> bool:
        return self.user is None or self.user.is_system_admin

    @property
    def is_admin(self) -> bool:
        return self.user is None or self.user.is_admin

    @property
    def org_id(self) -> int | None:
        return None if self.user is None else self.user.org_id

    @property
    def user_id(self) -> int | None:
        return None if self.user is None else self.user.id

    @property
    def email(self) -> str | None:
        return "cli" if self.user is None else self.user.email
