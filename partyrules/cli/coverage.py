"""``partyrules coverage``: which checkable provisions the rulebook encodes and tests.

The table lists, edition by edition, every provision of the coverage index
(``policies/provisions.yaml``) by its zh label, with its verification level,
whether it is ready (F2/F1/E2) or on hold, the policies that encode it and
whether each is tested (✓: at least one ``violated`` and one ``satisfied``
example; ✗ otherwise), then the totals of the edition. The policy citations that
match no provision come last. ``--format json`` gives the same as
``partyrules.coverage/1``. Output is deterministic; the exit status is 0, or 2
when the index, a policy or an option is wrong.
"""

from __future__ import annotations

import json

import click

from ..tools.coverage import TOTAL_KEYS, CoverageReport, Encoding, EditionCoverage, coverage, load_index
from ..report.render import width
from ..rulebook.load import load_rulebook
from . import emit, main

_REASON_ZH = {
    "not_indexed": "不在可核查条款索引中",
    "part_unassigned": "该条款分为多个要点，索引未指明本政策编码哪一点",
    "edition_not_indexed": "该版本不在索引范围内",
}
_HEAD = ("条款", "核实", "可查", "状态", "政策", "测试")
_CHECKABLE_ZH = {"yes": "是", "partly": "部分"}


def render_coverage_json(report: CoverageReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def _policy_cell(enc: Encoding, edition: EditionCoverage) -> str:
    text = enc.policy
    tags = []
    if (enc.instrument, enc.edition) != (edition.instrument, edition.edition):
        tags.append(f"{enc.instrument}@{enc.edition}")
    if enc.inherited_from:
        parent_instrument, _, parent_edition = enc.inherited_from.partition("@")
        tags.append(f"沿用{parent_edition if parent_instrument == enc.instrument else enc.inherited_from}")
    if enc.unverified:
        tags.append("未核实")
    return text + (f"（{'，'.join(tags)}）" if tags else "")


def _pad(text: str, cols: int) -> str:
    return text + " " * max(0, cols - width(text))


def render_coverage_table(report: CoverageReport) -> str:
    reg = report.registry
    out: list[str] = []
    grand = dict.fromkeys(TOTAL_KEYS, 0)
    for edition in report.editions:
        inst = reg.instrument(edition.instrument)
        ed = reg.edition(edition.instrument, edition.edition)
        rows: list[tuple[str, ...]] = []
        for r in edition.provisions:
            p = r.provision
            label = p.citation.label_zh(reg) + (f"［要点{p.part}］" if p.part is not None else "")
            status = "就绪" if p.ready else "暂缓"
            first = (label, p.verification, _CHECKABLE_ZH[p.checkable], status)
            if not r.policies:
                reason = f"不编码：{p.not_encoded}" if p.not_encoded else "—"
                rows.append(first + (reason, "✗"))
            for k, enc in enumerate(r.policies):
                lead = first if k == 0 else ("", "", "", "")
                rows.append(lead + (_policy_cell(enc, edition), "✓" if enc.tested else "✗"))
        cols = [max(width(row[c]) for row in [_HEAD] + rows) for c in range(len(_HEAD))]

        def line(row: tuple[str, ...]) -> str:
            return "  ".join(_pad(text, cols[c]) for c, text in enumerate(row)).rstrip()

        out.append(f"《{inst.title_zh}》{ed.label_zh} · {edition.ref}")
        out.append(line(_HEAD))
        out.append("─" * min(160, sum(cols) + 2 * (len(cols) - 1)))
        out.extend(line(row) for row in rows)
        t = edition.totals
        for k in grand:
            grand[k] += t[k]
        out.append(f"合计：条款 {t['provisions']} · 就绪 {t['ready']} · 已编码 {t['encoded']} · "
                   f"已测试 {t['tested']} · 就绪未编码 {t['ready_not_encoded']}"
                   f"（说明理由不编码 {t['declined']} · 待编码 {t['gap']}）")
        out.append("")
    out.append(f"总计（{len(report.editions)}个版本）：条款 {grand['provisions']} · 就绪 {grand['ready']} · "
               f"已编码 {grand['encoded']} · 已测试 {grand['tested']} · 就绪未编码 {grand['ready_not_encoded']}"
               f"（说明理由不编码 {grand['declined']} · 待编码 {grand['gap']}）")
    if report.unindexed:
        out.append("")
        out.append(f"未入索引的引用（{len(report.unindexed)}）：")
        for u in report.unindexed:
            out.append(f"  - {u.policy}（{u.instrument}@{u.edition}）引用 {u.citation.label_zh(reg)}："
                       f"{_REASON_ZH[u.reason]}")
    return "\n".join(out) + "\n"


@main.command("coverage")
@click.option("--policies", "packs", multiple=True, metavar="DIR", help="Add a policy pack (repeatable).")
@click.option("--no-builtin", is_flag=True, help="Leave the built-in rulebook out.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--edition", "editions", multiple=True, metavar="INSTRUMENT@EDITION",
              help="Show only this edition, e.g. organs-regulations@2019 (repeatable).")
def coverage_cmd(packs: tuple[str, ...], no_builtin: bool, fmt: str, editions: tuple[str, ...]) -> None:
    """Which checkable provisions the rulebook encodes, and which of those are tested."""
    book = load_rulebook(packs, builtin=not no_builtin)
    index = load_index(registry=book.registry)
    report = coverage(book, index, editions or None)
    text = render_coverage_json(report) if fmt == "json" else render_coverage_table(report)
    emit(text, None)
