"""Defaults and bounds per data class, and an org's effective retention.

Defaults follow the data-processing terms: call logs and CDRs 14 days, voicemail and
fax 30 days unless the organisation sets otherwise. The bounds keep a setting useful:
at least a day everywhere (a sweep never deletes today's data); call records at most
90 days (the terms promise short-lived call logs); voicemail, fax and delivery logs at
most a year; the audit log at least 30 days (admins must be able to look back at what
changed) and at most ten years.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr_designer.models import Organisation, RetentionSetting
from ivr_designer.models.retention_setting import DATA_CLASSES

__all__ = ["DATA_CLASSES", "POLICIES", "Policy", "effective_days", "horizons"]


@dataclass(frozen=True)
class Policy:
    data_class: str
    default_days: int
    min_days: int
    max_days: int

    def clamp(self, days: int) -> int:
        return max(self.min_days, min(self.max_days, days))


POLICIES: dict[str, Policy] = {
    "voicemail": Policy("voicemail", 30, 1, 365),
    "fax": Policy("fax", 30, 1, 365),
    "call": Policy("call", 14, 1, 90),
    "delivery_log": Policy("delivery_log", 30, 1, 365),
    "audit": Policy("audit", 365, 30, 3650),
}
assert tuple(POLICIES) == DATA_CLASSES


def _legacy_days(org: Organisation) -> dict[str, int]:
    """Values set earlier through the organisation's own retention fields.

    Call logs and CDRs are the same rows here, so the shorter of the two wins.
    """
    return {
        "voicemail": org.voicemail_retention_days,
        "fax": org.fax_retention_days,
        "call": min(org.call_log_retention_days, org.cdr_retention_days),
    }


def effective_days(session: Session, org: Organisation) -> dict[str, int]:
    """Days per data class: the org's setting, else its older org field, else the
    default; always within the bounds."""
    rows = session.execute(
        select(RetentionSetting.data_class, RetentionSetting.days).where(
            RetentionSetting.org_id == org.id
        )
    ).all()
    settings: Mapping[str, int] = {data_class: days for data_class, days in rows}
    legacy = _legacy_days(org)
    days: dict[str, int] = {}
    for data_class, policy in POLICIES.items():
        chosen = settings.get(data_class, legacy.get(data_class, policy.default_days))
        days[data_class] = policy.clamp(chosen)
    return days


def horizons(days: Mapping[str, int], now: datetime) -> dict[str, datetime]:
    """Rows created before these instants are past their retention."""
    return {data_class: now - timedelta(days=n) for data_class, n in days.items()}
