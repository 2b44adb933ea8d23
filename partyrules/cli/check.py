"""``partyrules check``: the report of one fact document (report-v1), or a summary of many.

One FACTS argument that is a file (or ``-``) gives exactly the report-v1
output of that document. Several arguments, or a directory, give a batch: one
row per document (or its one-line error) as a table, or with ``--format json``
an object ``partyrules.batch/1`` holding every report, written as the
documents finish (each report rendered where it was checked, none kept: see
docs/batch.md). The exit status of a batch is 2 if any document could not be
checked, else 1 if any has a violation that fails (``--fail-on``), else 0.

``--fail-on warning`` (the default) keeps the contract's statuses: any violation
exits 1 (other systems rely on it, so the default never changes). ``--fail-on
error`` fails on a violated policy of severity error only: a warning encodes a
soft rule ("一般…") and is reported without failing a pipeline; ``never`` exits 0
whatever is found (still 2 on bad input).
``--format sarif`` is for one document (CI code-scanning views).
A batch writes its summary even with exit status 2 (the
documents that could not be checked are error rows, and each error is also a
line on standard error); only an error that stops the whole command (the
command line, a policy pack, -o) leaves standard output empty.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import attrs
import click

from ..api import ENGINES, check
from ..errors import UsageError
from ..report.model import FAIL_ON, OUTCOME_ORDER
from ..report.render import render_html, render_json, render_table, width
from ..report.safe_text import NAME_LIMIT, safe_text
from ..rulebook.load import load_rulebook
from . import emit, main, one_line as _one_line
from .output import output_stream, refuse_inputs
from .facts_input import facts_input
from .options import select_options

if TYPE_CHECKING:
    from ..batch import BatchItem

FORMATS = ("table", "json", "html", "sarif", "xlsx")

BATCH_FORMAT = "partyrules.batch/1"
PROGRESS_MIN = 10          # show a progress bar (on a terminal) from this many documents on


@main.command("check")
@click.argument("facts", nargs=-1, required=True)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Evaluation date (default: the document's as_of).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True,
              help="xlsx: a workbook for the party-affairs office (needs -o FILE).")
@click.option("--policies", "packs", multiple=True, metavar="DIR", help="Add a policy pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave the built-in rulebook out.")
@click.option("--all", "all_results", is_flag=True, help="List satisfied and not-applicable results too.")
@click.option("--engine", type=click.Choice(list(ENGINES)), default="native", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the table and HTML output (JSON carries both).")
@click.option("--include-unverified", is_flag=True, help="Also run opt-in policies with unverified citations.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE (atomically) instead of stdout.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes for several documents (0 = one per core).")
@click.option("--installed-packs", is_flag=True,
              help="Also load the packs that installed packages register (entry points 'partyrules.packs').")
@select_options
@click.option("--fail-on", "fail_on", type=click.Choice(list(FAIL_ON)), default="warning", show_default=True,
              help="Exit 1 on a violation of this severity or above: warning (any violation, the contract's "
                   "default), error (warnings are reported but pass), never.")
def check_cmd(facts: tuple[str, ...], as_of: str | None, fmt: str, packs: tuple[str, ...], no_builtin: bool,
              all_results: bool, engine: str, lang: str, include_unverified: bool, output: str | None,
              jobs: int, installed_packs: bool, select: tuple[str, ...], skip: tuple[str, ...],
              fail_on: str) -> None:
    """Check FACTS: YAML or JSON fact documents, directories of them, or - for standard input.

    With one document the report is printed; with several (or a directory),
    one summary row per document.
    """
    if installed_packs:
        from ..rulebook.packs import installed_pack_dirs
        packs = tuple(packs) + tuple(str(p) for p in installed_pack_dirs())
    refuse_inputs(output, facts)                 # before any work: -o must not name an input
    if len(facts) == 1 and (facts[0] == "-" or not Path(facts[0]).is_dir()):
        _check_one(facts[0], as_of, fmt, packs, no_builtin, all_results, engine, lang, include_unverified, output,
                   select, skip, fail_on)
        return
    if fmt in ("html", "sarif", "xlsx"):
        raise UsageError(f"--format {fmt} shows one document: give a single FACTS file")
    if list(facts).count("-") > 1:
        raise UsageError("standard input (-) can be given only once")
    from ..batch import expand_sources
    sources = expand_sources(facts)
    refuse_inputs(output, sources)
    status = run_batch(sources, output, fmt, all_results, lang, fail_on, as_of=as_of, policies=packs,
                       builtin=not no_builtin, engine=engine, workers=jobs, include_unverified=include_unverified,
                       select=select, skip=skip)
    raise click.exceptions.Exit(status)


def run_batch(sources: list, output: str | None, fmt: str, all_results: bool, lang: str, fail_on: str,
              **options: Any) -> int:
    """Check ``sources`` and write the batch output as documents finish; the exit status.

    Reports are rendered where they are checked and never kept: what stays
    until the end is one summary row per document (the table's alignment and
    the JSON ``summary`` need them all), so memory does not grow with the
    documents' size. ``-o FILE`` still appears whole, when the batch is done.
    """
    from ..batch import check_many
    show_bar = len(sources) >= PROGRESS_MIN and _stderr_is_terminal()
    as_json = fmt == "json"
    # what stops the whole batch (a pack, --as-of here, -o below) is raised before anything is written
    stream = check_many(sources, render="json" if as_json else None, keep="summary", all_results=all_results,
                        **options)
    kept: list[BatchItem] = []
    with contextlib.closing(stream), output_stream(output, sources) as write:
        batch_json = BatchJsonWriter(write, all_results) if as_json else None
        with (click.progressbar(length=len(sources), label="checking", file=sys.stderr) if show_bar
              else contextlib.nullcontext()) as bar:
            for item in stream:
                if bar is not None:
                    bar.update(1)
                if batch_json is not None:
                    batch_json.add(item)
                kept.append(attrs.evolve(item, rendered=None))      # the summary row only
        for item in kept:
            if item.error is not None:
                click.echo(f"partyrules: {_one_line(item.error)}", err=True)
        if batch_json is not None:
            batch_json.close(batch_summary(kept))
        else:
            write(render_batch_table(kept, lang))
    return batch_exit_status(kept, fail_on)


def _check_one(facts: str, as_of: str | None, fmt: str, packs: tuple[str, ...], no_builtin: bool,
               all_results: bool, engine: str, lang: str, include_unverified: bool, output: str | None,
               select: tuple[str, ...] = (), skip: tuple[str, ...] = (), fail_on: str = "warning") -> None:
    if fmt == "xlsx":
        _check_one_xlsx(facts, as_of, packs, no_builtin, all_results, engine, include_unverified, output,
                        select, skip, fail_on)
        return
    report = check(facts_input(facts), as_of, policies=packs, builtin=not no_builtin, engine=engine,
                   include_unverified=include_unverified, select=select, skip=skip)
    if fmt == "json":
        text = render_json(report, all_results)
    elif fmt == "html":
        text = render_html(report, all_results, lang)
    elif fmt == "sarif":
        from ..report.sarif import render_sarif, subject_positions
        book = load_rulebook(packs, builtin=not no_builtin)      # cached: the one check() used
        text = render_sarif(report, book.policies, all_results, lang, subject_positions(report.source))
    else:
        text = render_table(report, all_results, lang)
    emit(text, output, (facts,))
    raise click.exceptions.Exit(report.exit_status_for(fail_on))


def _check_one_xlsx(facts: str, as_of: str | None, packs: tuple[str, ...], no_builtin: bool, all_results: bool,
                    engine: str, include_unverified: bool, output: str | None, select: tuple[str, ...],
                    skip: tuple[str, ...], fail_on: str) -> None:
    """The report as a workbook (with what is coming due): binary, so only to a file or a pipe, never a terminal."""
    from ..api import upcoming
    from ..facts.load import load_facts
    from ..ledger import report_bytes
    from .ledger import emit_bytes
    if output is None:
        raise UsageError("--format xlsx writes a binary workbook: give -o FILE")
    doc = load_facts(facts_input(facts))
    book = load_rulebook(packs, builtin=not no_builtin)
    report = check(doc, as_of, engine=engine, include_unverified=include_unverified, rulebook=book,
                   select=select, skip=skip)
    due = upcoming(doc, report.as_of, rulebook=book, include_unverified=include_unverified, select=select, skip=skip)
    emit_bytes(report_bytes(report, doc, book, all_results, due), output, what="--format xlsx", inputs=(facts,))
    raise click.exceptions.Exit(report.exit_status_for(fail_on))


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def batch_exit_status(items: list[BatchItem], fail_on: str = "warning") -> int:
    """2 if any document could not be checked, else 1 if any has a violation that fails (``fail_on``), else 0."""
    statuses = [i.exit_status_for(fail_on) for i in items]
    return 2 if 2 in statuses else (1 if 1 in statuses else 0)


def batch_summary(items: list[BatchItem]) -> dict:
    """One row per document, and the totals."""
    rows = []
    totals = {k: 0 for k in OUTCOME_ORDER}
    for item in items:
        if item.summary is None:
            rows.append({"source": item.source, "error": _one_line(item.error)})
            continue
        counts = item.summary.counts
        for k in OUTCOME_ORDER:
            totals[k] += counts[k]
        rows.append({"source": item.source, "unit": item.summary.unit, "as_of": item.summary.as_of.isoformat(),
                     **counts})
    return {
        "documents": len(items),
        "failed": sum(1 for i in items if i.summary is None),
        "with_violations": sum(1 for i in items if i.exit_status == 1),
        "outcomes": totals,
        "rows": rows,
    }


def render_batch_json(items: list[BatchItem], all_results: bool = False) -> str:
    """The ``partyrules.batch/1`` document of ``items`` (each with its report, or its JSON in ``rendered``)."""
    pieces: list[str] = []
    writer = BatchJsonWriter(pieces.append, all_results)
    for item in items:
        writer.add(item)
    writer.close(batch_summary(items))
    return "".join(pieces)


class BatchJsonWriter:
    """``partyrules.batch/1`` written one report at a time, byte for byte what one ``json.dumps`` gives.

    An item gives its report's JSON text (``rendered``, from ``check_many(render="json")``),
    or its report to render here. That text is the report's ``json.dumps(indent=2)``:
    nested one level down it is the same text with ``source`` first and every
    line indented four more spaces (JSON strings hold no raw line break).
    """

    def __init__(self, write: Callable[[str], None], all_results: bool = False) -> None:
        self.write = write
        self.all_results = all_results
        self.count = 0
        write('{\n  "format": ' + json.dumps(BATCH_FORMAT) + ',\n  "reports": [')

    def add(self, item: BatchItem) -> None:
        if item.error is not None:
            text = _dumps({"source": item.source, "error": _one_line(item.error)})
        else:
            if item.rendered is not None:
                body = item.rendered.decode("utf-8")
            elif item.report is not None:
                body = render_json(item.report, self.all_results)
            else:
                raise ValueError(f"{item.source}: the item carries neither its report nor its JSON")
            if not body.startswith("{\n"):
                raise ValueError(f"{item.source}: rendered is not a report's JSON")
            text = "{\n  " + _dumps("source") + ": " + _dumps(item.source) + "," + body[1:].rstrip("\n")
        self.write(("," if self.count else "") + "\n    " + text.replace("\n", "\n    "))
        self.count += 1

    def close(self, summary: dict) -> None:
        end = "\n  ]" if self.count else "]"
        self.write(end + ',\n  "summary": ' + _dumps(summary).replace("\n", "\n  ") + "\n}\n")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


_HEAD = {
    "zh": ("文件", "单位", "检查日期", "违反", "无法判定", "出错", "符合", "不适用"),
    "en": ("file", "unit", "as of", "violated", "unknown", "error", "satisfied", "n/a"),
}
_TOTAL = {"zh": ("合计：{n}份文件，{bad}份无法检查，{viol}份有违反。", "出错："),
          "en": ("Total: {n} documents, {bad} could not be checked, {viol} with violations.", "error: ")}


def render_batch_table(items: list[BatchItem], lang: str = "zh") -> str:
    """One line per document: its counts by outcome, or its one-line error."""
    head = _HEAD[lang]
    rows: list[tuple[str, ...]] = []
    for item in items:
        source = safe_text(item.source)                 # a file name may hold escapes too
        if item.summary is None:
            rows.append((source, _TOTAL[lang][1] + _one_line(item.error)))
        else:
            s = item.summary.counts
            rows.append((source, safe_text(item.summary.unit, NAME_LIMIT), item.summary.as_of.isoformat(),
                         *(str(s[k]) for k in OUTCOME_ORDER)))
    full = [head] + [r for r in rows if len(r) == len(head)]
    cols = [max(width(r[c]) for r in full) for c in range(len(head))]

    def line(r: tuple[str, ...]) -> str:
        if len(r) != len(head):                       # an error: the source, then the message
            return (r[0] + " " * (cols[0] - width(r[0])) + "  " + r[1]).rstrip()
        cells = []
        for c, text in enumerate(r):
            pad = " " * (cols[c] - width(text))
            cells.append(pad + text if c >= 3 else text + pad)
        return "  ".join(cells).rstrip()

    out = [line(head), "─" * min(120, sum(cols) + 2 * (len(cols) - 1))]
    out.extend(line(r) for r in rows)
    summary = batch_summary(items)
    out.append("")
    out.append(_TOTAL[lang][0].format(n=summary["documents"], bad=summary["failed"], viol=summary["with_violations"]))
    return "\n".join(out) + "\n"
