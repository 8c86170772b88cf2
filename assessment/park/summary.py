"""The park's quarter in numbers: levels, averages, migrations, cohorts and the shortlist."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..display import one_decimal
from ..errors import N_, UsageError
from ..models.common import TextValue
from ..models.results import Recommendation, ScoreCard
from .compare import Comparison, averages, compare
from .export import SIZE_BANDS, size_band
from .trends import ParkTrend, park_trend

if TYPE_CHECKING:
    from .worksummary import WorkSummary

T = TextValue
TIERS: tuple[tuple[str, TextValue], ...] = (
    ("leading", T(zh="领军企业", en="Leading firms")),
    ("showcase", T(zh="标杆案例", en="Showcase cases")),
    ("demonstration", T(zh="示范企业", en="Demonstration firms")),
)


@dataclass(frozen=True)
class Registered:
    """A firm on the park's register (a CSV with credit_code, name, industry, employees and,
    optionally, park: the park's name)."""

    credit_code: str
    name: str
    industry: str
    employees: int | None
    park: str = ""


def read_register(path: Path) -> list[Registered]:
    """Read the park register; a missing column or bad row is a UsageError naming the place."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            N_("%(path)s: cannot read the park register (%(reason)s)"),
            path=path,
            reason=exc.strerror,
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # saved from Excel on a Chinese Windows: GBK
        text = raw.decode("gb18030", errors="replace")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    found = []
    try:
        for row in reader:
            found.append(_registered(path, reader.line_num, row))
    except csv.Error:  # a field over the csv module's limit, a stray NUL…
        # The record that failed starts on the line after the last one read.
        raise UsageError(
            N_(
                "%(path)s:%(line)s: the park register cannot be read here; save it again as CSV "
                "from the spreadsheet"
            ),
            path=path,
            line=reader.line_num + 1,
        ) from None
    return found


def _registered(path: Path, number: int, row: dict[str | Any, str | Any]) -> Registered:
    code = (row.get("credit_code") or "").strip()
    if not code:
        raise UsageError(
            N_(
                "%(path)s:%(line)s: no credit_code (columns: credit_code, name, industry, "
                "employees)"
            ),
            path=path,
            line=number,
        )
    employees = (row.get("employees") or "").strip()
    # Digits of any script (`１２０`) are a number; `3²` or `1,2` is not, and says so.
    if employees and not employees.isdecimal():
        raise UsageError(
            N_(
                "%(path)s:%(line)s: employees %(value)s is not a whole number (write the "
                "head-count in digits, e.g. 120, or leave it empty)"
            ),
            path=path,
            line=number,
            value=repr(employees),
        )
    return Registered(
        code,
        (row.get("name") or "").strip(),
        (row.get("industry") or "").strip(),
        int(employees) if employees else None,
        (row.get("park") or "").strip(),
    )


def register_park(path: Path, register: Sequence[Registered]) -> str | None:
    """The park's name as the register gives it (its `park` column), if it gives one."""
    names = sorted({r.park for r in register if r.park})
    if len(names) > 1:
        raise UsageError(
            N_(
                "%(path)s: the park column names %(count)s parks (%(names)s); a register is one "
                "park's (or name it with --park)"
            ),
            path=path,
            count=len(names),
            names=", ".join(names),
        )
    return names[0] if names else None


@dataclass(frozen=True)
class Pick:
    tier: str
    card: ScoreCard
    reason: TextValue


@dataclass(frozen=True)
class Miss:
    """A firm that ranked high enough for a tier but misses its eligibility rules."""

    tier: str
    card: ScoreCard
    unmet: list[TextValue]


@dataclass
class ParkSummary:
    """Everything the park report and the results workbook show, computed once."""

    period: str
    previous_period: str | None
    cards: list[ScoreCard]
    previous: dict[str, ScoreCard]
    recommendations: dict[str, list[Recommendation]]
    level_counts: list[tuple[str, TextValue, int]]
    dimensions: list[tuple[str, TextValue]]
    averages: dict[str, float | None]
    by_industry: dict[str, dict[str, float | None]]
    by_size: dict[str, dict[str, float | None]]
    transitions: dict[tuple[str, str], int]
    risers: list[tuple[ScoreCard, ScoreCard]]
    fallers: list[tuple[ScoreCard, ScoreCard]]
    near_next: list[tuple[ScoreCard, float]]
    cohorts: list[tuple[Recommendation, list[ScoreCard]]]
    shortlist: list[Pick]
    near_misses: list[Miss] = field(default_factory=list)
    comparison: Comparison | None = None
    park: str | None = None
    other_park: list[ScoreCard] = field(default_factory=list)
    unassessed: list[Registered] = field(default_factory=list)
    registered: int | None = None
    trend: ParkTrend | None = None
    work: WorkSummary | None = None  # the work summary (工作简报), when the caller adds it


def _level(card: ScoreCard) -> tuple[str, int]:
    return (card.level.id, card.level.rank) if card.level else ("not_rated", 0)


def _near(card: ScoreCard, points: float) -> float | None:
    """Points short of the next level when only score rules block it and by at most `points`."""
    if card.next_level is None or not card.blockers:
        return None
    if any(b.rule not in ("overall_score", "node_score") for b in card.blockers):
        return None
    short = sum(b.required - b.actual for b in card.blockers)
    return round(short, 2) if short <= points else None


def fmt(value: float | None) -> str:
    return one_decimal(value or 0)


def _reason(tier: str, card: ScoreCard, before: ScoreCard | None) -> TextValue:
    level = card.level_name
    if tier == "showcase" and before is not None:
        up = (card.overall or 0) - (before.overall or 0)
        return T(
            zh=f"总分提高 {fmt(up)}（{before.level_name.zh} → {level.zh}）",
            en=f"overall up {fmt(up)} ({before.level_name.en} → {level.en})",
        )
    if tier == "leading":
        return T(
            zh=f"{level.zh}，总分 {fmt(card.overall)}",
            en=f"{level.en}, overall {fmt(card.overall)}",
        )
    return T(
        zh=f"总分 {fmt(card.overall)}，{level.zh}", en=f"overall {fmt(card.overall)}, {level.en}"
    )


def _ranked(
    tier: str, pool: Sequence[ScoreCard], previous: Mapping[str, ScoreCard]
) -> list[ScoreCard]:
    if tier != "showcase":
        return list(pool)

    def rise(card: ScoreCard) -> float:
        before = previous.get(card.firm.credit_code)
        return (card.overall or 0) - (before.overall or 0) if before else 0.0

    return sorted((c for c in pool if rise(c) > 0), key=lambda c: (-rise(c), c.firm.credit_code))


def _shortlist(
    cards: Sequence[ScoreCard], previous: Mapping[str, ScoreCard], tiers: Sequence[int]
) -> tuple[list[Pick], list[Miss]]:
    """Leading: best level then score; showcase: largest rise; demonstration: best of the rest,
    spread across industries. Only firms with at least 80% coverage that meet the tier's
    eligibility rules (the questionnaire's `demonstration:`) are shortlisted; firms that would
    have been picked but for those rules are returned as near misses, with the rules missed."""
    pool = sorted(
        (c for c in cards if c.coverage >= 0.8),
        key=lambda c: (-_level(c)[1], -(c.overall or 0), c.firm.credit_code),
    )
    taken: set[str] = set()
    picks: list[Pick] = []
    misses: list[Miss] = []
    for (tier, _name), size in zip(TIERS, tiers, strict=True):
        per_industry: Counter[str] = Counter()
        cap = max(1, (size + 1) // 2) if tier == "demonstration" else size
        chosen = 0
        for card in _ranked(tier, pool, previous):
            code = card.firm.credit_code
            if chosen >= size:
                break
            if code in taken or per_industry[card.firm.industry] >= cap:
                continue
            standing = card.eligible(tier)
            if standing is not None and not standing.eligible:
                misses.append(Miss(tier, card, standing.unmet))
                continue
            taken.add(code)
            per_industry[card.firm.industry] += 1
            chosen += 1
            picks.append(Pick(tier, card, _reason(tier, card, previous.get(code))))
    return picks, misses


def summarise(
    cards: Sequence[ScoreCard],
    *,
    previous: Sequence[ScoreCard] = (),
    recommendations: Mapping[str, Sequence[Recommendation]] | None = None,
    register: Sequence[Registered] | None = None,
    tiers: Sequence[int] = (3, 3, 6),
    near: float = 5.0,
    park: str | None = None,
    history: Mapping[str, Sequence[ScoreCard]] | None = None,
) -> ParkSummary:
    """One period's park summary; `previous` are the same park's cards of the period before.

    `park` is the park's name, from its register or given by the user; firms whose own `park:`
    names another park are listed in `other_park`, never used to name the park. `history` is
    every stored period's cards up to this one (see `trends.stored_history`), for the trends."""
    if not cards:
        raise UsageError(N_("no assessments to summarise for this period"))
    cards = sorted(cards, key=lambda c: c.firm.credit_code)
    recs = {k: list(v) for k, v in (recommendations or {}).items()}
    before = {c.firm.credit_code: c for c in previous}
    dims = [(d.id, d.label) for d in cards[0].dimensions]
    dim_ids = [d for d, _ in dims]
    names: dict[str, TextValue] = {"not_rated": cards[0].not_rated}
    for check in cards[0].levels:
        names[check.id] = check.name
    counts = Counter(_level(c)[0] for c in cards)
    level_counts = [(lid, name, counts.get(lid, 0)) for lid, name in names.items()]
    industries: dict[str, list[ScoreCard]] = defaultdict(list)
    sizes: dict[str, list[ScoreCard]] = defaultdict(list)
    for card in cards:
        industries[card.firm.industry].append(card)
        sizes[size_band(card.firm.employees)].append(card)
    pairs = [(before[c.firm.credit_code], c) for c in cards if c.firm.credit_code in before]
    transitions = Counter((_level(a)[0], _level(b)[0]) for a, b in pairs)
    cohorts: dict[str, tuple[Recommendation, list[ScoreCard]]] = {}
    for card in cards:
        for rec in recs.get(card.firm.credit_code, []):
            cohorts.setdefault(rec.scenario, (rec, []))[1].append(card)
    shortlist, misses = _shortlist(cards, before, tiers)
    near_next = [(c, short) for c in cards if (short := _near(c, near)) is not None]
    assessed = {c.firm.credit_code for c in cards}
    return ParkSummary(
        period=cards[0].period,
        previous_period=previous[0].period if previous else None,
        cards=cards,
        previous=before,
        recommendations=recs,
        level_counts=level_counts,
        dimensions=dims,
        averages=averages(cards, dim_ids),
        by_industry={k: averages(v, dim_ids) for k, v in sorted(industries.items())},
        by_size={k: averages(sizes[k], dim_ids) for k, _, _ in SIZE_BANDS if k in sizes},
        transitions=dict(transitions),
        risers=sorted(
            [(a, b) for a, b in pairs if _level(b)[1] > _level(a)[1]],
            key=lambda p: p[1].firm.credit_code,
        ),
        fallers=sorted(
            [(a, b) for a, b in pairs if _level(b)[1] < _level(a)[1]],
            key=lambda p: p[1].firm.credit_code,
        ),
        near_next=sorted(near_next, key=lambda p: (p[1], p[0].firm.credit_code)),
        cohorts=sorted(cohorts.values(), key=lambda p: (-len(p[1]), p[0].scenario)),
        shortlist=shortlist,
        near_misses=misses,
        comparison=compare(cards, before, dim_ids) if previous else None,
        park=park,
        other_park=[c for c in cards if park and c.firm.park and c.firm.park != park],
        unassessed=[r for r in register or [] if r.credit_code not in assessed],
        registered=len(register) if register is not None else None,
        trend=park_trend(history) if history else None,
    )
