"""Offsets become real dates and times in the clinic's zone, across daylight-saving changes."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from procguide.content.offsets import Offset
from procguide.document.schedule import make_appointment, parse_date, parse_time
from procguide.errors import UsageError

NY = ZoneInfo("America/New_York")


def test_hours_before_give_a_clock_time_and_days_give_a_date():
    appt = make_appointment(date(2026, 12, 1), time(9, 30), NY)
    assert appt.before(Offset.parse("6h")) == datetime(2026, 12, 1, 3, 30, tzinfo=NY)
    assert appt.before(Offset.parse("1d")) == date(2026, 11, 30)
    assert appt.after(Offset.parse("2w")) == date(2026, 12, 15)


def test_a_seven_day_hold_means_the_last_dose_is_eight_days_before():
    appt = make_appointment(date(2026, 12, 1), time(9, 30), NY)
    assert appt.last_dose(Offset.parse("7d")) == date(2026, 11, 23)  # Mon 23 Nov


def test_hours_count_real_elapsed_time_across_the_clocks_going_back():
    # Clocks go back at 02:00 on Sun 1 Nov 2026: 6 real hours before 05:00 Mon is 23:00 Sun.
    appt = make_appointment(date(2026, 11, 2), time(5, 0), NY)
    cutoff = appt.before(Offset.parse("6h"))
    assert isinstance(cutoff, datetime)
    assert (cutoff.hour, cutoff.date()) == (23, date(2026, 11, 1))
    assert (appt.start - cutoff).total_seconds() == 6 * 3600


@pytest.mark.parametrize(
    ("day", "at", "message"),
    [
        ("2026-03-08", "02:30", "does not exist: the clocks go forward then"),
        ("2026-11-01", "01:30", "happens twice: the clocks go back then"),
    ],
)
def test_skipped_and_repeated_times_are_refused(day, at, message):
    with pytest.raises(UsageError, match=message):
        make_appointment(parse_date(day), parse_time(at), NY)


@pytest.mark.parametrize("text", ["01/02/2026", "2026-2-1", "tomorrow", "2026-02-30"])
def test_unclear_or_impossible_dates_are_refused(text):
    with pytest.raises(UsageError):
        parse_date(text)


@pytest.mark.parametrize("text", ["9:30 AM", "24:00", "0930", "9.30"])
def test_times_must_be_24_hour(text):
    with pytest.raises(UsageError, match="24-hour"):
        parse_time(text)


@pytest.mark.parametrize("text", ["1m", "1.5h", "6", "2 months", "-1d", ""])
def test_ambiguous_offsets_are_refused(text):
    with pytest.raises(ValueError, match="not a clear offset"):
        Offset.parse(text)
