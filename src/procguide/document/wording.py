"""Every phrase procguide builds around content: times, windows, holds.

Kept in one place, behind gettext, so a language is a message catalog rather than code.
"""

from __future__ import annotations

import datetime as dt
import gettext

from procguide.content.offsets import Offset

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Wording:
    """Phrases in one language.

    English dates are built here ("Tue 1 Dec 2026"); other languages' dates are formatted by
    Babel with the patterns their catalog gives, so Babel is only imported for them.
    """

    def __init__(
        self, translations: gettext.NullTranslations | None = None, language: str = "en"
    ) -> None:
        self.translations = translations or gettext.NullTranslations()
        self.language = language
        self._ = self.translations.gettext
        self._n = self.translations.ngettext

    # Lengths of time -------------------------------------------------------------------
    def amount(self, offset: Offset) -> str:
        """``6 hours``, ``1 week``."""
        n = offset.amount
        forms = {
            "min": self._n("%(n)d minute", "%(n)d minutes", n),
            "h": self._n("%(n)d hour", "%(n)d hours", n),
            "d": self._n("%(n)d day", "%(n)d days", n),
            "w": self._n("%(n)d week", "%(n)d weeks", n),
        }
        return forms[offset.unit] % {"n": n}

    def before(self, offset: Offset) -> str:
        """``6 hours before your procedure``."""
        return self._("%(amount)s before your procedure") % {"amount": self.amount(offset)}

    def without(self, offset: Offset) -> str:
        """``7 days without it before your procedure``, for a held medicine."""
        return self._("%(amount)s without it before your procedure") % {
            "amount": self.amount(offset)
        }

    def after(self, offset: Offset) -> str:
        """``About 2 weeks after your procedure``."""
        return self._("About %(amount)s after your procedure") % {"amount": self.amount(offset)}

    def lasting(self, offset: Offset) -> str:
        """``For 2 days after your procedure``."""
        return self._("For %(amount)s after your procedure") % {"amount": self.amount(offset)}

    def window(self, start: Offset, end: Offset | None) -> str:
        """``First 2 hours``, ``From 1 day to 2 weeks after your procedure``."""
        if end is None:
            if start.minutes == 0:
                return self._("After your procedure")
            return self._("From %(start)s after your procedure") % {"start": self.amount(start)}
        if start.minutes == 0:
            return self._("First %(end)s after your procedure") % {"end": self.amount(end)}
        return self._("From %(start)s to %(end)s after your procedure") % {
            "start": self.amount(start),
            "end": self.amount(end),
        }

    # Dates and times -------------------------------------------------------------------
    def date(self, day: dt.date) -> str:
        """``Tue 1 Dec 2026``; ``martes, 1 de diciembre de 2026`` in Spanish."""
        if self.language == "en":
            weekday, month = self._(_DAYS[day.weekday()]), self._(_MONTHS[day.month - 1])
            return f"{weekday} {day.day} {month} {day.year}"
        from babel.dates import format_date

        # Translators: the Unicode (CLDR) pattern of a date on a handout, written out in
        # full words where the language reads better so: Spanish "EEEE, d 'de' MMMM 'de' y".
        return format_date(day, self._("EEE d MMM y"), locale=self._locale)

    def time(self, moment: dt.datetime) -> str:
        """``03:30`` (24-hour, as clinics write times on handouts); ``3:30`` in Spanish."""
        if self.language == "en":
            return f"{moment:%H:%M}"
        from babel.dates import format_time

        # Translators: the Unicode (CLDR) pattern of a clock time: "HH:mm" is 24-hour with a
        # leading zero (09:30), "H:mm" without (9:30).
        pattern = self._("HH:mm")
        return format_time(moment.replace(tzinfo=None).time(), pattern, locale=self._locale)

    @property
    def _locale(self) -> str:
        return self.language.replace("-", "_")

    def moment(self, when: dt.datetime | dt.date) -> str:
        """``at 03:30 on Tue 1 Dec 2026`` for a time, ``on Mon 30 Nov 2026`` for a date."""
        if isinstance(when, dt.datetime):
            # Translators: the number is the hour (0 to 23), so that an article can agree
            # with it; in Spanish "a la 1:30" but "a las 2:30". English reads the same.
            return self._n("at %(time)s on %(date)s", "at %(time)s on %(date)s", when.hour) % {
                "time": self.time(when),
                "date": self.date(when.date()),
            }
        return self._("on %(date)s") % {"date": self.date(when)}

    def date_range(self, first: dt.date, last: dt.date | None) -> str:
        """``Tue 1 Dec 2026 to Thu 3 Dec 2026``, or one date when both are the same day."""
        if last is None:
            return self._("from %(date)s") % {"date": self.date(first)}
        if first == last:
            return self.date(first)
        return self._("%(first)s to %(last)s") % {
            "first": self.date(first),
            "last": self.date(last),
        }

    # Labels: one phrase for a timed item, the same in every format and the calendar -----
    def due_label(self, relative: str, when: str | None) -> str:
        """``At 01:30 on Tue 8 Dec 2026 (8 hours before your procedure)``."""
        if when is None:
            return first_upper(relative)
        return self._("%(when)s (%(relative)s)") % {
            "when": first_upper(when),
            "relative": relative,
        }

    def span_label(self, relative: str, when: str | None) -> str:
        """``For 24 hours after your procedure, until Wed 9 Dec 2026``."""
        if when is None:
            return relative
        return self._("%(when)s, %(date)s") % {"when": relative, "date": when}

    # Sentences -------------------------------------------------------------------------
    def hold(self, medicine: str, offset: Offset, last_dose: dt.datetime | dt.date | None) -> str:
        """What to do about a medicine the clinician has asked the patient to pause."""
        values = {"medicine": medicine, "amount": self.amount(offset)}
        if last_dose is None:
            if offset.is_calendar:
                text = self._(
                    "Your care team has asked you to pause %(medicine)s. Do not take it for "
                    "%(amount)s before your procedure."
                )
            else:
                text = self._(
                    "Your care team has asked you to pause %(medicine)s. Take your last dose "
                    "no later than %(amount)s before your procedure."
                )
        elif isinstance(last_dose, dt.datetime):
            values["time"] = self.time(last_dose)
            values["date"] = self.date(last_dose.date())
            # Translators: the number is the hour (0 to 23), as in "at %(time)s on %(date)s".
            text = self._n(
                "Your care team has asked you to pause %(medicine)s. Take your last dose "
                "no later than %(time)s on %(date)s (%(amount)s before your procedure).",
                "Your care team has asked you to pause %(medicine)s. Take your last dose "
                "no later than %(time)s on %(date)s (%(amount)s before your procedure).",
                last_dose.hour,
            )
        else:
            values["when"] = self.moment(last_dose)
            text = self._(
                "Your care team has asked you to pause %(medicine)s. Take your last dose "
                "%(when)s. Then take no %(medicine)s for %(amount)s before your procedure."
            )
        return (
            (text % values) + " " + self._("Start it again only when your care team tells you to.")
        )

    def restart(self, medicine: str, offset: Offset | None, day: dt.date | None) -> str:
        """When to start a paused medicine again, or a line for the care team to fill in."""
        values = {"medicine": medicine}
        if offset is None:
            return (
                self._(
                    "Start %(medicine)s again on: ____________________ (your care team will write "
                    "the date here)."
                )
                % values
            )
        values["amount"] = self.amount(offset)
        if day is None:
            return self._("Start %(medicine)s again %(amount)s after your procedure.") % values
        values["when"] = self.moment(day)
        return (
            self._("Start %(medicine)s again %(when)s (%(amount)s after your procedure).") % values
        )

    def arrive(self) -> str:
        """The arrival item, when the clinic sets an arrival time."""
        return self._("Arrive at the clinic.")

    def call_clinic(self, name: str | None, phone: str | None, after_hours: str | None) -> str:
        """Who to call for the less urgent signs."""
        who = name or self._("your clinic")
        if phone and after_hours:
            return self._("Call %(who)s at %(phone)s (after hours: %(after)s) if you have:") % {
                "who": who,
                "phone": phone,
                "after": after_hours,
            }
        if phone:
            return self._("Call %(who)s at %(phone)s if you have:") % {"who": who, "phone": phone}
        return self._("Call %(who)s if you have:") % {"who": who}

    def call_emergency(self, number: str) -> str:
        """Who to call for the urgent signs."""
        return self._("Call %(number)s now, or go to the nearest emergency room, if you have:") % {
            "number": number
        }

    # The stamp -------------------------------------------------------------------------
    def stamp(self, version: str, procedure: str, reviewed: str, content: str) -> str:
        """``procguide 0.1.0 · blood-patch · reviewed 2026-11-21 · content 89e594846069``."""
        return self._(
            "procguide %(version)s · %(procedure)s · reviewed %(reviewed)s · content %(content)s"
        ) % {"version": version, "procedure": procedure, "reviewed": reviewed, "content": content}

    def translation_stamp(self, translation: str, reviewed: str) -> str:
        """Which translation of the content, and its own review: ``translation 1a2b…``."""
        return self._("translation %(translation)s, reviewed %(reviewed)s") % {
            "translation": translation,
            "reviewed": reviewed,
        }


def first_upper(text: str) -> str:
    """Capitalise the first letter only: "at 01:30" starts a label, "ICU" keeps its capitals."""
    return text[:1].upper() + text[1:]
