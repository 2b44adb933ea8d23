"""Instruments, their editions, and citations to their articles.

A finding is only as good as its citation: a court's Party organisation must be
able to open the regulation and find the article. Three things make that hard,
and this module handles each in one place:

* **Editions.** The same rule has different article numbers (or does not exist)
  in different editions, so every citation names its edition, and the edition
  in force on the evaluation date is looked up here from dated data
  (``policies/instruments.yaml``), never hard-coded.
* **Uncertain dates.** Some start dates are known only to lie in a window (the
  2019 organs regulations took effect "on issue", some day between 2019-11-29
  and 2020-01-05). The registry keeps the latest possible date as the start
  and the earliest as ``uncertain_from``, so that a report can say when its
  date falls inside the window instead of silently picking one side.
* **Official form.** Chinese readers expect
  ``《中国共产党党和国家机关基层组织工作条例》（2019年修订）第八条第二款第（三）项``,
  with numerals written the official way; :func:`parse_citation` reads that
  form back, so labels in reports and citations in policy files are the same
  language.

Everything here is an immutable value; nothing is kept at module level except
constants.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import attrs

from .errors import PartyrulesError
from .source import read_path

__all__ = [
    "Citation",
    "CitationError",
    "Edition",
    "Instrument",
    "Registry",
    "RegistryError",
    "builtin_policies_dir",
    "chinese_numeral",
    "parse_chinese_numeral",
    "parse_citation",
]

KINDS = ("national", "local")
# How a check picks the edition of an instrument: the one in force on the evaluation date, or, for
# instruments about a process whose steps each fall under the edition of their own date (admissions,
# devt-rules), every edition that has begun, each judging only the steps dated in its own span.
JUDGED_BY = ("evaluation_date", "step_date")
MAX_NUMBER = 9999  # the largest number chinese_numeral writes

_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_EDITION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ZH_LABEL_RE = re.compile(r"^（[^（）]+）$")


# --------------------------------------------------------------------------- errors


class RegistryError(PartyrulesError):
    """Instrument data that cannot be trusted to date or label a citation.

    The message starts with the file and the path inside it
    (``FILE: instruments[2].editions[0].in_force_from: expected …``), followed
    by the line and column where they are known, so that the CLI can print it
    as is.
    """


class CitationError(PartyrulesError):
    """A citation that does not name a registered article, or cannot be read.

    The message says what was expected, and suggests the nearest registered
    name when the input looks like a typo.
    """


# --------------------------------------------------------------------------- numerals

_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))


def chinese_numeral(n: int) -> str:
    """Write ``n`` (1..9999) as official documents number articles.

    ``十`` not ``一十`` at the start, but ``一百一十`` inside; one ``零`` for
    any run of inner zeros (``一千零一``, ``一千零一十``); none for trailing
    zeros (``二百``); ``二`` never ``两``.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if not 1 <= n <= MAX_NUMBER:
        raise ValueError(f"{n} is outside 1..{MAX_NUMBER}")
    out: list[str] = []
    zero_pending = False
    for value, unit in _UNITS:
        digit = (n // value) % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        if not (digit == 1 and unit == "十" and not out):
            out.append(_DIGITS[digit])
        out.append(unit)
    return "".join(out)


def parse_chinese_numeral(text: str) -> int:
    """The inverse of :func:`chinese_numeral`; anything else is a ``ValueError``.

    Only the canonical spelling is accepted (``十`` but not ``一十``, no ``两``,
    no ``〇``), so that a citation has exactly one written form and two
    spellings of the same article never look like two articles.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected a str, got {type(text).__name__}")
    value = _lenient_numeral(text)
    if value is None or not 1 <= value <= MAX_NUMBER:
        raise ValueError(f"{text!r} is not a Chinese numeral from 1 to {MAX_NUMBER}")
    canonical = chinese_numeral(value)
    if canonical != text:
        raise ValueError(f"{text!r} is not written the official way (expected {canonical!r})")
    return value


def _lenient_numeral(text: str) -> int | None:
    """Read a numeral however it is written (一十, 两, 〇), or None if it is not one."""
    digits = {c: i for i, c in enumerate(_DIGITS)} | {"两": 2, "〇": 0}
    units = {"十": 10, "百": 100, "千": 1000}
    total, digit, last_unit = 0, None, 10_000
    if not text:
        return None
    for ch in text:
        if ch in digits:
            if digit is not None and digit != 0 and digits[ch] != 0:
                return None  # two digits in a row, e.g. 二三
            digit = digits[ch]
        elif ch in units:
            unit = units[ch]
            if unit >= last_unit:
                return None  # units out of order, e.g. 十百
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0)


# --------------------------------------------------------------------------- values


def _label_suffix_en(label: str) -> str:
    return f" ({label})" if label else ""


@attrs.frozen
class Edition:
    """One edition of an instrument and the dates it is in force.

    ``in_force_from`` is the first day the edition applies; when that day is
    not known exactly it is the *latest* possible day and ``uncertain_from``
    the earliest, so that a check never applies an edition before it can have
    existed. ``encoded`` says whether the rulebook has provisions for it.
    """

    instrument: str
    edition: str
    in_force_from: dt.date
    uncertain_from: dt.date | None = None
    label_zh: str = ""
    label_en: str = ""
    encoded: bool = False
    date_note: str = ""

    @property
    def ref(self) -> str:
        """``organs-regulations@2019``: how logs and notices name the edition."""
        return f"{self.instrument}@{self.edition}"


@attrs.frozen
class Instrument:
    """A regulation (or opinion, or constitution) and its editions, oldest first.

    ``id`` is the name used in reports (``organs-regulations``), ``key`` the
    short name used in the fact sheet and in hand-written citations
    (``organs-regs``); both are accepted wherever an instrument is named.
    ``origin`` (``FILE: instruments[1]``) only serves error messages.
    """

    id: str
    key: str
    title_zh: str
    title_en: str
    kind: str
    editions: tuple[Edition, ...]
    origin: str = attrs.field(default="", eq=False, repr=False)
    judged_by: str = "evaluation_date"     # see JUDGED_BY

    def edition_names(self) -> tuple[str, ...]:
        return tuple(e.edition for e in self.editions)


def _number_field(name: str):
    """A citation number: an int from 1 to 9999, or None where allowed.

    Ordering puts None (the whole article, or the whole paragraph) before any
    number, so sorted citations read as the regulation does.
    """

    def check(_instance: Any, _attribute: Any, value: Any) -> None:
        if value is None and name != "article":
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise CitationError(f"{name} must be an integer, got {value!r}")
        if value < 1:
            raise CitationError(f"{name} must be >= 1, got {value}")
        if value > MAX_NUMBER:
            raise CitationError(f"{name} must be <= {MAX_NUMBER}, got {value}")

    return check


def _none_first(value: int | None) -> tuple[bool, int]:
    return (value is not None, value or 0)


def _check_name(_instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise CitationError(f"{attribute.name} must be a non-empty string, got {value!r}")


@attrs.frozen(order=True)
class Citation:
    """A pointer to 第N条[第M款][第（K）项] of one edition of one instrument.

    A citation is a plain value: it can be built, compared and sorted without a
    registry. Labels and the report JSON need the registry for titles and
    edition suffixes. ``instrument`` is normally the report id; the short key is
    accepted too and written out as the id by :meth:`to_json`.
    """

    instrument: str = attrs.field(validator=_check_name)
    edition: str = attrs.field(validator=_check_name)
    article: int = attrs.field(validator=_number_field("article"))
    paragraph: int | None = attrs.field(default=None, validator=_number_field("paragraph"),
                                        order=_none_first)
    item: int | None = attrs.field(default=None, validator=_number_field("item"), order=_none_first)

    def ref(self) -> str:
        """Canonical text: ``organs-regulations@2019 art.8 para.2 item.3``."""
        out = f"{self.instrument}@{self.edition} art.{self.article}"
        if self.paragraph is not None:
            out += f" para.{self.paragraph}"
        if self.item is not None:
            out += f" item.{self.item}"
        return out

    def __str__(self) -> str:
        return self.ref()

    def label_zh(self, registry: "Registry") -> str:
        """``《title》（2019年修订）第八条第二款第（三）项``."""
        ed = registry.resolve(self)
        inst = registry.instrument(self.instrument)
        out = f"《{inst.title_zh}》{ed.label_zh}第{chinese_numeral(self.article)}条"
        if self.paragraph is not None:
            out += f"第{chinese_numeral(self.paragraph)}款"
        if self.item is not None:
            out += f"第（{chinese_numeral(self.item)}）项"
        return out

    def label_en(self, registry: "Registry") -> str:
        """``Title (revised 2019), Article 8, Paragraph 2, Item 3``."""
        ed = registry.resolve(self)
        inst = registry.instrument(self.instrument)
        out = f"{inst.title_en}{_label_suffix_en(ed.label_en)}, Article {self.article}"
        if self.paragraph is not None:
            out += f", Paragraph {self.paragraph}"
        if self.item is not None:
            out += f", Item {self.item}"
        return out

    def to_json(self, registry: "Registry") -> dict[str, Any]:
        """The citation object of ``partyrules.report/1``, keys in report order."""
        ed = registry.resolve(self)
        return {
            "instrument": ed.instrument,
            "edition": ed.edition,
            "article": self.article,
            "paragraph": self.paragraph,
            "item": self.item,
            "label": {"zh": self.label_zh(registry), "en": self.label_en(registry)},
        }


# --------------------------------------------------------------------------- registry


def builtin_policies_dir() -> Path:
    """Where the built-in policies live: inside the wheel, or in the source checkout."""
    installed = Path(__file__).parent / "_builtin" / "policies"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "policies"


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _as_date(on: Any) -> dt.date:
    # datetime is a date subclass but does not compare with one; refuse it early.
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError(f"expected a datetime.date, got {type(on).__name__}")
    return on


@attrs.frozen
class Registry:
    """The instruments a rulebook may cite, checked for consistency.

    Build it with :meth:`from_data`, :meth:`load` or :meth:`builtin`; policy
    packs add their own instruments with :meth:`merged`. Ids, short keys and
    zh titles are unique across the registry, so that every name and every
    printed label leads back to exactly one instrument.
    """

    instruments: tuple[Instrument, ...]
    _by_name: Mapping[str, Instrument] = attrs.field(init=False, eq=False, repr=False)
    _by_title: Mapping[str, Instrument] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Instrument] = {}
        by_title: dict[str, Instrument] = {}
        for inst in self.instruments:
            for field, name in (("id", inst.id), ("key", inst.key)):
                other = by_name.get(name)
                if other is not None and other is not inst:
                    raise RegistryError(
                        f"{inst.origin or '<registry>'}.{field}: {name!r} is already registered"
                        f" by instrument {other.id!r} ({other.origin})")
                by_name[name] = inst
            other = by_title.get(inst.title_zh)
            if other is not None:
                raise RegistryError(
                    f"{inst.origin or '<registry>'}.title.zh: {inst.title_zh!r} is already the title of"
                    f" instrument {other.id!r} ({other.origin})")
            by_title[inst.title_zh] = inst
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))
        object.__setattr__(self, "_by_title", MappingProxyType(by_title))

    # ---- construction

    @classmethod
    def from_data(cls, data: Any, source: str = "<data>") -> "Registry":
        """Validate a parsed instruments list (as in ``instruments.yaml``)."""
        return cls(_Validator(source, {}).instruments(data))

    @classmethod
    def load(cls, path: str | Path) -> "Registry":
        """Read and validate an instruments file; any problem is a :class:`RegistryError`."""
        try:
            doc = read_path(path)
        except PartyrulesError as exc:
            raise RegistryError(str(exc)) from None
        return cls(_Validator(doc.source, doc.marks).instruments(doc.data))

    @classmethod
    def builtin(cls) -> "Registry":
        """The instruments shipped with partyrules (``policies/instruments.yaml``)."""
        return cls.load(builtin_policies_dir() / "instruments.yaml")

    def merged(self, other: "Registry") -> "Registry":
        """A new registry with ``other``'s instruments added after these.

        An instrument cannot be extended or replaced this way: a clash of id,
        key or title is a :class:`RegistryError`, because two packs disagreeing
        about an instrument's editions would make citations depend on load order.
        """
        return Registry(self.instruments + other.instruments)

    # ---- lookups

    def __contains__(self, id_or_key: object) -> bool:
        return isinstance(id_or_key, str) and id_or_key in self._by_name

    def instrument(self, id_or_key: str | Instrument) -> Instrument:
        """The instrument with this report id or short key."""
        if isinstance(id_or_key, Instrument):
            id_or_key = id_or_key.id
        found = self._by_name.get(id_or_key) if isinstance(id_or_key, str) else None
        if found is None:
            raise CitationError(
                f"unknown instrument {id_or_key!r}{_suggest(str(id_or_key), sorted(self._by_name))}")
        return found

    def by_title(self, title_zh: str) -> Instrument:
        """The instrument with this zh title (without 《》)."""
        found = self._by_title.get(title_zh)
        if found is None:
            raise CitationError(
                f"unknown instrument title 《{title_zh}》{_suggest(title_zh, sorted(self._by_title))}")
        return found

    def edition(self, instrument: str | Instrument, edition: str) -> Edition:
        inst = self.instrument(instrument)
        for ed in inst.editions:
            if ed.edition == edition:
                return ed
        raise CitationError(
            f"edition {edition!r} of {inst.id} is not registered"
            f" (registered: {', '.join(inst.edition_names())})")

    def resolve(self, citation: Citation) -> Edition:
        """The registered edition a citation points to, or a :class:`CitationError`."""
        return self.edition(citation.instrument, citation.edition)

    def normalized(self, citation: Citation) -> Citation:
        """The same citation with its instrument written as the report id."""
        return attrs.evolve(citation, instrument=self.instrument(citation.instrument).id)

    def in_force(self, instrument: str | Instrument, on: dt.date) -> Edition | None:
        """The edition in force on ``on``; None before the first one."""
        on = _as_date(on)
        current = None
        for ed in self.instrument(instrument).editions:
            if ed.in_force_from <= on:
                current = ed
        return current

    def in_force_until(self, edition: Edition) -> dt.date | None:
        """The last day ``edition`` is in force; None while it is the latest."""
        inst = self.instrument(edition.instrument)
        names = inst.edition_names()
        if edition.edition not in names or inst.editions[names.index(edition.edition)] != edition:
            raise CitationError(f"edition {edition.ref} is not the one registered")
        i = names.index(edition.edition)
        if i + 1 == len(inst.editions):
            return None
        return inst.editions[i + 1].in_force_from - dt.timedelta(days=1)

    def is_in_force(self, instrument: str | Instrument, edition: str, on: dt.date) -> bool:
        ed = self.edition(instrument, edition)
        return self.in_force(instrument, on) == ed

    def applies_on(self, instrument: str | Instrument, edition: str, on: dt.date) -> bool:
        """Can a check on ``on`` apply ``edition``? The edition in force then, or, for an instrument
        judged by step date, any edition that has begun (its policies judge only the steps in its
        :meth:`step_span`)."""
        if self.is_in_force(instrument, edition, on):
            return True
        inst = self.instrument(instrument)
        return inst.judged_by == "step_date" and self.edition(inst, edition).in_force_from <= _as_date(on)

    def step_span(self, edition: Edition) -> tuple[dt.date, dt.date]:
        """The first and last day of the steps that ``edition`` judges.

        It starts on the first day the edition *may* have begun (``uncertain_from``
        when its start is not certain, else ``in_force_from``) and ends the day
        before the next edition may have begun: a step on a day when the later
        edition may already apply is never judged by the earlier one. The latest
        edition ends on ``date.max``.
        """
        inst = self.instrument(edition.instrument)
        names = inst.edition_names()
        i = names.index(edition.edition)
        start = edition.uncertain_from or edition.in_force_from
        if i + 1 == len(inst.editions):
            return start, dt.date.max
        nxt = inst.editions[i + 1]
        return start, (nxt.uncertain_from or nxt.in_force_from) - dt.timedelta(days=1)

    def edition_for_step(self, instrument: str | Instrument, day: dt.date) -> Edition | None:
        """The edition that judges a step dated ``day`` (None before the first), by :meth:`step_span`."""
        for ed in self.instrument(instrument).editions:
            start, end = self.step_span(ed)
            if start <= day <= end:
                return ed
        return None

    def uncertain_on(self, instrument: str | Instrument, on: dt.date) -> Edition | None:
        """The edition that may already be in force on ``on``, though not yet by the registry.

        That is the edition with ``uncertain_from <= on < in_force_from``: a check
        on such a date applies the previous edition and should say so.
        """
        on = _as_date(on)
        for ed in self.instrument(instrument).editions:
            if ed.uncertain_from is not None and ed.uncertain_from <= on < ed.in_force_from:
                return ed
        return None


# --------------------------------------------------------------------------- validation

_INSTRUMENT_KEYS = {"id": True, "key": True, "title": True, "kind": True, "editions": True, "judged_by": False}
_EDITION_KEYS = {"edition": True, "in_force_from": True, "uncertain_from": False, "label": False,
                 "encoded": True, "date_note": False}
_TEXT_KEYS = {"zh": True, "en": True}


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return f"date {value.isoformat()}"
    return type(value).__name__


@attrs.frozen
class _Validator:
    """Turns plain data into instruments, reporting the first problem by path."""

    source: str
    marks: Mapping[tuple, tuple[int, int]]

    def fail(self, path: tuple, message: str) -> RegistryError:
        text = "instruments" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        where = ""
        probe = path
        while True:
            if probe in self.marks:
                line, col = self.marks[probe]
                where = f" (line {line}, column {col})"
                break
            if not probe:
                break
            probe = probe[:-1]
        return RegistryError(f"{self.source}: {text}: {message}{where}")

    def mapping(self, value: Any, path: tuple, keys: dict[str, bool], what: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected {what} (a mapping), got {_describe(value)}")
        for k in value:
            if k not in keys:
                raise self.fail(path + (k,) if isinstance(k, str) else path,
                                f"unknown key {k!r} (expected one of: {', '.join(keys)})"
                                + _suggest(str(k), list(keys)))
        for k, required in keys.items():
            if required and k not in value:
                raise self.fail(path, f"missing key {k!r}")
        return value

    def text(self, value: Any, path: tuple, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"expected a string, got {_describe(value)}")
        if not empty and not value.strip():
            raise self.fail(path, "expected a non-empty string")
        return value

    def name(self, value: Any, path: tuple) -> str:
        self.text(value, path)
        if not _ID_RE.match(value):
            raise self.fail(path, f"expected lower-case words joined by '-' (like 'organs-regs'), got {value!r}")
        return value

    def date(self, value: Any, path: tuple) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and _DATE_RE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(path, f"expected a date YYYY-MM-DD, got {_describe(value)}")

    def instruments(self, data: Any) -> tuple[Instrument, ...]:
        if not isinstance(data, list):
            raise self.fail((), f"expected a list of instruments, got {_describe(data)}")
        out: list[Instrument] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(data):
            inst = self.instrument(raw, (i,))
            for field, name in (("id", inst.id), ("key", inst.key)):
                if name in seen and not (field == "key" and seen[name] == i):
                    raise self.fail((i, field), f"{name!r} is already used by instruments[{seen[name]}]")
                seen[name] = i
            out.append(inst)
        return tuple(out)

    def instrument(self, raw: Any, path: tuple) -> Instrument:
        m = self.mapping(raw, path, _INSTRUMENT_KEYS, "an instrument")
        ident = self.name(m["id"], path + ("id",))
        key = self.name(m["key"], path + ("key",))
        title = self.mapping(m["title"], path + ("title",), _TEXT_KEYS, "a title {zh, en}")
        title_zh = self.text(title["zh"], path + ("title", "zh"))
        if any(c in title_zh for c in "《》"):
            raise self.fail(path + ("title", "zh"), f"write the title without 《》, got {title_zh!r}")
        if title_zh != title_zh.strip():
            raise self.fail(path + ("title", "zh"), "the title must not start or end with spaces")
        title_en = self.text(title["en"], path + ("title", "en"))
        kind = m["kind"]
        if kind not in KINDS:
            raise self.fail(path + ("kind",), f"expected one of {', '.join(KINDS)}, got {_describe(kind)}")
        raw_editions = m["editions"]
        if not isinstance(raw_editions, list) or not raw_editions:
            raise self.fail(path + ("editions",), f"expected a non-empty list of editions, got {_describe(raw_editions)}")
        editions: list[Edition] = []
        for j, raw_ed in enumerate(raw_editions):
            ed_path = path + ("editions", j)
            ed = self.edition(raw_ed, ed_path, ident)
            for k, prev in enumerate(editions):
                if prev.edition == ed.edition:
                    raise self.fail(ed_path + ("edition",), f"edition {ed.edition!r} is already listed at editions[{k}]")
                if len(raw_editions) > 1 and prev.label_zh == ed.label_zh:
                    raise self.fail(ed_path + ("label", "zh"),
                                    f"label {ed.label_zh!r} is already used by editions[{k}]: each edition"
                                    " needs its own zh label, or its citations could not be told apart")
            if len(raw_editions) > 1 and not ed.label_zh:
                raise self.fail(ed_path + ("label",),
                                "an instrument with several editions needs a zh and en label on each,"
                                " like {zh: （2019年修订）, en: revised 2019}")
            if editions:
                prev = editions[-1]
                if ed.in_force_from <= prev.in_force_from:
                    raise self.fail(ed_path + ("in_force_from",),
                                    f"expected a date after {prev.in_force_from.isoformat()} (editions[{j - 1}]),"
                                    f" got {ed.in_force_from.isoformat()}: list editions oldest first")
                if ed.uncertain_from is not None and ed.uncertain_from <= prev.in_force_from:
                    raise self.fail(ed_path + ("uncertain_from",),
                                    f"expected a date after {prev.in_force_from.isoformat()} (editions[{j - 1}]),"
                                    f" got {ed.uncertain_from.isoformat()}")
            editions.append(ed)
        judged_by = m.get("judged_by", "evaluation_date")
        if judged_by not in JUDGED_BY:
            raise self.fail(path + ("judged_by",),
                            f"expected one of {', '.join(JUDGED_BY)}, got {_describe(judged_by)}")
        return Instrument(ident, key, title_zh, title_en, kind, tuple(editions),
                          origin=f"{self.source}: instruments[{path[-1]}]", judged_by=judged_by)

    def edition(self, raw: Any, path: tuple, instrument: str) -> Edition:
        m = self.mapping(raw, path, _EDITION_KEYS, "an edition")
        name = m["edition"]
        if not isinstance(name, str):
            hint = " (quote it: \"2019\")" if isinstance(name, int) and not isinstance(name, bool) else ""
            raise self.fail(path + ("edition",), f"expected a string{hint}, got {_describe(name)}")
        if not _EDITION_RE.match(name):
            raise self.fail(path + ("edition",), f"expected letters, digits, '.', '_' or '-' (like \"2019\"), got {name!r}")
        start = self.date(m["in_force_from"], path + ("in_force_from",))
        uncertain = None
        if m.get("uncertain_from") is not None:
            uncertain = self.date(m["uncertain_from"], path + ("uncertain_from",))
            if uncertain >= start:
                raise self.fail(path + ("uncertain_from",),
                                f"expected a date before in_force_from {start.isoformat()}, got {uncertain.isoformat()}")
        label_zh = label_en = ""
        if "label" in m:
            label = self.mapping(m["label"], path + ("label",), _TEXT_KEYS, "a label {zh, en}")
            label_zh = self.text(label["zh"], path + ("label", "zh"), empty=True)
            label_en = self.text(label["en"], path + ("label", "en"), empty=True)
            if label_zh and not _ZH_LABEL_RE.match(label_zh):
                raise self.fail(path + ("label", "zh"), f"expected full-width brackets like （2019年修订）, got {label_zh!r}")
            if bool(label_zh) != bool(label_en):
                raise self.fail(path + ("label",), "expected both zh and en labels, or both empty")
        encoded = m["encoded"]
        if not isinstance(encoded, bool):
            raise self.fail(path + ("encoded",), f"expected true or false, got {_describe(encoded)}")
        note = self.text(m.get("date_note", ""), path + ("date_note",), empty=True)
        return Edition(instrument, name, start, uncertain, label_zh, label_en, encoded, note)


# --------------------------------------------------------------------------- parsing

_NUM = r"[零一二三四五六七八九十百千两〇]+"
_REF_RE = re.compile(
    r"^(?P<inst>[^\s@]+)(?:@(?P<ed>\S+))?\s+art\.(?P<art>\d+)"
    r"(?:\s+para\.(?P<para>\d+))?(?:\s+item\.(?P<item>\d+))?$")
_ZH_RE = re.compile(r"^《(?P<title>[^《》]+)》(?P<rest>.*)$", re.S)
_ZH_BODY_RE = re.compile(
    rf"^第(?P<art>{_NUM})条(?:第(?P<para>{_NUM})款)?(?:第（(?P<item>{_NUM})）项)?$")
_EXPECTED = ("expected a citation like 'organs-regulations@2019 art.8 para.2 item.3'"
             " or '《中国共产党党和国家机关基层组织工作条例》（2019年修订）第八条第二款第（三）项'")


def parse_citation(text: str, registry: Registry, on: dt.date | None = None) -> Citation:
    """Read a citation written canonically, with a short key, or as a zh label.

    Accepted forms::

        organs-regulations@2019 art.8 para.2 item.3
        organs-regs@2019 art.26 item.6
        《中国共产党党和国家机关基层组织工作条例》（2019年修订）第八条第二款第（三）项

    When the edition is left out (no ``@edition``, or no （…） suffix) it is
    the instrument's only edition, else the edition in force ``on``, else the
    citation is ambiguous and refused. An edition that is written is taken as
    written, whatever ``on`` says. The result names the instrument by its
    report id and is checked against the registry.
    """
    if not isinstance(text, str):
        raise CitationError(f"{_EXPECTED}, got {_describe(text)}")
    stripped = text.strip()
    if stripped.startswith("《"):
        return _parse_zh(stripped, text, registry, on)
    m = _REF_RE.match(stripped)
    if not m:
        raise CitationError(f"{_EXPECTED}, got {text!r}")
    inst = registry.instrument(m["inst"])
    if m["ed"] is None:
        edition = _default_edition(inst, registry, on, text).edition
    else:
        edition = registry.edition(inst, m["ed"]).edition
    numbers = {}
    for group, name in (("art", "article"), ("para", "paragraph"), ("item", "item")):
        digits = m[group]
        if digits is None:
            numbers[name] = None
        elif digits != "0" and digits.startswith("0"):
            raise CitationError(f"{name} number {digits!r} must be written without leading zeros")
        else:
            numbers[name] = int(digits)
    return Citation(inst.id, edition, numbers["article"], numbers["paragraph"], numbers["item"])


def _parse_zh(stripped: str, text: str, registry: Registry, on: dt.date | None) -> Citation:
    m = _ZH_RE.match(stripped)
    if not m:
        raise CitationError(f"{_EXPECTED}, got {text!r}")
    inst = registry.by_title(m["title"])
    rest = m["rest"]
    edition = None
    for ed in sorted(inst.editions, key=lambda e: -len(e.label_zh)):
        if ed.label_zh and rest.startswith(ed.label_zh):
            edition, rest = ed, rest[len(ed.label_zh):]
            break
    if edition is None:
        if rest.startswith("（"):
            end = rest.find("）")
            written = rest[: end + 1] if end >= 0 else rest
            labels = ", ".join(e.label_zh or "(none)" for e in inst.editions)
            raise CitationError(
                f"edition {written!r} of {inst.id} is not registered (registered: {labels})")
        edition = _default_edition(inst, registry, on, text)
    body = _ZH_BODY_RE.match(rest)
    if not body:
        raise CitationError(f"expected 第N条[第M款][第（K）项] after 《{inst.title_zh}》{edition.label_zh}, got {rest!r}")
    numbers = {}
    for group, name in (("art", "article"), ("para", "paragraph"), ("item", "item")):
        written = body[group]
        if written is None:
            numbers[name] = None
            continue
        try:
            numbers[name] = parse_chinese_numeral(written)
        except ValueError as exc:
            raise CitationError(f"{name} number: {exc}") from None
    return Citation(inst.id, edition.edition, numbers["article"], numbers["paragraph"], numbers["item"])


def _default_edition(inst: Instrument, registry: Registry, on: dt.date | None, text: str) -> Edition:
    if len(inst.editions) == 1:
        return inst.editions[0]
    names = ", ".join(inst.edition_names())
    if on is None:
        raise CitationError(
            f"{text.strip()!r} is ambiguous: {inst.id} has several editions ({names});"
            " write the edition, or give the date the citation applies on")
    found = registry.in_force(inst, on)
    if found is None:
        first = inst.editions[0]
        raise CitationError(
            f"no edition of {inst.id} is in force on {on.isoformat()}"
            f" (the first, {first.edition}, is in force from {first.in_force_from.isoformat()})")
    return found
