"""hours: routes by opening hours, public holidays and a manual override.

Evaluated in the org's time zone (or the node's own) with zoneinfo, so daylight saving
changes need no special care. Holidays come from the `holidays` package; a country's
"optional" days (for Denmark: Christmas Eve, New Year's Eve, Constitution Day, Workers'
Day) count only when listed in `closed_optional`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from marshmallow import Schema, ValidationError, fields, validate
from twilio.twiml.voice_response import VoiceResponse

from flows.catalogue import Catalogue
from flows.context import RenderContext
from flows.findings import Finding, Severity
from flows.model import Node
from flows.nodes._common import DeclaredPorts
from flows.nodes.base import Port, Waits

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OVERRIDES = ("auto", "open", "closed", "holiday")
DEFAULT_OPTIONAL = ("christmas_eve", "constitution_day", "new_years_eve")
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$")


@cache
def _minutes(text: str) -> tuple[int, int]:
    m = _RANGE.match(text)
    if m is None:
        raise ValidationError('Use "HH:MM-HH:MM", e.g. "08:00-16:00".')
    start = int(m[1]) * 60 + int(m[2])
    end = int(m[3] or m[5]) * 60 + int(m[4] or m[6])
    if end <= start:
        raise ValidationError("A time range must end after it starts (split ranges at midnight).")
    return start, end


def _range_validator(text: str) -> None:
    _minutes(text)


def _timezone_validator(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError("Unknown time zone (use e.g. Europe/Copenhagen).") from exc


@cache
def _countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def _country_validator(code: str) -> None:
    if code not in _countries():
        raise ValidationError("No holiday calendar for this country code.")


def _day(title: str) -> fields.List:
    return fields.List(
        fields.String(
            validate=_range_validator, metadata={"format": "time_range", "pattern": _RANGE.pattern}
        ),
        load_default=list,
        validate=validate.Length(max=6),
        metadata={"title": title},
    )


class WeekSchema(Schema):
    mon = _day("Monday")
    tue = _day("Tuesday")
    wed = _day("Wednesday")
    thu = _day("Thursday")
    fri = _day("Friday")
    sat = _day("Saturday")
    sun = _day("Sunday")


def _default_week() -> dict[str, list[str]]:
    return {d: (["08:00-16:00"] if d not in ("sat", "sun") else []) for d in WEEKDAYS}


class HoursSchema(Schema):
    schedule = fields.Nested(
        WeekSchema, load_default=_default_week, metadata={"title": "Opening hours"}
    )
    timezone = fields.String(
        load_default=None,
        validate=_timezone_validator,
        metadata={"title": "Time zone (empty: the organisation's)", "format": "timezone"},
    )
    country = fields.String(
        load_default="DK",
        allow_none=True,
        validate=_country_validator,
        metadata={"title": "Public holidays of", "format": "country"},
    )
    closed_optional = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z0-9_]{1,60}$")),
        load_default=lambda: list(DEFAULT_OPTIONAL),
        metadata={"title": "Also closed on these optional holidays"},
    )
    closed_dates = fields.List(
        fields.Date(), load_default=list, metadata={"title": "Extra closed dates"}
    )
    override = fields.String(
        load_default="auto",
        validate=validate.OneOf(OVERRIDES),
        metadata={
            "title": "Override",
            "choices": {
                "auto": "By the opening hours",
                "open": "Always open",
                "closed": "Always closed",
                "holiday": "Holiday",
            },
        },
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace("'", "")).strip("_")


@cache
def _calendar(country: str, year: int) -> tuple[frozenset[dt.date], dict[str, frozenset[dt.date]]]:
    """Public holiday dates, and optional holidays by slug, of one country and year."""
    supported = holidays.country_holidays(country).supported_categories
    public = holidays.country_holidays(country, years=year, language="en_US")
    optional: dict[str, set[dt.date]] = {}
    if "optional" in supported:
        extra = holidays.country_holidays(
            country, years=year, categories=("optional",), language="en_US"
        )
        for day, names in extra.items():
            for name in names.split("; "):
                optional.setdefault(_slug(name), set()).add(day)
    return frozenset(public), {k: frozenset(v) for k, v in optional.items()}


def is_holiday(props: Mapping[str, Any], day: dt.date) -> bool:
    if day in props["closed_dates"]:
        return True
    country = props["country"]
    if country is None:
        return False
    public, optional = _calendar(country, day.year)
    return day in public or any(day in optional.get(s, ()) for s in props["closed_optional"])


def evaluate(props: Mapping[str, Any], now: dt.datetime, timezone: str) -> str:
    """ "open", "closed" or "holiday" at `now` (naive times are taken as UTC)."""
    if props["override"] != "auto":
        return str(props["override"])
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    local = now.astimezone(ZoneInfo(props["timezone"] or timezone))
    if is_holiday(props, local.date()):
        return "holiday"
    minute = local.hour * 60 + local.minute
    ranges = props["schedule"][WEEKDAYS[local.weekday()]]
    return "open" if any(s <= minute < e for s, e in map(_minutes, ranges)) else "closed"


class Hours(DeclaredPorts):
    type = "hours"
    label = "Opening hours"
    icon = "clock"
    description = "Sends the call one way when open, another when closed or on a holiday."
    category = "routing"
    schema = HoursSchema
    waits = Waits.NOTHING
    PORTS = (
        Port("open", "Open", required=True),
        Port("closed", "Closed", required=True),
        Port("holiday", "Holiday (else: closed)"),
    )

    def validate(
        self, node: Node, props: Mapping[str, Any], catalogue: Catalogue | None
    ) -> Iterable[Finding]:
        findings: list[Finding] = []
        if props["override"] == "auto" and not any(props["schedule"].values()):
            findings.append(
                Finding(
                    Severity.WARNING,
                    "hours.never_open",
                    f"Opening hours {node.id!r} are never open.",
                    node=node.id,
                    field="schedule",
                )
            )
        if props["country"] is not None:
            year = dt.date.today().year
            known = set(_calendar(props["country"], year)[1]) | set(
                _calendar(props["country"], year + 1)[1]
            )
            for i, slug in enumerate(props["closed_optional"]):
                if slug not in known:
                    findings.append(
                        Finding(
                            Severity.WARNING,
                            "hours.unknown_optional_holiday",
                            f"{props['country']} has no optional holiday called {slug!r}.",
                            node=node.id,
                            field=f"closed_optional.{i}",
                        )
                    )
        return findings

    def render(
        self, node: Node, props: Mapping[str, Any], ctx: RenderContext, response: VoiceResponse
    ) -> str | None:
        port = evaluate(props, ctx.now, ctx.timezone)
        if port == "holiday" and "holiday" not in node.ports:
            return "closed"
        return port
