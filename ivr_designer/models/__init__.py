"""Database models, one per module; importing this package registers all of them."""

from ivr_designer.models.api_token import ApiToken
from ivr_designer.models.audit_entry import AuditEntry
from ivr_designer.models.base import Base
from ivr_designer.models.login_attempt import LoginAttempt
from ivr_designer.models.organisation import Organisation
from ivr_designer.models.user import Role, User

__all__ = ["ApiToken", "AuditEntry", "Base", "LoginAttempt", "Organisation", "Role", "User"]
