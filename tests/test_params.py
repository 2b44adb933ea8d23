"""Parameter files: one validator (rulebook/params.py ``read_parameters``) for the loader and for lint.

The loader raises the first error of a file, ``partyrules lint`` lists every problem, and both
say the same thing at the same place: every kind of problem below is checked on both sides,
and a property test holds the two together on generated files, broken and valid.
"""

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partyrules.cli import main
from partyrules.errors import PartyrulesError, PolicyError
from partyrules.rulebook.load import load_rulebook
from partyrules.rulebook.params import Parameters, parameter_problems, parameters_from_document, read_parameters
from partyrules.source import read_yaml
from partyrules.tools.lint import lint_paths

GOOD = """\
- name: court.size
  description: {zh: 人数, en: Size}
  unit: members
  values:
    - value: 3
      citation: organs-regulations@2019 art.7
"""

# (what is wrong, the file, the first problem as line, column, message)
KINDS = [
    ("not a list", "name: court.size\n", (1, 1, "expected a list of parameters, got a mapping")),
    ("an empty file", "", (None, None, "the file is empty: expected a list of parameters")),
    ("an entry not a mapping", "- court.size\n", (1, 3, "[0]: expected a mapping, got a string")),
    ("an unknown key", GOOD.replace("  unit:", "  unti:"),
     (3, 9, "[0].unti: unknown key 'unti' (did you mean 'unit'?); expected name, values, description, unit, "
            "limit, tightens")),
    ("no values", "- name: court.size\n", (1, 3, "[0]: missing required key 'values'")),
    ("values not a list", "- name: court.size\n  values: 3\n", (2, 11, "[0].values: expected a list, got a whole number")),
    ("a name not dotted lowercase", GOOD.replace("court.size", "Court.Size"),
     (1, 9, "[0].name: parameter name 'Court.Size' must be dotted lowercase, e.g. organs.branch_size")),
    ("a name twice in the file", GOOD + GOOD.replace("value: 3", "value: 4"),
     (7, 9, "[1].name: parameter 'court.size' is already defined on line 1 of this file")),
    ("an empty description", GOOD.replace("en: Size", "en: ' '"), (2, 29, "[0].description.en: must not be empty")),
    ("a description not a pair", GOOD.replace("{zh: 人数, en: Size}", "Size"),
     (2, 16, "[0].description: expected a mapping, got a string")),
    ("a limit neither way", GOOD.replace("  unit: members", "  unit: members\n  limit: atmost"),
     (4, 10, "[0].limit: expected at_most or at_least, got 'atmost'")),
    ("a value not a number", GOOD.replace("value: 3", "value: true"),
     (5, 14, "[0].values[0].value: expected a whole number or a number, got true or false")),
    ("a value not a mapping", GOOD.replace("    - value: 3\n      citation: organs-regulations@2019 art.7\n",
                                           "    - 3\n"), (5, 7, "[0].values[0]: expected a mapping, got a whole number")),
    ("citation and setting", GOOD.replace("art.7\n", "art.7\n      setting: why\n"),
     (5, 7, "[0].values[0]: give either citation (the article that sets the number) or setting (why it is a "
            "checker's choice, not a number of the law)")),
    ("neither citation nor setting", GOOD.replace("      citation: organs-regulations@2019 art.7\n", ""),
     (5, 7, "[0].values[0]: give either citation (the article that sets the number) or setting (why it is a "
            "checker's choice, not a number of the law)")),
    ("an unknown instrument", GOOD.replace("organs-regulations@", "organs-regulation@"),
     (6, 17, "[0].values[0].citation: unknown instrument 'organs-regulation' (did you mean 'organs-regulations'?)")),
    ("a date that is none", GOOD.replace("art.7\n", "art.7\n      from: 2020-13-01\n"),
     (7, 13, "[0].values[0].from: expected a date YYYY-MM-DD, got '2020-13-01'")),
    ("a setting without from", GOOD.replace("citation: organs-regulations@2019 art.7", "setting: six months"),
     (5, 7, "[0].values[0]: a setting needs from: the date it applies from")),
    ("no value at all", "- name: court.size\n  values: []\n", (2, 11, "[0].values: a parameter needs at least one value")),
    ("two values on one day", GOOD + "    - value: 4\n      citation: organs-regulations@2019 art.7\n"
                                     "      from: 2020-01-05\n",
     (7, 7, "[0].values[1]: two values of 'court.size' take effect on 2020-01-05 (the other is values[0])")),
    ("a value before its edition", GOOD.replace("art.7\n", "art.7\n      from: 2019-06-01\n"),
     (7, 13, "[0].values[0].from: takes effect on 2019-06-01, before organs-regulations@2019 is in force "
             "(2020-01-05): the value would overlap the period of an earlier edition")),
]


def pack_with(folder: Path, text: str) -> Path:
    pack = folder / "pack"
    (pack / "parameters").mkdir(parents=True)
    (pack / "parameters" / "p.yaml").write_text(text, encoding="utf-8")
    return pack


def loader_error(pack: Path) -> tuple | None:
    """The loader's error as (file, line, column, message), or None when the pack loads."""
    try:
        load_rulebook([pack])
    except PartyrulesError as exc:      # a PolicyError, or a SourceError for YAML that does not read
        return str(Path(exc.source).resolve()), exc.line or 1, exc.column or 1, exc.message
    return None


def lint_errors(pack: Path) -> list[tuple]:
    """Lint's errors, in lint's order, as (file, line, column, message)."""
    return [(str(Path(f.file).resolve()), f.line, f.column, f.message)
            for f in lint_paths([pack], search=0) if f.severity == "error"]


@pytest.mark.parametrize("what, text, first", KINDS, ids=[k[0] for k in KINDS])
def test_the_loader_raises_and_lint_lists_each_problem_in_the_same_words(tmp_path, what, text, first):
    pack = pack_with(tmp_path, text)
    file = str((pack / "parameters" / "p.yaml").resolve())
    line, column, message = first
    expected = (file, line or 1, column or 1, message)
    with pytest.raises(PolicyError) as raised:
        load_rulebook([pack])
    assert (raised.value.line, raised.value.column, raised.value.message) == first
    assert loader_error(pack) == expected
    assert lint_errors(pack)[0] == expected


def test_a_name_clashing_with_a_builtin_parameter_names_its_file_and_line(tmp_path):
    pack = pack_with(tmp_path, GOOD.replace("court.size", "checks.lookback_months"))
    error = loader_error(pack)
    assert error[1:3] == (1, 9)
    assert error[3].startswith("[0].name: parameter 'checks.lookback_months' is already defined in ")
    assert error[3].endswith("policies/parameters/checks.yaml:5")
    assert lint_errors(pack) == [error]


def test_lint_lists_every_problem_of_a_file_the_loader_stops_at_the_first(tmp_path):
    text = GOOD.replace("en: Size", "en: ''").replace("value: 3", "value: true") + GOOD.replace("value: 3", "value: 4")
    pack = pack_with(tmp_path, text)
    messages = [e[3] for e in lint_errors(pack)]
    assert messages == ["[0].description.en: must not be empty",
                        "[0].values[0].value: expected a whole number or a number, got true or false",
                        "[1].name: parameter 'court.size' is already defined on line 1 of this file"]
    assert loader_error(pack)[3] == messages[0]


def test_a_bad_parameter_file_stops_the_command_line_with_status_2(tmp_path):
    pack = pack_with(tmp_path, KINDS[-1][1])
    result = CliRunner().invoke(main, ["test", "--policies", str(pack)], catch_exceptions=False)
    assert result.exit_code == 2 and result.stdout == ""
    assert "p.yaml:7:13: [0].values[0].from: takes effect on 2019-06-01" in result.stderr


def test_a_value_outliving_its_edition_is_a_warning_lint_shows_and_the_loader_accepts(tmp_path):
    pack = pack_with(tmp_path, GOOD.replace("organs-regulations@2019", "party-constitution@2017"))
    assert loader_error(pack) is None
    [finding] = lint_paths([pack], search=0)
    assert (finding.line, finding.column, finding.severity) == (6, 17, "warning")
    assert finding.message == ("[0].values[0].citation: party-constitution@2017 is replaced on 2022-10-22 by "
                               "party-constitution@2022, but this value stays in force after that: add a value "
                               "that cites party-constitution@2022")


def test_problems_come_in_the_order_of_the_file_and_the_parameters_as_far_as_they_read():
    book = load_rulebook()
    text = GOOD.replace("value: 3", "value: true") + GOOD.replace("court.size", "court.Bad")
    doc = read_yaml(text, "p.yaml")
    reading = read_parameters(doc, book.registry, book.params)
    assert [(p.error.line, p.error.column) for p in reading.problems] == [(5, 14), (7, 9)]
    assert [str(p.error) for p in parameter_problems(doc, book.registry, book.params)] == \
           [str(p.error) for p in reading.problems]
    # lint still knows both names (so the policies using them are checked), with the values that read
    assert sorted(reading.parameters) == ["court.Bad", "court.size"]
    assert reading.parameters.by_name["court.size"].values == ()
    assert reading.parameters.by_name["court.Bad"].values[0].value == 3


def test_a_valid_file_gives_its_parameters():
    book = load_rulebook()
    doc = read_yaml(GOOD + "  limit: at_least\n", "p.yaml")
    params = parameters_from_document(doc, book.registry, book.params)
    size = params.by_name["court.size"]
    assert (size.description, size.unit, size.line, size.source) == ({"zh": "人数", "en": "Size"}, "members", 1, "p.yaml")
    assert [(str(v.start), v.value) for v in size.values] == [("2020-01-05", 3)]
    assert list(parameter_problems(doc, book.registry, book.params)) == []


def test_merging_two_sets_that_define_one_name_names_both_places():
    book = load_rulebook()
    doc = read_yaml(GOOD, "p.yaml")
    mine = parameters_from_document(doc, book.registry)
    with pytest.raises(PolicyError) as raised:
        mine.merged(Parameters(dict(mine.by_name)))
    assert str(raised.value) == "p.yaml:1:1: parameter 'court.size' is already defined in p.yaml:1"


# --------------------------------------------------------------------------- generated files

EDITS = [
    ("court.size", "Court.Size"), ("  unit:", "  unti:"), ("en: Size", "en: ''"), ("value: 3", "value: true"),
    ("organs-regulations@", "organs-regulation@"), ("art.7\n", "art.7\n      setting: why\n"),
    ("art.7\n", "art.7\n      from: 2019-06-01\n"), ("art.7\n", "art.7\n      from: 2020-13-01\n"),
    ("citation: organs-regulations@2019 art.7", "setting: six months"), ("  unit: members", "  limit: atmost"),
    ("    - value: 3\n      citation: organs-regulations@2019 art.7\n", "    - 3\n"),
    ("  values:\n    - value: 3\n      citation: organs-regulations@2019 art.7\n", "  values: []\n"),
    ("{zh: 人数, en: Size}", "Size"), ("court.size", "checks.lookback_months"), ("- name: court.size\n", "- nam: x\n"),
]


def _entry(name: str, edits: list[int]) -> str:
    text = GOOD.replace("court.size", name)
    for k in edits:
        old, new = EDITS[k]
        text = text.replace(old.replace("court.size", name), new.replace("court.size", name), 1)
    return text


broken_files = st.lists(st.lists(st.sampled_from(range(len(EDITS))), max_size=3), min_size=1, max_size=3).map(
    lambda entries: "".join(_entry(f"court.p{k}", edits) for k, edits in enumerate(entries))
    + ("" if any(entries) else GOOD.replace("court.size", "court.p0")))   # a name twice when nothing else broke

# anything of the right words, in any shape (JSON is YAML): the validator never fails another way
_words = st.sampled_from(["court.size", "Court", "checks.lookback_months", "2020-01-05", "2020-13-01",
                          "organs-regulations@2019 art.7", "party-constitution@2017 art.30", "nope@1 art.1",
                          "at_most", "atmost", "x", ""])
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 9), st.floats(0, 9, allow_nan=False), _words)
_values = st.fixed_dictionaries({}, optional={"value": _scalars, "citation": _words, "setting": _scalars,
                                              "from": _words, "note": _scalars, "form": _scalars})
_entries = st.fixed_dictionaries({}, optional={
    "name": _scalars, "values": st.one_of(st.lists(st.one_of(_values, _scalars), max_size=3), _scalars),
    "description": st.one_of(st.fixed_dictionaries({"zh": _words, "en": _words}), _scalars),
    "unit": _scalars, "limit": _scalars, "nmae": _scalars})
shapeless_files = st.one_of(st.lists(st.one_of(_entries, _scalars), max_size=3), _entries, _scalars).map(json.dumps)

# valid files: citations of distinct editions, settings on distinct days, each value from its edition on
_CITED = ["organs-regulations@2010 art.9", "organs-regulations@2019 art.7", "party-constitution@2022 art.30",
          "election-regulations@2020 art.5", "devt-rules@2014 art.8"]
_EDITION_DAYS = {dt.date(2010, 6, 4), dt.date(2020, 1, 5), dt.date(2022, 10, 22), dt.date(2020, 7, 13),
                 dt.date(2014, 5, 28)}
_SETTING_DAYS = st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31)).filter(lambda d: d not in _EDITION_DAYS)


@st.composite
def valid_files(draw) -> str:
    out = []
    for k in range(draw(st.integers(1, 3))):
        lines = [f"- name: court.p{k}", "  values:"]
        for cite in draw(st.lists(st.sampled_from(_CITED), unique=True, max_size=3)):
            lines += [f"    - value: {draw(st.integers(0, 99))}", f"      citation: {cite}"]
        for day in draw(st.lists(_SETTING_DAYS, unique=True, min_size=0 if len(lines) > 2 else 1, max_size=2)):
            lines += [f"    - value: {draw(st.integers(0, 40)) / 4}", "      setting: a choice", f"      from: {day}"]
        out.append("\n".join(lines) + "\n")
    return "".join(out)


def _check_agreement(text: str) -> tuple | None:
    """Load and lint a pack of this one file: the loader's error is lint's first error, or neither has one."""
    with tempfile.TemporaryDirectory() as folder:
        pack = pack_with(Path(folder), text)
        error = loader_error(pack)
        errors = lint_errors(pack)
    if error is None:
        assert errors == [], text
    else:
        assert errors and errors[0] == error, text
    return error


# The whole way (a pack on disk, load_rulebook and lint_paths) costs about 0.2 s a file (up to 1 s for one that
# loads, with every built-in policy): a few dozen files here, many more one level down at the end.

@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(broken_files)
def test_the_loader_raises_the_first_error_lint_lists_for_a_broken_file(text):
    # two edits may mend each other (a setting in place of the citation makes an early from: right):
    # then neither side may complain, which _check_agreement holds them to as well
    _check_agreement(text)


@pytest.mark.parametrize("k", range(len(EDITS)), ids=[new.strip()[:24] for _old, new in EDITS])
def test_each_edit_alone_breaks_the_file_for_both(k):
    assert _check_agreement(_entry("court.p0", [k])) is not None


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(shapeless_files)
def test_any_data_gives_the_same_first_error_on_both_sides(text):
    _check_agreement(text)


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(valid_files())
def test_a_valid_file_gives_no_error_on_either_side(text):
    assert _check_agreement(text) is None, text


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(broken_files, shapeless_files, valid_files()))
def test_the_error_raised_is_the_first_error_listed(text):
    """One level down, where the loader (parameters_from_document) and lint (read_parameters, as
    partyrules.tools.lint lists it) meet, on many more files: the same first error, or none on both."""
    book = load_rulebook()
    try:
        doc = read_yaml(text, "p.yaml")
    except PartyrulesError:
        return                      # YAML that does not read (a key twice): read_path's error on both sides
    errors = [p.error for p in read_parameters(doc, book.registry, book.params).problems if p.severity == "error"]
    assert [str(e) for e in errors] == [str(p.error) for p in parameter_problems(doc, book.registry, book.params)
                                        if p.severity == "error"]
    try:
        parameters_from_document(doc, book.registry, book.params)
    except PolicyError as exc:
        assert errors and str(exc) == str(errors[0])
    else:
        assert errors == []
