"""The park report of a stored period: of one park, or the district's parks added up."""

from __future__ import annotations

import dataclasses

from ..models.common import Lang
from ..park.summary import summarise
from ..report.park_report import render_park
from ..store import EVERY_PARK, Scope, Store


def district_label(parks: list[str | None], lang: Lang) -> str:
    """The district roll-up's title: it says that parks are added up, and which."""
    names = [p or ("未填写园区的企业" if lang == "zh" else "firms naming no park") for p in parks]
    if lang == "zh":
        return f"全区汇总：{len(parks)} 个园区相加（{'、'.join(names)}）"
    return f"District roll-up: {len(parks)} parks added up ({', '.join(names)})"


def park_pdf(store: Store, period: str, scope: Scope, lang: Lang) -> bytes | None:
    """The park report over the firms of `scope`: a park by name, None for the firms naming
    none, or `EVERY_PARK` for the district roll-up, titled as such. None when it has no firm."""
    cards = store.cards(period, park=scope)
    if not cards:
        return None
    before = store.previous_period(period, park=scope)
    previous = store.cards(before, park=scope) if before else []
    recs = store.recommendations(period, park=scope)
    park = scope if isinstance(scope, str) else None
    summary = summarise(cards, previous=previous, recommendations=recs, park=park)
    if scope is EVERY_PARK:
        summary = dataclasses.replace(summary, park=district_label(store.parks(period), lang))
    return render_park(summary, lang=lang)
