"""How the development and dues rules count time, each choice a named function.

Chinese legal texts read 以上、以下、以内、届满 as *including* the number itself
(the convention written down in the Civil Code, art.1259), so "一年以上" is met on
the anniversary day and "一个月内" still holds on the same day one month later.
Dates carry no time of day: a step on the day of its bound is in time.

Months are calendar months counted from a day to the same day (clipped to the
end of a shorter month: 31 January + 1 month = 28/29 February), as
:func:`partyrules.periods.add_months`; years likewise (29 February + 1 year =
28 February).
"""

from __future__ import annotations

import datetime as dt

from .periods import Month, add_months, add_years


def within_months_deadline(start: dt.date, months: int) -> dt.date:
    """The last day of "within ``months`` months of ``start``" (一个月内): the same day ``months`` later.

    >>> within_months_deadline(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    return add_months(start, months)


def within_months(start: dt.date, day: dt.date, months: int) -> bool:
    """Was ``day`` within ``months`` months of ``start``: on or after it and on or before the deadline?

    A step before ``start`` is not "within" (it is out of order; the policies say so).
    """
    return start <= day <= within_months_deadline(start, months)


def anniversary(start: dt.date, years: int = 1) -> dt.date:
    """The day on which ``years`` full years since ``start`` are complete: the same calendar day
    ``years`` later (29 February → 28 February).

    "More than one year" (一年以上) includes exactly one year, so a step on the
    anniversary day itself satisfies it; the day before does not.
    """
    return add_years(start, years)


def at_least_years(start: dt.date, day: dt.date, years: int = 1) -> bool:
    """Had ``years`` full years passed from ``start`` by ``day`` (the anniversary day counts)?"""
    return day >= anniversary(start, years)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day``: 18 on the 18th birthday (29 February birthdays turn on 28 February)."""
    years = day.year - birth.year
    return years if day >= add_years(birth, years) else years - 1


def months_from(start: dt.date, day: dt.date) -> int:
    """Whole months from ``start`` to ``day`` (negative when ``day`` is earlier): the largest n with
    ``add_months(start, n) <= day``. 10 January to 9 March is 1; to 10 March, 2."""
    n = (day.year - start.year) * 12 + (day.month - start.month)
    # add_months(start, n) falls in day's month; it is at most one month too far
    return n if add_months(start, n) <= day else n - 1


def month_end_plus(month: Month, months: int) -> dt.date:
    """The last day a payment for ``month`` may be made when it may be up to ``months`` months late:
    the last day of the month ``months`` after it (dues for January, 6 months late: by 31 July)."""
    return (month + months).last_day()
