from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from flows import registry
from flows.model import Node
from flows.nodes.base import Waits
from flows.nodes.hours import evaluate
from tests.flows.factories import ctx, render_node

HOURS = registry.get("hours")
UTC = dt.UTC
CPH = ZoneInfo("Europe/Copenhagen")
WIRED = {"open": "o", "closed": "c", "holiday": "h"}


def state(
    at: dt.datetime, props: dict[str, Any] | None = None, tz: str = "Europe/Copenhagen"
) -> str:
    return evaluate(HOURS.load(props or {}), at, tz)


def test_defaults_and_declaration() -> None:
    props = HOURS.load({})
    assert props["schedule"]["mon"] == ["08:00-16:00"]
    assert props["schedule"]["fri"] == ["08:00-16:00"]
    assert props["schedule"]["sat"] == props["schedule"]["sun"] == []
    assert props["country"] == "DK"
    assert props["closed_optional"] == ["christmas_eve", "constitution_day", "new_years_eve"]
    assert (props["timezone"], props["closed_dates"], props["override"]) == (None, [], "auto")
    assert HOURS.waits is Waits.NOTHING
    assert [(p.name, p.required) for p in HOURS.ports(props)] == [
        ("open", True),
        ("closed", True),
        ("holiday", False),
    ]


def test_defaults_are_not_shared_between_loads() -> None:
    first = HOURS.load({})
    first["schedule"]["mon"].append("20:00-21:00")
    first["closed_optional"].clear()
    assert HOURS.load({})["schedule"]["mon"] == ["08:00-16:00"]
    assert HOURS.load({})["closed_optional"]


@pytest.mark.parametrize(
    "props",
    [
        {"schedule": {"mon": ["8-16"]}},
        {"schedule": {"mon": ["16:00-08:00"]}},
        {"schedule": {"mon": ["08:00-08:00"]}},
        {"schedule": {"mon": ["24:00-24:00"]}},
        {"schedule": {"mon": ["08:60-09:00"]}},
        {"schedule": {"monday": ["08:00-16:00"]}},
        {"timezone": "Mars/Olympus"},
        {"country": "XX"},
        {"closed_optional": ["Christmas Eve"]},
        {"closed_dates": ["24/12/2026"]},
        {"override": "maybe"},
        {"holidays": True},
    ],
)
def test_rejects_bad_properties(props: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        HOURS.load(props)


def test_a_partial_week_means_the_other_days_are_closed() -> None:
    props = {"schedule": {"sat": ["10:00-12:00", "13:00-24:00"]}}
    assert state(dt.datetime(2026, 11, 21, 11, tzinfo=CPH), props) == "open"
    assert state(dt.datetime(2026, 11, 21, 12, 30, tzinfo=CPH), props) == "closed"
    assert state(dt.datetime(2026, 11, 21, 23, 59, tzinfo=CPH), props) == "open"
    assert state(dt.datetime(2026, 11, 18, 11, tzinfo=CPH), props) == "closed"


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((2026, 11, 18, 7, 59), "closed"),
        ((2026, 11, 18, 8, 0), "open"),
        ((2026, 11, 18, 15, 59), "open"),
        ((2026, 11, 18, 16, 0), "closed"),
        ((2026, 11, 21, 10, 0), "closed"),  # Saturday
    ],
)
def test_weekday_hours(local: tuple[int, ...], expected: str) -> None:
    assert state(dt.datetime(*local, tzinfo=CPH)) == expected


def test_daylight_saving_start() -> None:
    # 06:30 UTC is 07:30 CET on Friday 27 March, but 08:30 CEST on Monday 30 March 2026.
    assert state(dt.datetime(2026, 3, 27, 6, 30, tzinfo=UTC)) == "closed"
    assert state(dt.datetime(2026, 3, 30, 6, 30, tzinfo=UTC)) == "open"
    assert state(dt.datetime(2026, 3, 30, 13, 59, tzinfo=UTC)) == "open"
    assert state(dt.datetime(2026, 3, 30, 14, 0, tzinfo=UTC)) == "closed"


def test_daylight_saving_end() -> None:
    # 14:30 UTC is 16:30 CEST on Friday 23 October, but 15:30 CET on Monday 26 October.
    assert state(dt.datetime(2026, 10, 23, 14, 30, tzinfo=UTC)) == "closed"
    assert state(dt.datetime(2026, 10, 26, 14, 30, tzinfo=UTC)) == "open"


def test_naive_times_are_utc() -> None:
    assert state(dt.datetime(2026, 3, 30, 6, 30)) == "open"


def test_the_node_time_zone_overrides_the_org_one() -> None:
    at = dt.datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # 15:00 in Copenhagen, 09:00 in New York
    assert state(at, {"country": None}) == "open"
    assert state(at, {"country": None}, tz="Asia/Tokyo") == "closed"
    assert state(at, {"country": None, "timezone": "America/New_York"}, tz="Asia/Tokyo") == "open"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 12, 23), "open"),
        (dt.date(2026, 12, 24), "holiday"),  # Christmas Eve (optional, closed by default)
        (dt.date(2026, 12, 25), "holiday"),
        (dt.date(2026, 12, 31), "holiday"),
        (dt.date(2026, 4, 2), "holiday"),  # Maundy Thursday
        (dt.date(2026, 4, 6), "holiday"),  # Easter Monday
        (dt.date(2026, 6, 5), "holiday"),  # Constitution Day
        (dt.date(2026, 5, 1), "open"),  # Workers' Day is not closed by default
    ],
)
def test_danish_holidays(day: dt.date, expected: str) -> None:
    assert state(dt.datetime.combine(day, dt.time(10), CPH)) == expected


def test_holidays_close_the_whole_day_even_on_sundays() -> None:
    easter = dt.datetime(2026, 4, 5, 10, tzinfo=CPH)
    assert state(easter) == "holiday"


def test_optional_holidays_are_a_choice() -> None:
    workers_day = dt.datetime(2026, 5, 1, 10, tzinfo=CPH)
    christmas_eve = dt.datetime(2026, 12, 24, 10, tzinfo=CPH)
    props = {"closed_optional": ["workers_day"]}
    assert state(workers_day, props) == "holiday"
    assert state(christmas_eve, props) == "open"


def test_no_country_means_no_public_holidays() -> None:
    assert state(dt.datetime(2026, 12, 25, 10, tzinfo=CPH), {"country": None}) == "open"


def test_other_countries_use_their_calendar() -> None:
    epiphany = dt.datetime(2026, 1, 6, 10, tzinfo=CPH)  # a Tuesday; a holiday in Sweden only
    assert state(epiphany, {"country": "SE"}) == "holiday"
    assert state(epiphany) == "open"


def test_custom_closed_dates() -> None:
    props = {"closed_dates": ["2026-11-18"]}
    assert state(dt.datetime(2026, 11, 18, 10, tzinfo=CPH), props) == "holiday"
    assert state(dt.datetime(2026, 11, 19, 10, tzinfo=CPH), props) == "open"


@pytest.mark.parametrize("override", ["open", "closed", "holiday"])
def test_override_wins(override: str) -> None:
    christmas = dt.datetime(2026, 12, 25, 10, tzinfo=CPH)
    wednesday = dt.datetime(2026, 11, 18, 10, tzinfo=CPH)
    assert state(christmas, {"override": override}) == override
    assert state(wednesday, {"override": override}) == override


def test_render_follows_the_port_without_verbs() -> None:
    at = ctx(now=dt.datetime(2026, 12, 25, 10, tzinfo=CPH))
    root, port = render_node(Node("h", "hours", {}, WIRED), at)
    assert (list(root), port) == ([], "holiday")


def test_holiday_falls_back_to_closed_when_not_connected() -> None:
    at = ctx(now=dt.datetime(2026, 12, 25, 10, tzinfo=CPH))
    _, port = render_node(Node("h", "hours", {}, {"open": "o", "closed": "c"}), at)
    assert port == "closed"


def test_render_uses_the_org_time_zone() -> None:
    at = dt.datetime(2026, 11, 18, 22, 30, tzinfo=UTC)  # 23:30 Copenhagen, 07:30 Tokyo Thu
    plain = Node("h", "hours", {"schedule": {"thu": ["07:00-09:00"]}}, WIRED)
    assert render_node(plain, ctx(now=at))[1] == "closed"
    assert render_node(plain, ctx(now=at, timezone="Asia/Tokyo"))[1] == "open"


def test_validate_warns_about_never_open_and_unknown_optional_days() -> None:
    props = HOURS.load({"schedule": {}, "closed_optional": ["christmas_eve", "carnival"]})
    findings = list(HOURS.validate(Node("h", "hours", {}, WIRED), props, None))
    assert [(f.code, f.field) for f in findings] == [
        ("hours.never_open", "schedule"),
        ("hours.unknown_optional_holiday", "closed_optional.1"),
    ]
    assert list(HOURS.validate(Node("h", "hours", {}, WIRED), HOURS.load({}), None)) == []
