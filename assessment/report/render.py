"""The per-firm reports: the diagnosis and the demonstration-scenario report, as HTML or PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal, Protocol

from ..engine.pipeline import Assessment
from ..files.atomic import make_parent, safe_stem, short_name, write_atomic
from ..files.evidence import read_beside
from ..models.common import Lang, StrPath, TextValue
from ..models.industries import INDUSTRIES
from ..models.results import ScoreCard
from ..park.adoption import FirmAdoption
from ..park.peers import PeerAverages
from ..park.trends import FirmTrend
from . import charts, content, plan_view, summary
from .html import render, search_path, trusted_svg
from .pdf import html_to_pdf
from .png import first_page_png
from .trend_pages import firm_trend_context

Kind = Literal["diagnosis", "scenarios"]
KINDS: tuple[Kind, ...] = ("diagnosis", "scenarios")


class Confirmed(Protocol):
    """Who at the firm confirmed the data, and on which day (the diagnosis report's cover)."""

    @property
    def name(self) -> str: ...

    @property
    def on(self) -> date: ...


STYLESHEET = "report.css"


def attachments(a: Assessment, rows: dict[str, content.Row]) -> list[dict[str, Any]]:
    """Attached photos and PDFs found beside the answer file, question by question."""
    if a.source is None:
        return []
    found = []
    for row in rows.values():
        files = [f for f in (read_beside(a.source, e) for e in row.evidence) if f is not None]
        if files:
            found.append({"row": row, "files": files})
    return found


def _common(a: Assessment, lang: Lang) -> dict[str, Any]:
    card, q = a.card, a.questionnaire
    created = f"{card.assessed_on.isoformat()}T00:00:00Z"
    return {
        "card": card,
        "firm": card.firm,
        "industry": INDUSTRIES[card.firm.industry],
        "questionnaire": q,
        "created": created,
        "running_name": card.firm.name,
        "author": card.assessor,
        "period": card.period,
        "level_name": card.level.name if card.level else card.not_rated,
    }


def diagnosis_context(
    a: Assessment,
    lang: Lang,
    peers: PeerAverages | None = None,
    previous: ScoreCard | None = None,
    trend: FirmTrend | None = None,
    adoption: FirmAdoption | None = None,
) -> dict[str, Any]:
    card = a.card
    strengths, gaps = content.strengths_and_gaps(card)
    rows = content.rows(a)
    dimensions = []
    for d in (d for d in card.dimensions if d.scored):
        park = peers.park.get(d.id) if peers and peers.park_count > 1 else None
        dimensions.append(
            {
                "node": d,
                "park_average": park,
                "chart": trusted_svg(content.indicator_bars_svg(d, park, lang)),
                "indicators": [
                    {"node": i, "rows": [rows[x.id] for x in i.questions]} for i in d.indicators
                ],
            }
        )
    evidence = [
        r
        for r in rows.values()
        if r.evidence_needed is not None and r.status in ("answered", "computed")
    ]
    return {
        **_common(a, lang),
        "title": TextValue(zh="数字化诊断报告", en="Digital diagnosis report"),
        "points": a.questionnaire.presentation == "points",
        "scenario_levels": content.scenario_levels(a),
        "peers": peers,
        "radar": trusted_svg(content.radar_svg(card, peers, lang)),
        "strengths": strengths,
        "gaps": gaps,
        "dimensions": dimensions,
        "paper": content.paper_processes(a),
        "evidence": evidence,
        "attachments": attachments(a, rows),
        "rows": rows,
        "change": content.change(card, previous),
        "trend": firm_trend_context(trend, lang),
        "adoption": adoption,
        "list_sep": "、" if lang == "zh" else ", ",
        "recommendation_count": len(a.recommendations),
        "summary": summary.summary_context(a, lang),
    }


def scenarios_context(a: Assessment, lang: Lang) -> dict[str, Any]:
    rows = content.rows(a)
    recs = a.recommendations
    lanes = [content.SLOTS[s].get(lang) for s in ("now", "next", "later")]
    items = [
        charts.TimelineItem(
            key=r.scenario,
            text=f"{r.rank}. {r.name.get(lang)}",
            lane=("now", "next", "later").index(r.slot),
            after=tuple(r.waiting_for),
        )
        for r in recs
    ]
    title = TextValue(zh="实施路线图", en="Roadmap").get(lang)
    return {
        **_common(a, lang),
        "title": TextValue(zh="示范场景推荐", en="Demonstration scenario recommendations"),
        "recommendations": recs,
        "names": {r.scenario: r.name for r in recs},
        "rows": rows,
        "slots": content.SLOTS,
        "cost_bands": content.COST_BANDS,
        "by_slot": {s: [r for r in recs if r.slot == s] for s in ("now", "next", "later")},
        "timeline": trusted_svg(charts.timeline(lanes, items, title=title))
        if recs and a.plan is None
        else None,
        "gantt": trusted_svg(summary.gantt_svg(recs, lang, planned=a.plan is not None))
        if recs and (a.plan is None or a.plan.years)
        else None,
        **plan_view.plan_context(a.plan, recs, lang),
        "year_cost": summary.year_cost(recs, lang),
        "months": {r.scenario: summary.months_text(r, lang) for r in recs},
        "list_sep": "、" if lang == "zh" else ", ",
    }


def render_html(
    kind: Kind | Literal["summary"],
    a: Assessment,
    *,
    lang: Lang = "zh",
    peers: PeerAverages | None = None,
    previous: ScoreCard | None = None,
    template_dir: StrPath | None = None,
    preview: bool = True,
    watermark: str | None = None,
    trend: FirmTrend | None = None,
    confirmed: Confirmed | None = None,
    adoption: FirmAdoption | None = None,
) -> str:
    """The report as HTML. `preview=True` links the stylesheet so a browser shows it styled.

    `watermark` is printed across every page (a draft's 草稿 / DRAFT). `trend` is the firm's
    scores over its stored periods (see `trends.firm_trends`); the diagnosis shows them from
    two periods on. `confirmed` (the name of who at the firm confirmed the data, and the day)
    goes on the diagnosis report's cover.
    """
    context = (
        scenarios_context(a, lang)
        if kind == "scenarios"
        else diagnosis_context(a, lang, peers, previous, trend, adoption)
    )
    context["stylesheet"] = STYLESHEET if preview else None
    context["watermark"] = watermark
    context["confirmed"] = confirmed
    return render(f"{kind}.html", context, lang, search_path(template_dir))


def pdf_from_html(html: str, template_dir: StrPath | None) -> bytes:
    """Render our HTML with the stylesheet found on the template search path."""
    roots = search_path(template_dir)
    sheet = next(r / STYLESHEET for r in roots if (r / STYLESHEET).is_file())
    return html_to_pdf(html, roots, [sheet])


# Headings, body text, bold and a table in both scripts: the faces a first report loads.
_WARM_UP_HTML = (
    '<html lang="zh"><body><h1>数字化转型诊断报告 Digital transformation</h1>'
    "<p>企业 ERP、MES 2026年第3季度 <b>粗体 bold</b> 123.4 万元</p>"
    "<table><tr><th>场景</th><td>条码化仓储管理（WMS）</td></tr></table></body></html>"
)


def warm_up(template_dir: StrPath | None = None) -> None:
    """Do now, in this process, what its first report would do before its first page: import
    the renderer, parse the stylesheet and load the fonts (kept per process, see `pdf`). A
    render process that warms up while it waits for work renders its first firm as fast as its
    next ones."""
    pdf_from_html(_WARM_UP_HTML, template_dir)


def render_diagnosis(
    a: Assessment,
    *,
    lang: Lang = "zh",
    peers: PeerAverages | None = None,
    previous: ScoreCard | None = None,
    template_dir: StrPath | None = None,
    watermark: str | None = None,
    trend: FirmTrend | None = None,
    confirmed: Confirmed | None = None,
    adoption: FirmAdoption | None = None,
) -> bytes:
    """The diagnosis report (诊断报告) as PDF bytes; `adoption` lists the scenarios of the
    previous period the firm has adopted since."""
    html = render_html(
        "diagnosis",
        a,
        lang=lang,
        peers=peers,
        previous=previous,
        template_dir=template_dir,
        preview=False,
        watermark=watermark,
        trend=trend,
        confirmed=confirmed,
        adoption=adoption,
    )
    return pdf_from_html(html, template_dir)


def render_scenarios(
    a: Assessment,
    *,
    lang: Lang = "zh",
    template_dir: StrPath | None = None,
    watermark: str | None = None,
) -> bytes:
    """The demonstration-scenario report (示范场景推荐) as PDF bytes."""
    html = render_html(
        "scenarios", a, lang=lang, template_dir=template_dir, preview=False, watermark=watermark
    )
    return pdf_from_html(html, template_dir)


def render_summary_png(
    a: Assessment,
    *,
    lang: Lang = "zh",
    peers: PeerAverages | None = None,
    previous: ScoreCard | None = None,
    template_dir: StrPath | None = None,
) -> bytes:
    """The diagnosis report's one-page summary as a PNG about a phone screen wide."""
    html = render_html(
        "summary",
        a,
        lang=lang,
        peers=peers,
        previous=previous,
        template_dir=template_dir,
        preview=False,
    )
    return first_page_png(pdf_from_html(html, template_dir))


def summary_png_path(card: ScoreCard, out_dir: Path, lang: Lang) -> Path:
    """Beside the PDFs and named like them, with `summary` for the kind."""
    pdf = report_paths(card, out_dir, lang)["diagnosis"]
    return pdf.with_name(pdf.name.replace(f"-diagnosis-{lang}.pdf", f"-summary-{lang}.png"))


def report_paths(card: ScoreCard, out_dir: Path, lang: Lang) -> dict[Kind, Path]:
    """Where a firm's reports go: the credit code, the firm's short name (sanitised: letters of
    any script, digits, '-' and '_'), the period, the kind and the language."""
    return paths_for(card.firm.credit_code, card.period, out_dir, lang, name=card.firm.name)


def paths_for(
    credit_code: str, period: str, out_dir: Path, lang: Lang, *, name: str = ""
) -> dict[Kind, Path]:
    """The report paths of a firm; without its name, the paths found on disk for its code."""
    code = safe_stem(credit_code)
    if not name:
        found = {
            kind: sorted(out_dir.glob(f"{code}-*{safe_stem(period)}-{kind}-{lang}.pdf"))
            for kind in KINDS
        }
        if all(found.values()):
            return {kind: paths[0] for kind, paths in found.items()}
    parts = (code, short_name(name) if name else "", safe_stem(period))
    return {
        kind: out_dir / ("-".join(p for p in (*parts, kind, lang) if p) + ".pdf") for kind in KINDS
    }


def write_reports(
    a: Assessment,
    out_dir: StrPath,
    *,
    lang: Lang = "zh",
    peers: PeerAverages | None = None,
    previous: ScoreCard | None = None,
    template_dir: StrPath | None = None,
    trend: FirmTrend | None = None,
    confirmed: Confirmed | None = None,
    adoption: FirmAdoption | None = None,
) -> dict[Kind, Path]:
    """Render both reports and write them atomically into `out_dir`."""
    paths = report_paths(a.card, Path(out_dir), lang)
    make_parent(paths["diagnosis"])  # an unusable folder is said before seconds of rendering
    template_dir = Path(template_dir) if template_dir is not None else None
    diagnosis = render_diagnosis(
        a,
        lang=lang,
        peers=peers,
        previous=previous,
        template_dir=template_dir,
        trend=trend,
        confirmed=confirmed,
        adoption=adoption,
    )
    write_atomic(paths["diagnosis"], diagnosis)
    write_atomic(paths["scenarios"], render_scenarios(a, lang=lang, template_dir=template_dir))
    return paths


def write_summary_png(
    a: Assessment,
    out_dir: StrPath,
    *,
    lang: Lang = "zh",
    peers: PeerAverages | None = None,
    previous: ScoreCard | None = None,
    template_dir: StrPath | None = None,
) -> Path:
    """Write the one-page summary as a PNG, atomically, beside the PDFs and named like them."""
    path = summary_png_path(a.card, Path(out_dir), lang)
    template_dir = Path(template_dir) if template_dir is not None else None
    image = render_summary_png(
        a, lang=lang, peers=peers, previous=previous, template_dir=template_dir
    )
    write_atomic(path, image)
    return path


def render_files(
    a: Assessment,
    *,
    lang: Lang = "zh",
    peers: PeerAverages | None = None,
    previous: ScoreCard | None = None,
    template_dir: StrPath | None = None,
    trend: FirmTrend | None = None,
    adoption: FirmAdoption | None = None,
    png: bool = False,
    confirmed: Confirmed | None = None,
) -> dict[str, bytes]:
    """Both reports (and with `png` the one-page summary) as bytes, by the file names
    `write_reports` gives them: what the store keeps and `dtm export-reports` writes.
    `confirmed` is the firm's confirmation of its data, printed on the diagnosis report."""
    paths = report_paths(a.card, Path(), lang)
    template_dir = Path(template_dir) if template_dir is not None else None
    files = {
        paths["diagnosis"].name: render_diagnosis(
            a,
            lang=lang,
            peers=peers,
            previous=previous,
            template_dir=template_dir,
            trend=trend,
            adoption=adoption,
            confirmed=confirmed,
        ),
        paths["scenarios"].name: render_scenarios(a, lang=lang, template_dir=template_dir),
    }
    if png:
        image = render_summary_png(
            a, lang=lang, peers=peers, previous=previous, template_dir=template_dir
        )
        files[summary_png_path(a.card, Path(), lang).name] = image
    return files
