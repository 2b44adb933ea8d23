"""Tests for partyrules.citations: the instrument registry, labels, numerals, parsing."""

from __future__ import annotations

import copy
import datetime as dt
import json

import attrs
import pytest
import yaml
from hypothesis import given, strategies as st

from partyrules.citations import (
    Citation,
    CitationError,
    Edition,
    Instrument,
    Registry,
    RegistryError,
    builtin_policies_dir,
    chinese_numeral,
    parse_chinese_numeral,
    parse_citation,
)
from partyrules.errors import PartyrulesError

D = dt.date
REG = Registry.builtin()
ORGANS = "《中国共产党党和国家机关基层组织工作条例》（2019年修订）"
ORGANS_EN = "Regulations on the Work of Grassroots Organizations of the CPC in Party and State Organs (revised 2019)"


def raw_data() -> list:
    """The built-in instruments file as plain data, to break in tests."""
    with (builtin_policies_dir() / "instruments.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# --------------------------------------------------------------------------- the built-in registry


def test_builtin_dir_is_the_source_checkout_policies():
    assert (builtin_policies_dir() / "instruments.yaml").is_file()


def test_builtin_registers_exactly_the_instruments_and_editions():
    got = {i.id: (i.key, i.kind, i.edition_names()) for i in REG.instruments}
    assert got == {
        "party-constitution": ("constitution", "national", ("2012", "2017", "2022")),
        "organs-regulations": ("organs-regs", "national", ("1998", "2010", "2019")),
        "branch-regulations": ("branch-regs", "national", ("2018",)),
        "member-education-regulations": ("member-edu-regs", "national", ("2019",)),
        "election-regulations": ("election-regs", "national", ("2020",)),
        "tenure-opinion": ("tenure-opinion", "national", ("2018",)),
    }


@pytest.mark.parametrize("inst, edition, start, encoded, label_zh", [
    ("constitution", "2012", D(2012, 11, 14), False, "（2012年修改）"),
    ("constitution", "2017", D(2017, 10, 24), True, "（2017年修改）"),
    ("constitution", "2022", D(2022, 10, 22), True, "（2022年修改）"),
    ("organs-regs", "1998", D(1998, 3, 30), False, "（1998年）"),
    ("organs-regs", "2010", D(2010, 6, 4), False, "（2010年）"),
    ("organs-regs", "2019", D(2020, 1, 5), True, "（2019年修订）"),
    ("branch-regs", "2018", D(2018, 10, 28), True, ""),
    ("member-edu-regs", "2019", D(2019, 5, 6), True, ""),
    ("election-regs", "2020", D(2020, 7, 13), True, ""),
    ("tenure-opinion", "2018", D(2018, 7, 12), True, ""),     # its term lengths are parameter values
])
def test_builtin_edition_facts(inst, edition, start, encoded, label_zh):
    ed = REG.edition(inst, edition)
    assert (ed.in_force_from, ed.encoded, ed.label_zh) == (start, encoded, label_zh)
    assert ed.instrument == REG.instrument(inst).id


def test_builtin_uncertain_dates_are_explained():
    organs19 = REG.edition("organs-regulations", "2019")
    assert organs19.uncertain_from == D(2019, 11, 29)
    assert "§9.2" in organs19.date_note
    assert "U" in REG.edition("constitution", "2017").date_note
    assert "§9.17" in REG.edition("election-regs", "2020").date_note
    assert "U" in REG.edition("organs-regs", "2010").date_note
    others = [e for i in REG.instruments for e in i.editions if e is not organs19]
    assert all(e.uncertain_from is None for e in others)


def test_titles_are_without_brackets():
    assert REG.instrument("branch-regs").title_zh == "中国共产党支部工作条例（试行）"
    assert REG.instrument("party-constitution").title_en == "Constitution of the Communist Party of China"


def test_instrument_lookup_by_id_or_key():
    assert REG.instrument("organs-regs") is REG.instrument("organs-regulations")
    assert REG.instrument(REG.instrument("constitution")).id == "party-constitution"
    assert "organs-regs" in REG and "organs-regulations" in REG and "nope" not in REG


def test_values_are_frozen():
    ed = REG.edition("organs-regs", "2019")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ed.encoded = False  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Citation("organs-regulations", "2019", 8).article = 9  # type: ignore[misc]
    assert isinstance(REG.instrument("organs-regs").editions, tuple)


def test_builtin_loads_equal_each_time():
    assert Registry.builtin() == REG
    assert Registry.from_data(raw_data(), source="x") == REG


# --------------------------------------------------------------------------- in force


@pytest.mark.parametrize("inst, on, expected", [
    ("party-constitution", D(2021, 6, 30), "2017"),
    ("party-constitution", D(2024, 6, 30), "2022"),
    ("party-constitution", D(2022, 10, 21), "2017"),
    ("party-constitution", D(2022, 10, 22), "2022"),
    ("party-constitution", D(2017, 10, 23), "2012"),
    ("party-constitution", D(2012, 11, 13), None),
    ("organs-regulations", D(2019, 12, 15), "2010"),
    ("organs-regulations", D(2020, 1, 4), "2010"),
    ("organs-regulations", D(2020, 1, 5), "2019"),
    ("organs-regulations", D(2005, 1, 1), "1998"),
    ("branch-regulations", D(2018, 10, 27), None),
    ("branch-regulations", D(2018, 10, 28), "2018"),
    ("election-regs", D(2020, 7, 12), None),
    ("member-edu-regs", D(2024, 6, 30), "2019"),
])
def test_in_force(inst, on, expected):
    ed = REG.in_force(inst, on)
    assert (ed.edition if ed else None) == expected


def test_uncertain_on():
    assert REG.uncertain_on("organs-regulations", D(2019, 12, 15)).edition == "2019"
    assert REG.uncertain_on("organs-regulations", D(2019, 11, 29)).edition == "2019"
    assert REG.uncertain_on("organs-regulations", D(2019, 11, 28)) is None
    assert REG.uncertain_on("organs-regulations", D(2020, 1, 5)) is None
    assert REG.uncertain_on("party-constitution", D(2022, 10, 21)) is None


def test_in_force_until_and_is_in_force():
    assert REG.in_force_until(REG.edition("constitution", "2017")) == D(2022, 10, 21)
    assert REG.in_force_until(REG.edition("constitution", "2022")) is None
    assert REG.in_force_until(REG.edition("organs-regs", "2010")) == D(2020, 1, 4)
    assert REG.is_in_force("constitution", "2017", D(2022, 10, 21))
    assert not REG.is_in_force("constitution", "2017", D(2022, 10, 22))
    assert REG.is_in_force("constitution", "2022", D(2022, 10, 22))
    assert not REG.is_in_force("organs-regs", "2019", D(2019, 12, 15))
    assert not REG.is_in_force("branch-regs", "2018", D(2018, 1, 1))
    with pytest.raises(CitationError, match="edition '2015'"):
        REG.is_in_force("organs-regs", "2015", D(2020, 1, 1))


def test_in_force_wants_a_date_not_a_datetime():
    with pytest.raises(TypeError):
        REG.in_force("constitution", dt.datetime(2024, 1, 1))  # type: ignore[arg-type]


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31)),
       st.sampled_from([i.id for i in REG.instruments]))
def test_in_force_agrees_with_in_force_until(on, inst):
    ed = REG.in_force(inst, on)
    hits = [e for e in REG.instrument(inst).editions if REG.is_in_force(inst, e.edition, on)]
    if ed is None:
        assert hits == [] and on < REG.instrument(inst).editions[0].in_force_from
    else:
        until = REG.in_force_until(ed)
        assert hits == [ed]
        assert ed.in_force_from <= on and (until is None or on <= until)


# --------------------------------------------------------------------------- labels


@pytest.mark.parametrize("citation, zh", [
    (Citation("organs-regulations", "2019", 8, 2), ORGANS + "第八条第二款"),
    (Citation("organs-regulations", "2019", 32, None, 3), ORGANS + "第三十二条第（三）项"),
    (Citation("organs-regulations", "2019", 26, item=6), ORGANS + "第二十六条第（六）项"),
    (Citation("organs-regulations", "2019", 8, 2, 3), ORGANS + "第八条第二款第（三）项"),
    (Citation("organs-regulations", "2019", 7, 1), ORGANS + "第七条第一款"),
    (Citation("branch-regulations", "2018", 4, 1), "《中国共产党支部工作条例（试行）》第四条第一款"),
    (Citation("party-constitution", "2022", 30), "《中国共产党章程》（2022年修改）第三十条"),
    (Citation("organs-regs", "2010", 6), "《中国共产党党和国家机关基层组织工作条例》（2010年）第六条"),
])
def test_label_zh(citation, zh):
    assert citation.label_zh(REG) == zh


def test_label_en():
    assert Citation("organs-regulations", "2019", 8, 2, 3).label_en(REG) == (
        ORGANS_EN + ", Article 8, Paragraph 2, Item 3")
    assert Citation("organs-regulations", "2019", 26, item=6).label_en(REG) == (
        ORGANS_EN + ", Article 26, Item 6")
    assert Citation("branch-regulations", "2018", 4, 1).label_en(REG) == (
        "Regulations on the Work of CPC Branches (for Trial Implementation), Article 4, Paragraph 1")
    assert Citation("constitution", "2017", 30, 1).label_en(REG) == (
        "Constitution of the Communist Party of China (as amended 2017), Article 30, Paragraph 1")


def test_ref():
    assert Citation("organs-regulations", "2019", 8, 2, 3).ref() == "organs-regulations@2019 art.8 para.2 item.3"
    assert Citation("organs-regulations", "2019", 26, item=6).ref() == "organs-regulations@2019 art.26 item.6"
    assert str(Citation("branch-regulations", "2018", 16)) == "branch-regulations@2018 art.16"


def test_to_json_is_the_report_shape():
    got = Citation("organs-regulations", "2019", 7, 1).to_json(REG)
    assert got == {
        "instrument": "organs-regulations", "edition": "2019", "article": 7,
        "paragraph": 1, "item": None,
        "label": {"zh": "《中国共产党党和国家机关基层组织工作条例》（2019年修订）第七条第一款",
                  "en": ORGANS_EN + ", Article 7, Paragraph 1"},
    }
    assert list(got) == ["instrument", "edition", "article", "paragraph", "item", "label"]
    json.dumps(got, ensure_ascii=False)


def test_to_json_writes_the_report_id_for_a_short_key():
    c = Citation("organs-regs", "2019", 5)
    assert c.to_json(REG)["instrument"] == "organs-regulations"
    assert REG.normalized(c) == Citation("organs-regulations", "2019", 5)


def test_labels_of_unregistered_editions_fail():
    with pytest.raises(CitationError, match=r"edition '2015' of organs-regulations is not registered"
                                            r" \(registered: 1998, 2010, 2019\)"):
        Citation("organs-regulations", "2015", 8).label_zh(REG)
    with pytest.raises(CitationError, match="unknown instrument"):
        Citation("nope", "2019", 8).to_json(REG)


# --------------------------------------------------------------------------- citation values


def test_citation_ordering_puts_whole_article_first():
    cs = [Citation("organs-regulations", "2019", 8, 2, 3), Citation("organs-regulations", "2019", 8, 2),
          Citation("organs-regulations", "2019", 8), Citation("organs-regulations", "2019", 7, 1),
          Citation("branch-regulations", "2018", 40), Citation("organs-regulations", "2019", 8, None, 1)]
    assert sorted(cs) == [cs[4], cs[3], cs[2], cs[5], cs[1], cs[0]]


@pytest.mark.parametrize("kwargs, message", [
    (dict(article=0), "article must be >= 1"),
    (dict(article=-3), "article must be >= 1"),
    (dict(article=10000), "article must be <= 9999"),
    (dict(article=True), "article must be an integer"),
    (dict(article="8"), "article must be an integer"),
    (dict(article=8, paragraph=0), "paragraph must be >= 1"),
    (dict(article=8, item=0), "item must be >= 1"),
    (dict(article=8, item=2.0), "item must be an integer"),
    (dict(article=8, instrument=""), "instrument must be a non-empty string"),
])
def test_bad_citation_values(kwargs, message):
    args = dict(instrument="organs-regulations", edition="2019") | kwargs
    with pytest.raises(CitationError, match=message):
        Citation(**args)


# --------------------------------------------------------------------------- numerals

NUMERALS = {
    1: "一", 2: "二", 10: "十", 11: "十一", 19: "十九", 20: "二十", 21: "二十一", 43: "四十三",
    99: "九十九", 100: "一百", 101: "一百零一", 110: "一百一十", 111: "一百一十一", 120: "一百二十",
    200: "二百", 999: "九百九十九", 1000: "一千", 1001: "一千零一", 1010: "一千零一十",
    1100: "一千一百", 1110: "一千一百一十", 2024: "二千零二十四", 9999: "九千九百九十九",
}


@pytest.mark.parametrize("n, text", sorted(NUMERALS.items()))
def test_chinese_numeral_table(n, text):
    assert chinese_numeral(n) == text
    assert parse_chinese_numeral(text) == n


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numeral_round_trip(n):
    assert parse_chinese_numeral(chinese_numeral(n)) == n


@pytest.mark.parametrize("bad", [0, -1, 10000])
def test_chinese_numeral_range(bad):
    with pytest.raises(ValueError):
        chinese_numeral(bad)


def test_chinese_numeral_type():
    with pytest.raises(TypeError):
        chinese_numeral(True)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "零", "一十", "一十一", "两", "两百", "〇", "一百一", "一百十",
                                 "一千零零一", "一千十", "二三", "十十", "十百", "一万", "8", "第八", " 八"])
def test_parse_chinese_numeral_rejects_non_canonical(bad):
    with pytest.raises(ValueError):
        parse_chinese_numeral(bad)


def test_parse_chinese_numeral_names_the_canonical_form():
    with pytest.raises(ValueError, match="expected '十'"):
        parse_chinese_numeral("一十")
    with pytest.raises(ValueError, match="expected '二百'"):
        parse_chinese_numeral("两百")


# --------------------------------------------------------------------------- parsing

EDITIONS = [(e.instrument, e.edition) for i in REG.instruments for e in i.editions]


@st.composite
def citations(draw):
    inst, edition = draw(st.sampled_from(EDITIONS))
    small = st.none() | st.integers(min_value=1, max_value=9999)
    return Citation(inst, edition, draw(st.integers(min_value=1, max_value=9999)), draw(small), draw(small))


@given(citations())
def test_zh_label_round_trip(c):
    assert parse_citation(c.label_zh(REG), REG) == c


@given(citations())
def test_ref_round_trip(c):
    assert parse_citation(c.ref(), REG) == c


@given(citations())
def test_short_key_ref_round_trip(c):
    short = c.ref().replace(c.instrument, REG.instrument(c.instrument).key, 1)
    assert parse_citation(short, REG) == c


@given(citations(), st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 1, 1)))
def test_written_edition_wins_over_on(c, on):
    assert parse_citation(c.label_zh(REG), REG, on=on) == c


@pytest.mark.parametrize("text, expected", [
    ("organs-regulations@2019 art.8 para.2 item.3", Citation("organs-regulations", "2019", 8, 2, 3)),
    ("organs-regs@2019 art.8 para.2", Citation("organs-regulations", "2019", 8, 2)),
    ("organs-regs@2019 art.26 item.6", Citation("organs-regulations", "2019", 26, None, 6)),
    ("  constitution@2022   art.30 para.1 ", Citation("party-constitution", "2022", 30, 1)),
    ("branch-regs art.16", Citation("branch-regulations", "2018", 16)),
    (ORGANS + "第八条第二款第（三）项", Citation("organs-regulations", "2019", 8, 2, 3)),
    (ORGANS + "第三十二条第（三）项", Citation("organs-regulations", "2019", 32, None, 3)),
    ("《中国共产党支部工作条例（试行）》第四条第一款", Citation("branch-regulations", "2018", 4, 1)),
    ("《中国共产党章程》（2017年修改）第三十条", Citation("party-constitution", "2017", 30)),
])
def test_parse_citation_forms(text, expected):
    assert parse_citation(text, REG) == expected


def test_missing_edition_resolves_by_date():
    text = "《中国共产党党和国家机关基层组织工作条例》第八条"
    assert parse_citation(text, REG, on=D(2019, 12, 15)) == Citation("organs-regulations", "2010", 8)
    assert parse_citation(text, REG, on=D(2024, 6, 30)) == Citation("organs-regulations", "2019", 8)
    assert parse_citation("constitution art.30", REG, on=D(2022, 10, 21)) == Citation("party-constitution", "2017", 30)
    with pytest.raises(CitationError, match="ambiguous: organs-regulations has several editions"
                                            r" \(1998, 2010, 2019\)"):
        parse_citation(text, REG)
    with pytest.raises(CitationError, match="no edition of organs-regulations is in force on 1990-01-01"):
        parse_citation(text, REG, on=D(1990, 1, 1))


def test_single_edition_needs_no_date():
    assert parse_citation("《中国共产党支部工作条例（试行）》第四条", REG, on=D(2000, 1, 1)) == \
        Citation("branch-regulations", "2018", 4)


@pytest.mark.parametrize("text, message", [
    ("organ-regs@2019 art.8", r"unknown instrument 'organ-regs' \(did you mean 'organs-regs'\?\)"),
    ("organs-regs@2015 art.8", r"edition '2015' of organs-regulations is not registered"
                               r" \(registered: 1998, 2010, 2019\)"),
    ("organs-regs@2019 art.0", "article must be >= 1"),
    ("organs-regs@2019 art.8 para.0", "paragraph must be >= 1"),
    ("organs-regs@2019 art.08", "without leading zeros"),
    ("organs-regs@2019 art.8 item.2 para.1", "expected a citation like"),
    ("organs-regs@2019 article 8", "expected a citation like"),
    ("", "expected a citation like"),
    ("第八条", "expected a citation like"),
    ("《中国共产党党和国家机关基层组织条例》（2019年修订）第八条",
     r"unknown instrument title 《中国共产党党和国家机关基层组织条例》 \(did you mean"),
    ("《中国共产党党和国家机关基层组织工作条例》（2015年修订）第八条",
     r"edition '（2015年修订）' of organs-regulations is not registered"),
    (ORGANS + "第一十条", r"article number: '一十' is not written the official way \(expected '十'\)"),
    (ORGANS + "第八条第两款", r"paragraph number: '两' is not written"),
    (ORGANS + "第八条第（三）款", "expected 第N条"),
    (ORGANS + "第8条", "expected 第N条"),
    (ORGANS + "第八条第(三)项", "expected 第N条"),
    (ORGANS + "第零条", "not a Chinese numeral"),
])
def test_parse_citation_errors(text, message):
    with pytest.raises(CitationError, match=message):
        parse_citation(text, REG)


def test_parse_citation_wants_text():
    with pytest.raises(CitationError, match="got integer 8"):
        parse_citation(8, REG)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- registry data errors


def broken(mutate) -> str:
    data = raw_data()
    mutate(data)
    with pytest.raises(RegistryError) as info:
        Registry.from_data(data, source="FILE")
    return str(info.value)


def test_errors_subclass_the_package_base():
    assert issubclass(RegistryError, PartyrulesError)
    assert issubclass(CitationError, PartyrulesError)


def test_bad_date_names_file_and_path():
    def bad(d):
        d[2]["editions"][0]["in_force_from"] = "2018-13-01"
    assert broken(bad).startswith("FILE: instruments[2].editions[0].in_force_from: expected a date YYYY-MM-DD")


@pytest.mark.parametrize("mutate, prefix", [
    (lambda d: d[0].update(colour="red"), "FILE: instruments[0].colour: unknown key 'colour'"),
    (lambda d: d[1]["editions"][0].update(in_forse_from="x"),
     "FILE: instruments[1].editions[0].in_forse_from: unknown key"),
    (lambda d: d[1].pop("key"), "FILE: instruments[1]: missing key 'key'"),
    (lambda d: d[1]["editions"][2].pop("encoded"), "FILE: instruments[1].editions[2]: missing key 'encoded'"),
    (lambda d: d[3]["editions"][0].update(encoded="yes"),
     "FILE: instruments[3].editions[0].encoded: expected true or false, got string 'yes'"),
    (lambda d: d[3]["editions"][0].update(edition=2019),
     "FILE: instruments[3].editions[0].edition: expected a string (quote it"),
    (lambda d: d[0].update(kind="provincial"), "FILE: instruments[0].kind: expected one of national, local"),
    (lambda d: d[0].update(title="中国共产党章程"), "FILE: instruments[0].title: expected a title"),
    (lambda d: d[0]["title"].update(zh="《中国共产党章程》"), "FILE: instruments[0].title.zh: write the title without 《》"),
    (lambda d: d[0].update(editions=[]), "FILE: instruments[0].editions: expected a non-empty list"),
    (lambda d: d[0].update(id="Party Constitution"), "FILE: instruments[0].id: expected lower-case words"),
    (lambda d: d[4].update(id="organs-regulations"),
     "FILE: instruments[4].id: 'organs-regulations' is already used by instruments[1]"),
    (lambda d: d[4].update(key="organs-regulations"),
     "FILE: instruments[4].key: 'organs-regulations' is already used by instruments[1]"),
    (lambda d: d[0]["editions"].append(dict(d[0]["editions"][1])),
     "FILE: instruments[0].editions[3].edition: edition '2017' is already listed at editions[1]"),
    (lambda d: d[0]["editions"].reverse(),
     "FILE: instruments[0].editions[1].in_force_from: expected a date after 2022-10-22"),
    (lambda d: d[1]["editions"][2].update(in_force_from=D(2010, 6, 4), uncertain_from=None),
     "FILE: instruments[1].editions[2].in_force_from: expected a date after 2010-06-04"),
    (lambda d: d[1]["editions"][2].update(uncertain_from=D(2020, 2, 1)),
     "FILE: instruments[1].editions[2].uncertain_from: expected a date before in_force_from 2020-01-05"),
    (lambda d: d[1]["editions"][2].update(uncertain_from=D(2009, 1, 1)),
     "FILE: instruments[1].editions[2].uncertain_from: expected a date after 2010-06-04"),
    (lambda d: d[1]["editions"][2].update(label={"zh": "（2010年）", "en": "x"}),
     "FILE: instruments[1].editions[2].label.zh: label '（2010年）' is already used by editions[1]"),
    (lambda d: d[1]["editions"][2].update(label={"zh": "", "en": ""}),
     "FILE: instruments[1].editions[2].label: an instrument with several editions needs"),
    (lambda d: d[1]["editions"][2].update(label={"zh": "2019年修订", "en": "x"}),
     "FILE: instruments[1].editions[2].label.zh: expected full-width brackets"),
    (lambda d: d[1]["editions"][2].update(label={"zh": "（2019年修订）"}),
     "FILE: instruments[1].editions[2].label: missing key 'en'"),
    (lambda d: d[5]["editions"][0].update(date_note=3),
     "FILE: instruments[5].editions[0].date_note: expected a string, got integer 3"),
    (lambda d: d.__setitem__(2, "branch-regs"), "FILE: instruments[2]: expected an instrument (a mapping)"),
])
def test_bad_registry_data(mutate, prefix):
    message = broken(mutate)
    assert message.startswith(prefix), message


def test_top_level_must_be_a_list():
    with pytest.raises(RegistryError, match="^FILE: instruments: expected a list of instruments, got a mapping"):
        Registry.from_data({"instruments": []}, source="FILE")


def test_duplicate_titles_are_refused():
    data = raw_data()
    data[5]["title"]["zh"] = data[4]["title"]["zh"]
    with pytest.raises(RegistryError, match=r"instruments\[5\]\.title\.zh: .* is already the title"):
        Registry.from_data(data, source="FILE")


def test_load_reports_line_and_column(tmp_path):
    path = tmp_path / "instruments.yaml"
    text = (builtin_policies_dir() / "instruments.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("in_force_from: 2018-10-28", "in_force_from: 2018-10-32"), encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        Registry.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: instruments[2].editions[0].in_force_from: expected a date YYYY-MM-DD,"
                              " got string '2018-10-32'")
    line = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "2018-10-32" in row)
    assert f"(line {line}, column " in message


def test_load_errors_for_unreadable_files(tmp_path):
    with pytest.raises(RegistryError, match="no such file"):
        Registry.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="not valid YAML"):
        Registry.load(bad)
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("- !!python/object:os.system {}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="not allowed"):
        Registry.load(tagged)


# --------------------------------------------------------------------------- merging packs

LOCAL = [{
    "id": "court-x-standards", "key": "court-x-std",
    "title": {"zh": "某法院党建工作标准", "en": "Court X Party-building standards"},
    "kind": "local",
    "editions": [{"edition": "2021", "in_force_from": "2021-03-01", "encoded": True}],
}]


def test_merged_adds_instruments_without_changing_the_original():
    pack = Registry.from_data(LOCAL, source="pack/instruments.yaml")
    both = REG.merged(pack)
    assert both.instrument("court-x-std").kind == "local"
    assert both.in_force("court-x-standards", D(2021, 3, 1)).edition == "2021"
    assert both.instrument("organs-regs") == REG.instrument("organs-regs")
    assert "court-x-std" not in REG
    assert Citation("court-x-standards", "2021", 3, 1).label_zh(both) == "《某法院党建工作标准》第三条第一款"
    assert parse_citation("《某法院党建工作标准》第三条第一款", both) == Citation("court-x-standards", "2021", 3, 1)


@pytest.mark.parametrize("field, value, message", [
    ("id", "organs-regulations", r"^pack\.yaml: instruments\[0\]\.id: 'organs-regulations' is already registered"),
    ("key", "organs-regs", r"^pack\.yaml: instruments\[0\]\.key: 'organs-regs' is already registered"),
    ("key", "tenure-opinion", r"^pack\.yaml: instruments\[0\]\.key: 'tenure-opinion' is already registered"),
])
def test_merged_refuses_clashes(field, value, message):
    data = copy.deepcopy(LOCAL)
    data[0][field] = value
    with pytest.raises(RegistryError, match=message):
        REG.merged(Registry.from_data(data, source="pack.yaml"))


def test_merged_refuses_a_second_instrument_with_the_same_title():
    data = copy.deepcopy(LOCAL)
    data[0]["title"]["zh"] = "中国共产党章程"
    with pytest.raises(RegistryError, match=r"title\.zh: '中国共产党章程' is already the title of instrument"
                                            r" 'party-constitution'"):
        REG.merged(Registry.from_data(data, source="pack.yaml"))


def test_registry_built_from_values():
    ed = Edition("x-rules", "1", D(2000, 1, 1), encoded=True)
    reg = Registry((Instrument("x-rules", "x", "某规则", "Some rules", "local", (ed,)),))
    assert reg.in_force("x", D(2001, 1, 1)) == ed
    assert Citation("x", "1", 2).label_en(reg) == "Some rules, Article 2"
