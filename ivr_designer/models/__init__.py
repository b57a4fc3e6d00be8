"""Database models, one per module; importing this package registers all of them."""

from ivr_designer.models.api_token import ApiToken
from ivr_designer.models.audio_asset import AudioAsset
from ivr_designer.models.audit_entry import AuditEntry
from ivr_designer.models.base import Base
from ivr_designer.models.call import Call
from ivr_designer.models.call_step import CallStep
from ivr_designer.models.fax import Fax
from ivr_designer.models.fax_box import FaxBox, fax_box_listener
from ivr_designer.models.flow import Flow
from ivr_designer.models.flow_version import FlowVersion
from ivr_designer.models.licence_warning import LicenceWarning
from ivr_designer.models.login_attempt import LoginAttempt
from ivr_designer.models.music_agreement import MusicAgreement
from ivr_designer.models.organisation import Organisation
from ivr_designer.models.phone_number import PhoneNumber
from ivr_designer.models.provider_account import ProviderAccount
from ivr_designer.models.user import Role, User
from ivr_designer.models.voicemail import Voicemail
from ivr_designer.models.voicemail_box import VoicemailBox, voicemail_box_listener

__all__ = [
    "ApiToken",
    "AudioAsset",
    "AuditEntry",
    "Base",
    "Call",
    "CallStep",
    "Fax",
    "FaxBox",
    "Flow",
    "FlowVersion",
    "LicenceWarning",
    "LoginAttempt",
    "MusicAgreement",
    "Organisation",
    "PhoneNumber",
    "ProviderAccount",
    "Role",
    "User",
    "Voicemail",
    "VoicemailBox",
    "fax_box_listener",
    "voicemail_box_listener",
]
