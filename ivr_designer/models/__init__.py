"""Database models, one per module; importing this package registers all of them."""

from ivr_designer.models.api_token import ApiToken
from ivr_designer.models.audio_asset import AudioAsset
from ivr_designer.models.audit_entry import AuditEntry
from ivr_designer.models.base import Base
from ivr_designer.models.call import Call
from ivr_designer.models.call_step import CallStep
from ivr_designer.models.delivery_attempt import DeliveryAttempt
from ivr_designer.models.fax import Fax, fax_heard
from ivr_designer.models.fax_box import FaxBox, fax_box_listener
from ivr_designer.models.flow import Flow
from ivr_designer.models.flow_version import FlowVersion
from ivr_designer.models.licence_warning import LicenceWarning
from ivr_designer.models.login_attempt import LoginAttempt
from ivr_designer.models.music_agreement import MusicAgreement
from ivr_designer.models.organisation import Organisation
from ivr_designer.models.outbox_delivery import OutboxDelivery
from ivr_designer.models.phone_number import PhoneNumber
from ivr_designer.models.provider_account import ProviderAccount
from ivr_designer.models.retention_setting import RetentionSetting
from ivr_designer.models.scheduler_lock import SchedulerLock
from ivr_designer.models.telegram_bot import TelegramBot
from ivr_designer.models.telegram_chat import TelegramChat
from ivr_designer.models.telegram_link_token import TelegramLinkToken
from ivr_designer.models.user import Role, User
from ivr_designer.models.voicemail import Voicemail, voicemail_heard
from ivr_designer.models.voicemail_box import VoicemailBox, voicemail_box_listener
from ivr_designer.models.webhook_endpoint import WebhookEndpoint

__all__ = [
    "ApiToken",
    "AudioAsset",
    "AuditEntry",
    "Base",
    "Call",
    "CallStep",
    "DeliveryAttempt",
    "Fax",
    "FaxBox",
    "Flow",
    "FlowVersion",
    "LicenceWarning",
    "LoginAttempt",
    "MusicAgreement",
    "Organisation",
    "OutboxDelivery",
    "PhoneNumber",
    "ProviderAccount",
    "RetentionSetting",
    "Role",
    "SchedulerLock",
    "TelegramBot",
    "TelegramChat",
    "TelegramLinkToken",
    "User",
    "Voicemail",
    "VoicemailBox",
    "WebhookEndpoint",
    "fax_box_listener",
    "fax_heard",
    "voicemail_box_listener",
    "voicemail_heard",
]
