"""The HTML report printed by a real browser: headless Chromium prints the bundled court to PDF, and the
PDF is read back (pypdf) to check A4 portrait, the page count and numbers, and that no text was clipped.

Skips, saying why, where Chromium or a CJK font is not installed (Debian: ``apt-get install -y chromium
fonts-noto-cjk``); ``PARTYRULES_CHROMIUM`` names another Chromium binary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

import partyrules
from partyrules.report.human import human_report
from partyrules.report.render import render_html

ROOT = Path(__file__).resolve().parents[1]
COURT = ROOT / "examples" / "court.yaml"
A4 = (595.28, 841.89)          # points
# the findings take four pages; the admission section (eight people in the process, a row per step) three more
MAX_PAGES = 8


def chromium() -> str | None:
    named = os.environ.get("PARTYRULES_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def cjk_font_installed() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


def print_to_pdf(html: str, tmp: Path) -> Path:
    browser = chromium()
    if browser is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install -y chromium); "
                    "the HTML report's print test needs a real browser")
    if not cjk_font_installed():
        pytest.skip("no CJK font is installed (Debian: apt-get install -y fonts-noto-cjk): Chinese text would "
                    "print as empty boxes")
    page = tmp / "report.html"
    page.write_text(html, encoding="utf-8")
    pdf = tmp / "report.pdf"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
           page.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert pdf.exists() and pdf.stat().st_size > 0, f"Chromium printed nothing (exit {done.returncode}):\n{done.stderr}"
    return pdf


_RADICAL = "[\u2e80-\u2fdf]"


def printed_in(needle: str, text: str) -> bool:
    """``needle`` occurs in the PDF's text, where a CJK character may have come out as a radical that no
    normalization maps back (⺠ U+2EA0 for 民: the font shares the glyph)."""
    needle = squeeze(needle)
    if needle in text:
        return True
    pattern = "".join(f"(?:{re.escape(c)}|{_RADICAL})" if "\u4e00" <= c <= "\u9fff" else re.escape(c) for c in needle)
    return re.search(pattern, text) is not None


def squeeze(text: str) -> str:
    """Text without white space (where a line breaks is not what is checked), NFKC-normalized: a PDF's
    text layer may map a CJK glyph to its Kangxi radical (⼈ U+2F08 for 人 U+4EBA)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    pypdf = pytest.importorskip("pypdf", reason="pypdf (a test dependency) reads the printed PDF")
    report = partyrules.check(str(COURT))
    pdf = print_to_pdf(render_html(report), tmp_path_factory.mktemp("print"))
    reader = pypdf.PdfReader(str(pdf))
    pages = [squeeze(p.extract_text() or "") for p in reader.pages]
    return report, reader, pages


def test_a4_portrait_on_every_page(printed):
    _report, reader, _pages = printed
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - A4[0]) < 1.5 and abs(h - A4[1]) < 1.5, (w, h)


def test_page_count_and_page_numbers(printed):
    _report, _reader, pages = printed
    n = len(pages)
    assert 1 <= n <= MAX_PAGES, n
    for i, text in enumerate(pages, start=1):
        assert f"{i}/{n}" in text, f"page {i} has no page number '{i} / {n}'"


def test_key_text_is_printed(printed):
    report, _reader, pages = printed
    text = "".join(pages)
    h = human_report(report, lang="zh")
    assert printed_in(h.unit_name, text) and h.as_of in text
    assert printed_in(h.revision, text)
    for row in h.org_rows:
        assert printed_in(row.name, text), row.name
    for section in h.sections:
        for group in section.groups:
            for f in group.findings:
                assert printed_in(f.subject, text)
                assert printed_in(f.message, text), f.message          # the whole message: nothing cut off
                for t in f.todo:
                    assert printed_in(t, text), t


def test_the_admission_section_is_printed_in_full(printed):
    report, _reader, pages = printed
    text = "".join(pages)
    t = human_report(report, lang="zh").timeline
    assert t is not None and printed_in(t.heading, text) and printed_in(t.basis, text)
    for p in t.people:
        assert printed_in(p.name + "（" + p.kind, text), p.name
        for r in p.rows:
            assert printed_in(r.step, text) and printed_in(r.state, text), (p.name, r.step)
            if r.bound:
                assert printed_in(r.bound, text), r.bound


def test_no_clipped_column(printed):
    """The last column (the articles) is printed in full, and its header repeats on every page with findings."""
    report, _reader, pages = printed
    text = "".join(pages)
    h = human_report(report, lang="zh")
    for section in h.sections:
        for group in section.groups:
            for f in group.findings:
                for label in f.citations:
                    assert printed_in(label, text), label
    header = squeeze(f"{h.words['subject']}{h.words['finding']}/{h.words['todo']}{h.words['basis']}")
    with_findings = [p for p in pages if "《" in p and "处理建议" in p]
    assert with_findings
    for page in with_findings:
        assert header in page, "a page of findings without the table header"
