"""Calendar export: the timed items of a document as iCalendar events (RFC 5545).

Rules, chosen so that an imported calendar never disagrees with the printed handout:
- Every time comes from the document, which already has the right offsets across
  daylight-saving changes; events keep the clinic's time zone (TZID plus a VTIMEZONE).
- Items that land on a date (medicine holds in days, recovery windows, activity limits,
  follow-up) are all-day events; only clock-time items are timed.
- Nothing is invented: a timed event is an instant (no made-up length), and a title is
  either the item's whole first sentence or a label built from its timing, never a cut one.
- Reminders are relative to the event and written in hours and minutes only, which every
  client reads as exact elapsed time (a "day" in a duration can be 23 or 25 hours).
- The same inputs give the same bytes: UIDs come from the item, DTSTAMP from the document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procguide.document.types import AppointmentData, ClinicData, Document

import functools
import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from procguide.errors import MissingDependencyError, UsageError
from procguide.i18n.languages import gettext as _  # the document's language (see produce.encode)
from procguide.render import ics_text as text

EVENING = time(18, 0)
"""Reminders for deadlines fire at this clock time on the day before, in the clinic's zone."""
BEFORE_ARRIVAL = timedelta(hours=1)
VIEWS = ("prep", "aftercare", "handout")


@dataclass
class _Entry:
    """One event before it becomes iCalendar."""

    key: tuple[str, ...]
    title: str
    description: str
    start: datetime | date
    last_day: date | None = None
    alarm_at: datetime | None = None
    alarm_text: str = ""
    busy: bool = False
    location: str | None = None


def render_ics(document: Document) -> bytes:
    """The timed items of ``document`` (a prep, aftercare or handout view) as an .ics file.

    Raises:
        UsageError: for a view with nothing to schedule, or a document without a date.
    """
    view, kind = document.get("view"), document.get("kind")
    if view not in VIEWS:
        raise UsageError(
            f"there is no calendar for the {view} view",
            hint="use ics with prep, aftercare or handout",
        )
    if view == "handout" and kind in ("teach-back", "escort"):
        raise UsageError(
            f"there is no calendar for the {kind} sheet",
            hint="use ics with --kind pre or discharge",
        )
    if document.get("appointment") is None:
        raise UsageError(
            "a calendar needs the procedure date and time",
            hint="give the date, YYYY-MM-DD, and the time, HH:MM",
            field="date",
        )
    plan = _Plan(document)
    entries: list[_Entry] = []
    if kind == "diary":
        entries += plan.diary()
    elif view == "prep" or (view == "handout" and kind != "discharge"):
        entries += plan.preparation()
        entries.append(plan.procedure())
    if view != "prep" and kind != "diary":
        entries += plan.recovery() + plan.restrictions() + plan.follow_up()
    if not entries:
        raise UsageError("this document has no dated items to put in a calendar")
    return _calendar(document, plan, entries)


class _Plan:
    """Turns the sections of one document into entries."""

    def __init__(self, document: Document) -> None:
        self.doc = document
        appointment = document["appointment"]
        if appointment is None:  # render_ics refuses such a document first
            raise ValueError("a calendar needs the appointment")
        self.appointment: AppointmentData = appointment
        self.zone = ZoneInfo(self.appointment["timezone"])
        self.start = datetime.fromisoformat(self.appointment["start"]).astimezone(self.zone)
        self.clinic: ClinicData = document["clinic"]
        self.place = ", ".join(p for p in (self.clinic["name"], self.clinic["address"]) if p)
        self._seen: Counter[tuple[str, ...]] = Counter()

    def key(self, *parts: str | None) -> tuple[str, ...]:
        """The item's identity: its kind and timing, plus a count among items that share them."""
        base = tuple(p or "" for p in parts)
        self._seen[base] += 1
        return (*base, str(self._seen[base]))

    def preparation(self) -> list[_Entry]:
        """Holds, cut-offs and arrival: each with a reminder."""
        entries = []
        for item in self.doc["preparation"]:
            due = item["due"]
            if due is None or due["at"] is None:
                continue
            when = _moment(due["at"], self.zone)
            medicine = item.get("medicine")
            if medicine is not None:
                title = _("Last dose of %(medicine)s") % {"medicine": medicine}
                key = self.key("hold", medicine.casefold())
                timing = None
            else:
                label = _("Procedure prep: %(when)s") % {"when": due["relative"]}
                title = text.title(item["text"], label)
                key = self.key(item["kind"], due["offset"])
                timing = due["label"] + "."
            arrival = item["kind"] == "arrival"
            alarm = _instant(when, self.zone) - BEFORE_ARRIVAL if arrival else self.evening(when)
            entries.append(
                _Entry(
                    key,
                    title,
                    text.paragraphs(timing, item["text"], self.procedure_line(), self.call_line()),
                    when,
                    alarm_at=alarm,
                    alarm_text=_("%(title)s, %(when)s") % {"title": title, "when": due["display"]},
                    busy=arrival,
                    location=self.place if arrival else None,
                )
            )
        return entries

    def procedure(self) -> _Entry:
        """The procedure itself; reminded an hour before unless arrival is reminded."""
        name = self.doc["procedure"]["name"]
        reminder = _("%(title)s, %(when)s") % {"title": name, "when": self.appointment["display"]}
        arrival = any(item["kind"] == "arrival" for item in self.doc["preparation"])
        flags = "\n".join(flag["description"] for flag in self.doc["flags"])
        about = self.doc["about"]["duration"]["text"]
        where = _("Where: %(place)s") % {"place": self.place} if self.place else None
        return _Entry(
            self.key("procedure"),
            name,
            text.paragraphs(about, flags, where, self.call_line()),
            self.start,
            alarm_at=None if arrival else self.start - BEFORE_ARRIVAL,
            alarm_text=reminder,
            busy=True,
            location=self.place or None,
        )

    def recovery(self) -> list[_Entry]:
        """Recovery windows, as all-day events over their dates."""
        entries = []
        for item in self.doc["recovery"]:
            window = item["window"]
            first = _day(window["start_date"])
            last = date.fromisoformat(window["end_date"]) if window["end_date"] else None
            label = _("Recovery: %(when)s") % {"when": text.lower_first(window["relative"])}
            timing = _("%(when)s (%(dates)s).") % {
                "when": window["relative"],
                "dates": window["display"],
            }
            entries.append(
                _Entry(
                    self.key("recovery", window["from"], window["to"]),
                    text.title(item["text"], label),
                    text.paragraphs(
                        timing, item["text"], self.procedure_line(), self.call_line(), self.urgent()
                    ),
                    first,
                    last_day=last,
                )
            )
        return entries

    def restrictions(self) -> list[_Entry]:
        """Activity limits that end on a date, from the procedure day to that date."""
        entries = []
        for item in self.doc["restrictions"]:
            until = item.get("until")
            if not until or not until.get("date"):
                continue
            label = _("Activity limit: %(when)s") % {"when": text.lower_first(until["relative"])}
            timing = until["label"] + "."
            entries.append(
                _Entry(
                    self.key("restriction", until["offset"]),
                    text.title(item["text"], label),
                    text.paragraphs(
                        timing, item["text"], self.procedure_line(), self.call_line(), self.urgent()
                    ),
                    self.start.date(),
                    last_day=_day(until["date"]),
                )
            )
        return entries

    def follow_up(self) -> list[_Entry]:
        """Follow-up around a date: all-day, and titled so it reads as approximate."""
        entries = []
        for item in self.doc["follow_up"]:
            due = item.get("due")
            if not due or not due.get("date"):
                continue
            sentence = text.title(item["text"], "")
            title = _("Follow-up: %(what)s") % {"what": sentence}
            if not sentence or len(title) > text.TITLE_MAX:
                title = _("Follow-up: %(what)s") % {"what": text.lower_first(due["relative"])}
            timing = due["label"] + "."
            entries.append(
                _Entry(
                    self.key("follow-up", due["offset"]),
                    title,
                    text.paragraphs(timing, item["text"], self.procedure_line(), self.call_line()),
                    _day(due["date"]),
                )
            )
        return entries

    def diary(self) -> list[_Entry]:
        """A diary's time points, each with an alarm when it is due (see ics_diary)."""
        from procguide.render.ics_diary import diary_events

        diary = self.doc.get("diary")
        if diary is None:
            return []
        return [
            _Entry(
                e.key, e.title, e.description, e.start, alarm_at=e.alarm_at, alarm_text=e.alarm_text
            )
            for e in diary_events(diary, self.zone, self.procedure_line())
        ]

    def evening(self, when: datetime | date) -> datetime:
        """18:00 in the clinic's zone on the day before the day of ``when``."""
        day = when.date() if isinstance(when, datetime) else when
        return datetime.combine(day - timedelta(days=1), EVENING, tzinfo=self.zone)

    def procedure_line(self) -> str:
        """Which appointment an event belongs to: tells a stale event from a current one."""
        return _("Procedure: %(name)s, %(when)s.") % {
            "name": self.doc["procedure"]["name"],
            "when": self.appointment["display"],
        }

    def call_line(self) -> str | None:
        """The clinic's numbers, when the clinic has set them."""
        values = {
            "clinic": self.clinic["display_name"],
            "phone": self.clinic["phone"],
            "after": self.clinic["after_hours_phone"],
        }
        if values["phone"] and values["after"]:
            return _("Questions: call %(clinic)s at %(phone)s (after hours: %(after)s).") % values
        if values["phone"]:
            return _("Questions: call %(clinic)s at %(phone)s.") % values
        if values["after"]:
            return _("Questions: call %(clinic)s at %(after)s.") % values
        return None

    def urgent(self) -> str:
        """The emergency line and the signs that need it, as the handout words them."""
        help_ = self.doc["get_help"]
        signs = [f"- {sign['text']}" for sign in help_["call_emergency"]]
        return "\n".join([help_["emergency_line"], *signs])


def _day(text: str | None) -> date:
    """A date the document gives whenever it has an appointment, as every calendar does."""
    if text is None:
        raise ValueError("a dated document is missing a date")
    return date.fromisoformat(text)


def _calendar(document: Document, plan: _Plan, entries: list[_Entry]) -> bytes:
    try:
        from icalendar import Alarm, Calendar, Event, vText
    except ImportError:
        raise MissingDependencyError(
            "calendar export needs the icalendar package", hint="pip install icalendar"
        ) from None

    procedure = document["procedure"]
    patient = document["patient"]["name"]
    name = procedure["name"]
    if patient:
        name = _("%(procedure)s: %(patient)s") % {"procedure": name, "patient": patient}
    calendar = Calendar()
    calendar.add("prodid", f"-//procguide//procguide {document['stamp']['procguide']}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # As vText, which escapes it: icalendar writes properties it does not know, and its
    # calendar_name setter, raw.
    calendar.add("name", vText(name))
    calendar.add("x-wr-calname", vText(name))
    stamp = _stamp(document, plan)
    owner = (procedure["id"], patient or "", plan.start.date().isoformat())
    days: list[date] = []
    for entry in entries:
        event = Event()
        event.add("uid", _uid(*owner, *entry.key))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.start)
        if isinstance(entry.start, datetime):
            days.append(entry.start.date())
        else:
            last = entry.last_day or entry.start
            event.add("dtend", last + timedelta(days=1))  # DTEND of an all-day event is exclusive
            days += [entry.start, last]
        event.add("summary", entry.title)
        event.add("description", entry.description)
        if entry.location:
            event.add("location", entry.location)
        event.add("class", "PRIVATE")
        event.add("transp", "OPAQUE" if entry.busy else "TRANSPARENT")
        if entry.alarm_at is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry.alarm_text)
            trigger = entry.alarm_at.astimezone(UTC) - _instant(entry.start, plan.zone)
            alarm.add("trigger", _exact_duration()(trigger), encode=False)
            event.add_component(alarm)
            days.append(entry.alarm_at.date())
        calendar.add_component(event)
    # A VTIMEZONE for whole years around the events: enough for every client, and the same
    # for the same inputs.
    calendar.add_missing_timezones(
        first_date=date(min(days).year, 1, 1), last_date=date(max(days).year + 1, 1, 1)
    )
    return bytes(calendar.to_ical())


def _exact(delta: timedelta) -> bytes:
    sign = "-" if delta < timedelta(0) else ""
    minutes = abs(int(delta.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes or not hours else "")
    return (sign + text).encode()


@functools.cache
def _exact_duration() -> Any:
    """The icalendar duration type, written in hours and minutes only: never a nominal day."""
    from icalendar.prop import vDuration

    class ExactDuration(vDuration):
        def to_ical(self) -> bytes:
            return _exact(self.td)

    return ExactDuration


def _uid(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{digest[:32]}@procguide"


def _stamp(document: Document, plan: _Plan) -> datetime:
    # DTSTAMP must not be the clock, or the same handout would differ on every run.
    generated = document.get("generated")
    if generated:
        return datetime.fromisoformat(generated).astimezone(UTC)
    return plan.start.astimezone(UTC)


def _moment(value: str, zone: ZoneInfo) -> datetime | date:
    if "T" in value:
        return datetime.fromisoformat(value).astimezone(zone)
    return date.fromisoformat(value)


def _instant(when: datetime | date, zone: ZoneInfo) -> datetime:
    """``when`` in UTC; a date counts from its midnight in the clinic's zone."""
    if not isinstance(when, datetime):
        when = datetime.combine(when, time(0), tzinfo=zone)
    return when.astimezone(UTC)
