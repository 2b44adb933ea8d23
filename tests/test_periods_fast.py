"""Month arithmetic without Month objects gives the dates (and the errors) the Month-based arithmetic gave."""

import datetime as dt

from hypothesis import example, given
from hypothesis import strategies as st

from partyrules.periods import Month, add_months, days_in_month, parse_date, parse_dates


def reference_last_day(month: Month) -> dt.date:
    return (month + 1).first_day() - dt.timedelta(days=1)


def reference_add_months(day: dt.date, months: int) -> dt.date:
    target = Month.of(day) + months
    return dt.date(target.year, target.month, min(day.day, reference_last_day(target).day))


def outcome(fn, *args):
    try:
        return fn(*args)
    except (ValueError, OverflowError) as e:
        return type(e).__name__


@given(st.dates(), st.integers(-130_000, 130_000))
def test_add_months_is_the_month_based_arithmetic(day, months):
    assert outcome(add_months, day, months) == outcome(reference_add_months, day, months)


@given(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), st.sampled_from([-1, 0, 1, 2, 11, 12, 13, -13, 1200]))
def test_add_months_near_the_ends_of_months_and_years(day, months):
    assert outcome(add_months, day, months) == outcome(reference_add_months, day, months)


@given(st.integers(-2, 10_001), st.integers(-14, 26))
def test_last_day_is_the_day_before_the_next_month(year, month):
    assert outcome(Month(year, month).last_day) == outcome(reference_last_day, Month(year, month))


def test_days_in_month_follows_the_gregorian_leap_years():
    assert [days_in_month(y, 2) for y in (1900, 2000, 2023, 2024)] == [28, 29, 28, 29]
    assert sum(days_in_month(2024, m) for m in range(1, 13)) == 366


def reference_parse_date(text: str) -> dt.date:
    """Strict ``YYYY-MM-DD`` as a regular expression says it, then the calendar."""
    import re
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


_NEAR_DATES = st.builds(
    lambda day, edits: "".join(edits.get(i, c) for i, c in enumerate(day.isoformat())) if edits else day.isoformat(),
    st.dates(), st.dictionaries(st.integers(0, 10), st.sampled_from(
        list("0123456789-+ WTZ:.,/_\t\n\x00aé٣２") + ["\ud800", "", "12", "-0"]), max_size=3))


@given(st.one_of(_NEAR_DATES, st.text(max_size=12)))
def test_parse_date_takes_exactly_what_the_strict_pattern_takes(text):
    assert outcome(parse_date, text) == outcome(reference_parse_date, text)


@given(st.lists(st.one_of(_NEAR_DATES, st.dates().map(dt.date.isoformat), st.text(max_size=12)), max_size=8))
@example(["2024-01-01", "2024-W01-1"])      # a week date: ten characters that date.fromisoformat takes
@example(["20240101", "2024-01-01"])
def test_parse_dates_is_parse_date_of_each(texts):
    def each(texts):
        return [parse_date(text) for text in texts]
    assert outcome(parse_dates, texts) == outcome(each, texts)
