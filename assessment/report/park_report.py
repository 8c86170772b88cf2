"""The park's quarterly report (园区季度报告) as HTML or PDF, from a ParkSummary."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..models.common import Lang, StrPath, TextValue
from ..models.industries import INDUSTRIES
from ..park.export import SIZE_BANDS, size_band
from ..park.summary import TIERS, ParkSummary
from . import charts, content
from .html import render, search_path, trusted_svg
from .render import STYLESHEET, pdf_from_html
from .trend_pages import park_trend_context

TITLE = TextValue(zh="园区季度数字化诊断报告", en="Park quarterly digital diagnosis report")


def park_context(s: ParkSummary, lang: Lang, park_name: str | None = None) -> dict[str, Any]:
    first = s.cards[0]
    level_chart = charts.distribution(
        [name.get(lang) for _, name, _ in s.level_counts],
        [count for _, _, count in s.level_counts],
        title=TextValue(zh="成熟度等级分布", en="Firms by maturity level").get(lang),
        axis_label=TextValue(zh="企业数", en="Firms").get(lang),
    )
    dimension_chart = charts.bars(
        [label.get(lang) for _, label in s.dimensions],
        [s.averages[d] for d, _ in s.dimensions],
        title=TextValue(zh="园区各维度平均分", en="Park average by dimension").get(lang),
        value_axis_label=TextValue(
            zh="平均分（0–100，分数越高越好）", en="Average score (0–100, higher is better)"
        ).get(lang),
        reference=s.averages["overall"],
        reference_label=TextValue(zh="园区总分均值", en="Park overall average").get(lang),
    )
    return {
        "s": s,
        "title": TITLE,
        "park_name": park_name or s.park,
        "running_name": park_name or s.park or TITLE.get(lang),
        "author": "dtm",
        "period": s.period,
        "created": f"{max(c.assessed_on for c in s.cards).isoformat()}T00:00:00Z",
        "questionnaire_title": first.questionnaire.title,
        "questionnaire_id": first.questionnaire.id,
        "questionnaire_version": first.questionnaire.version,
        "c": s.comparison,
        "level_chart": trusted_svg(level_chart),
        "dimension_chart": trusted_svg(dimension_chart),
        "trend": park_trend_context(s.trend, lang),
        "industries": INDUSTRIES,
        "industry_counts": Counter(c.firm.industry for c in s.cards),
        "sizes": {band: label for band, _, label in SIZE_BANDS},
        "size_counts": Counter(size_band(c.firm.employees) for c in s.cards),
        "cost_bands": content.COST_BANDS,
        "tiers": TIERS,
        "tier_names": dict(TIERS),
        "list_sep": "、" if lang == "zh" else ", ",
    }


def render_park_html(
    s: ParkSummary,
    *,
    lang: Lang = "zh",
    park_name: str | None = None,
    template_dir: StrPath | None = None,
    preview: bool = True,
) -> str:
    context = park_context(s, lang, park_name)
    context["stylesheet"] = STYLESHEET if preview else None
    return render("park.html", context, lang, search_path(template_dir))


def render_park(
    s: ParkSummary,
    *,
    lang: Lang = "zh",
    park_name: str | None = None,
    template_dir: StrPath | None = None,
) -> bytes:
    """The park report as PDF bytes."""
    html = render_park_html(
        s, lang=lang, park_name=park_name, template_dir=template_dir, preview=False
    )
    return pdf_from_html(html, template_dir)
