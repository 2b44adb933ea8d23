"""Commands that read FACTS also read a filled ledger workbook (``partyrules check 台账.xlsx``).

The office keeps its records in the ledger; a workbook is read as ``ledger import``
reads it (problems at their sheet and cell, exit 2, nothing written) and then
checked exactly like the fact document it stands for. A workbook or another
binary file under a fact document's name is refused saying what it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from partyrules.cli import main
from partyrules.errors import SourceError
from partyrules.facts.load import load_facts

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"


def run(*args, input=None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "台账.xlsx"
    assert run("ledger", "export", COURT, "-o", path)[0] == 0
    return path


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_ledger_is_checked_like_the_document_it_stands_for(book, fmt):
    from_yaml = run("check", COURT, "--format", fmt, "--all")
    from_book = run("check", book, "--format", fmt, "--all")
    assert from_yaml[0] == from_book[0] == 1           # the bundled court has violations
    assert from_book[2] == ""
    assert from_book[1] == from_yaml[1]


@pytest.mark.parametrize("command", [["timeline"], ["upcoming"], ["upcoming", "--format", "json"],
                                     ["explain", "--policy", "constitution.member.six-month-lapse",
                                      "--subject", "m012"]])
def test_the_other_commands_read_a_ledger_too(book, command):
    from_yaml = run(command[0], COURT, *command[1:])
    from_book = run(command[0], book, *command[1:])
    assert from_book == from_yaml and from_yaml[0] == 0 and from_yaml[1]


def test_an_excel_report_of_a_ledger(book, tmp_path):
    out = tmp_path / "报告.xlsx"
    code, stdout, err = run("check", book, "--format", "xlsx", "-o", out)
    assert (code, stdout, err) == (1, "", "")
    assert "汇总" in openpyxl.load_workbook(out, read_only=True).sheetnames


def test_a_ledger_with_a_wrong_cell_is_one_line_at_its_cell_and_nothing_is_written(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    members = wb["党员"]
    column = next(c.column for c in members[1] if c.value == "出生日期")
    members.cell(4, column, "1980.5.6")
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    letter = openpyxl.utils.get_column_letter(column)
    for fmt in ("table", "html", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        code, stdout, err = run("check", broken, "--format", fmt, "-o", out)
        assert code == 2 and stdout == "" and not out.exists()
        assert len(err.splitlines()) == 1
        assert err.startswith(f"partyrules: {broken}: 党员!{letter}4: 出生日期：")


def test_a_workbook_under_another_name_is_refused_saying_what_it_is(book, tmp_path):
    renamed = tmp_path / "court.yaml"
    renamed.write_bytes(book.read_bytes())
    code, stdout, err = run("check", renamed)
    assert (code, stdout) == (2, "")
    assert err == (f"partyrules: {renamed}: is an Excel workbook or another ZIP file, not a YAML or JSON fact "
                   "document (a ledger workbook named *.xlsx is read by `partyrules check`, or by "
                   "partyrules.ledger.import_ledger)\n")
    with pytest.raises(SourceError, match="is an Excel workbook"):
        load_facts(str(renamed))


def test_an_old_format_workbook_is_refused_saying_what_it_is(tmp_path):
    old = tmp_path / "台账.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))     # the OLE2 header of .xls/.doc files
    code, stdout, err = run("check", old)
    assert (code, stdout) == (2, "")
    assert "is an old-format Excel (.xls) or Word file" in err and "save a ledger as .xlsx" in err


def test_a_file_called_xlsx_that_is_not_a_workbook(tmp_path):
    fake = tmp_path / "court.xlsx"
    fake.write_text("format: partyrules.facts/1\n", encoding="utf-8")
    code, stdout, err = run("check", fake)
    assert (code, stdout) == (2, "")
    assert err == f"partyrules: {fake}: is not an Excel workbook (.xlsx): not a zip file (an old .xls or a CSV " \
                  "must be saved as .xlsx first)\n"


def test_upcoming_reads_standard_input_once():
    # it lists both what comes due and the admission steps: both from the one document read from stdin
    text = COURT.read_text(encoding="utf-8")
    from_stdin = run("upcoming", "-", "--format", "json", input=text)
    from_file = run("upcoming", COURT, "--format", "json")
    assert from_stdin[0] == 0, from_stdin[2]
    assert json.loads(from_stdin[1])["admission_steps"] == json.loads(from_file[1])["admission_steps"]
    assert json.loads(from_stdin[1])["admission_steps"]
