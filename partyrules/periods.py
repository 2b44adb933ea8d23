"""Months, quarters, years and the windows that rules look at.

Regulations count in calendar periods (每月, 每季度, 每年, 连续六个月). A window can
only be judged when it is *over* and lies wholly inside the period whose
records are complete (facts-v1 ``records_from``); these helpers make that
decision in one place.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

# ASCII digits and the whole text: \d would take '٢٠٢٤-٠١', and $ a trailing newline
_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")


@attrs.frozen(order=True)
class Month:
    """A calendar month, ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        m = _MONTH_RE.fullmatch(text)
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
            raise ValueError(text)
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> "Month":
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        if 1 <= self.year < 9999 and 1 <= self.month <= 12:
            return dt.date(self.year, self.month, days_in_month(self.year, self.month))
        return (self + 1).first_day() - dt.timedelta(days=1)    # the edges of the calendar fail as dates do

    def __add__(self, n: int) -> "Month":
        index = self.year * 12 + (self.month - 1) + n
        return Month(index // 12, index % 12 + 1)

    def __sub__(self, other: "Month") -> int:
        return (self.year * 12 + self.month) - (other.year * 12 + other.month)


def parse_date(text: str) -> dt.date:
    """Strict ISO ``YYYY-MM-DD`` (no times, no week dates)."""
    # ten ASCII characters with dashes at 4 and 7 leave date.fromisoformat only YYYY-MM-DD to accept (it refuses
    # any other character in the digits' places): [0-9]{4}-[0-9]{2}-[0-9]{2} in a few C calls, at a third of the
    # cost of the expression (a court's document has some 1,600 distinct dates; tests/test_periods_fast.py
    # holds the two to one answer)
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def parse_dates(texts: list[str]) -> list[dt.date]:
    """:func:`parse_date` of each of ``texts`` (``str``), in a few C calls for them all (a court's
    document has some 1,600 distinct dates); ValueError if any is not a date."""
    n = len(texts)
    if not n:
        return []
    joined = "".join(texts)
    # every text ten characters long (the lengths add up to ten each and none is shorter), ASCII, and dashes
    # at 4 and 7 of each: what parse_date asks of one text before date.fromisoformat
    if len(joined) != 10 * n or min(map(len, texts)) != 10 or not joined.isascii() \
            or joined[4::10] != "-" * n or joined[7::10] != "-" * n:
        raise ValueError("not all dates")
    return list(map(dt.date.fromisoformat, texts))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """How many days ``month`` (1–12) of ``year`` has (Gregorian leap years)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clipped to the end of a shorter month."""
    # whole-number arithmetic: this is asked for every deadline of every member, so no Month objects
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if 1 <= year < 9999:
        return dt.date(year, month0 + 1, min(day.day, days_in_month(year, month0 + 1)))
    target = Month(year, month0 + 1)        # the edges of the calendar fail as they always did
    return dt.date(target.year, target.month, min(day.day, target.last_day().day))


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` to ``last`` inclusive (empty when last < first)."""
    return [first + i for i in range(max(0, (last - first) + 1))]


def last_complete_month(on: dt.date) -> Month:
    """The latest calendar month that is over on ``on`` (its last day is on or before it)."""
    last = Month.of(on)
    return last if on == last.last_day() else last + (-1)


def complete_months(records_from: dt.date | None, as_of: dt.date) -> tuple[Month, Month] | None:
    """The first and last calendar months that are both over on ``as_of`` and fully recorded.

    A month counts as over only once its last day is on or before ``as_of``; it
    is fully recorded when its first day is on or after ``records_from``.
    Returns ``None`` when no such month exists (or records are not complete).
    """
    if records_from is None:
        return None
    first = Month.of(records_from)
    if records_from.day != 1:
        first = first + 1
    last = last_complete_month(as_of)
    if last < first:
        return None
    return first, last


def quarter_of(month: Month) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> list[Month]:
    start = Month(year, 3 * (quarter - 1) + 1)
    return [start, start + 1, start + 2]


PERIOD_KINDS = ("month", "quarter", "year")


@attrs.frozen(order=True)
class Period:
    """A calendar month, quarter or year (``2024-03``, ``2024-Q1``, ``2024``)."""

    kind: str
    year: int
    index: int = 1          # month 1–12, quarter 1–4, 1 for a year

    def first_day(self) -> dt.date:
        if self.kind == "month":
            return dt.date(self.year, self.index, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * (self.index - 1) + 1, 1)
        return dt.date(self.year, 1, 1)

    def last_day(self) -> dt.date:
        return self.next().first_day() - dt.timedelta(days=1)

    def next(self) -> "Period":
        size = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if self.index == size:
            return Period(self.kind, self.year + 1, 1)
        return Period(self.kind, self.year, self.index + 1)

    def previous(self) -> "Period":
        size = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if self.index == 1:
            return Period(self.kind, self.year - 1, size)
        return Period(self.kind, self.year, self.index - 1)

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        if kind == "month":
            return cls(kind, day.year, day.month)
        if kind == "quarter":
            return cls(kind, day.year, (day.month - 1) // 3 + 1)
        return cls(kind, day.year, 1)

    @classmethod
    def last_complete(cls, kind: str, on: dt.date) -> "Period":
        """The latest period that is over on ``on`` (its last day is on or before it)."""
        p = cls.containing(kind, on)
        return p if p.last_day() <= on else p.previous()
