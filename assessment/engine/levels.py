"""Maturity levels: which level's rules hold, and what blocks the next one."""

from __future__ import annotations

from typing import Any

from ..display import one_decimal, shortfall
from ..models.common import TextValue
from ..models.questionnaire import (
    ConditionRule,
    CountRule,
    Level,
    LevelRule,
    MandatoryRule,
    NodeScoreRule,
    OverallScoreRule,
    Questionnaire,
)
from . import expr
from .checks import selected_items
from .plan import Plan, Values


class _Facts:
    """What level rules read from the score card's data (plain dicts, validated once later)."""

    def __init__(self, card: dict[str, Any], values: Values) -> None:
        self.overall: float = card["overall"] or 0.0
        self.questions: dict[str, dict[str, Any]] = {}
        self.scores: dict[str, float | None] = {}
        for dimension in card["dimensions"]:
            self.scores[dimension["id"]] = dimension["score"]
            for indicator in dimension["indicators"]:
                self.scores[indicator["id"]] = indicator["score"]
                for question in indicator["questions"]:
                    self.questions[question["id"]] = question
                    self.scores[question["id"]] = question["score"]
        answered = {k for k, q in self.questions.items() if q["status"] in ("answered", "computed")}
        self.context = expr.Context(values.values, self.scores, frozenset(answered))
        # How many overall points each question could still add, best first.
        gains = [
            (q["share"] * (100 - (q["score"] or 0.0)), k, q)
            for k, q in self.questions.items()
            if q["scored"]
        ]
        self.gains = sorted((g for g in gains if g[0] > 0.005), key=lambda g: (-g[0], g[1]))

    def best_gains(self, under: str | None, limit: int = 5) -> list[str]:
        found = [k for _, k, q in self.gains if under in (None, q["dimension"], q["indicator"])]
        return found[:limit]


def _meets(result: dict[str, Any], rule: CountRule | MandatoryRule) -> bool:
    if rule.level is not None:
        value = result["value"]
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and (value >= rule.level)
        )
    return result["score"] is not None and bool(result["score"] >= (rule.min_score or 0))


def _label(q: Questionnaire, node_id: str) -> TextValue:
    if node_id in q.node_map:
        node = q.node_map[node_id]
        return node.score_label or node.label
    return q.question_map[node_id].text


def _check(
    q: Questionnaire,
    plan: Plan,
    facts: _Facts,
    rule: LevelRule,
    position: tuple[int, int],
    met_below: list[bool],
) -> dict[str, Any]:
    overall = facts.overall
    if isinstance(rule, OverallScoreRule):
        short = rule.min - overall
        return dict(
            rule=rule.rule,
            met=short <= 0,
            actual=round(overall, 2),
            required=rule.min,
            description=dict(zh=f"总分 ≥ {rule.min:g}", en=f"overall score ≥ {rule.min:g}"),
            unblock=None
            if short <= 0
            else dict(
                zh=f"总分还需提高 {_gap(rule.min, overall)} 分"
                f"（{one_decimal(overall)} → {rule.min:g}）",
                en=f"raise the overall score by {_gap(rule.min, overall)} points "
                f"({one_decimal(overall)} → {rule.min:g})",
            ),
            candidates=[] if short <= 0 else facts.best_gains(None),
        )
    if isinstance(rule, NodeScoreRule):
        actual = facts.scores.get(rule.node) or 0.0
        short = rule.min - actual
        name = _label(q, rule.node)
        return dict(
            rule=rule.rule,
            met=short <= 0,
            actual=round(actual, 2),
            required=rule.min,
            description=dict(
                zh=f"{name.zh}得分 ≥ {rule.min:g}", en=f"{name.en} score ≥ {rule.min:g}"
            ),
            unblock=None
            if short <= 0
            else dict(
                zh=f"{name.zh}还需提高 {_gap(rule.min, actual)} 分"
                f"（{one_decimal(actual)} → {rule.min:g}）",
                en=f"raise {name.en} by {_gap(rule.min, actual)} points "
                f"({one_decimal(actual)} → {rule.min:g})",
            ),
            candidates=[] if short <= 0 else facts.best_gains(rule.node),
        )
    if isinstance(rule, CountRule | MandatoryRule):
        return _item_rule(q, facts, rule)
    if isinstance(rule, ConditionRule):
        met = plan.rules[position].truth(facts.context) if position in plan.rules else False
        return dict(
            rule=rule.rule,
            met=met,
            actual=float(met),
            required=1.0,
            description=rule.label,
            unblock=None if met else rule.label,
        )
    lower_met = sum(met_below)
    met = lower_met == len(met_below)
    return dict(
        rule="lower_levels",
        met=met,
        actual=float(lower_met),
        required=float(len(met_below)),
        description=dict(zh="满足所有较低等级", en="all lower levels met"),
        unblock=None
        if met
        else dict(zh="先满足较低等级的全部条件", en="first meet every rule of the lower levels"),
    )


def _bar(rule: CountRule | MandatoryRule) -> tuple[str, str]:
    if rule.level is not None:
        return f"达到 {rule.level} 级", f"at level {rule.level} or above"
    return f"得分 ≥ {rule.min_score:g}", f"scoring {rule.min_score:g} or more"


def _what(rule: CountRule | MandatoryRule) -> TextValue:
    return getattr(rule, "label", None) or (
        TextValue.model_construct(zh=f"标记为“{rule.tag}”的项目", en=f"items tagged '{rule.tag}'")
        if rule.tag
        else TextValue.model_construct(zh="所列项目", en="the listed items")
    )


def _item_rule(q: Questionnaire, facts: _Facts, rule: CountRule | MandatoryRule) -> dict[str, Any]:
    items = selected_items(q, rule)
    meeting = [i for i in items if _meets(facts.questions[i.id], rule)]
    met_ids = {i.id for i in meeting}
    missing = [i for i in items if i.id not in met_ids]
    missing.sort(key=lambda i: (-(facts.questions[i.id]["score"] or 0.0), i.id))
    bar_zh, bar_en = _bar(rule)
    what = _what(rule)
    if isinstance(rule, CountRule):
        need = rule.min_count
        description = dict(
            zh=f"{what.zh}中至少 {need} 项{bar_zh}", en=f"at least {need} of {what.en} {bar_en}"
        )
    else:
        need = len(items)
        description = dict(zh=f"{what.zh}全部{bar_zh}", en=f"all of {what.en} {bar_en}")
    short = need - len(meeting)
    unblock = None
    if short > 0:
        names_zh = "、".join(i.text.zh for i in missing[:short])
        names_en = "; ".join(i.text.en for i in missing[:short])
        unblock = dict(
            zh=f"{what.zh}还需 {short} 项{bar_zh}，例如：{names_zh}",
            en=f"{short} more of {what.en} {bar_en}, for example: {names_en}",
        )
    return dict(
        rule=rule.rule,
        met=short <= 0,
        actual=float(len(meeting)),
        required=float(need),
        description=description,
        unblock=unblock,
        candidates=[i.id for i in missing],
    )


def _ref(level: Level, rank: int) -> dict[str, Any]:
    return {"id": level.id, "name": level.name, "rank": rank}


def rate(q: Questionnaire, plan: Plan, card: dict[str, Any], values: Values) -> dict[str, Any]:
    """The level, every rule's outcome, and what blocks the next level, as score-card fields."""
    facts = _Facts(card, values)
    checked: list[dict[str, Any]] = []
    for l_i, level in enumerate(q.levels):
        met_below = [c["met"] for c in checked]
        rules = [
            _check(q, plan, facts, rule, (l_i, r_i), met_below)
            for r_i, rule in enumerate(level.rules)
        ]
        checked.append(
            {**_ref(level, l_i + 1), "met": all(r["met"] for r in rules), "rules": rules}
        )
    rank = max((c["rank"] for c in checked if c["met"]), default=0)
    following = checked[rank] if rank < len(checked) else None
    return {
        "level": _ref(q.levels[rank - 1], rank) if rank else None,
        "next_level": _ref(q.levels[rank], rank + 1) if following else None,
        "blockers": [r for r in following["rules"] if not r["met"]] if following else [],
        "next_level_gap": _gap_line(q, q.levels[rank], following["rules"]) if following else None,
        "levels": checked,
    }


def _amount(value: float) -> str:
    return shortfall(value)


def _gap(required: float, actual: float) -> str:
    """The shortfall as every sentence shows it: from the score as the card holds it (2 places)."""
    return shortfall(max(required - round(actual, 2), 0.01))


def _narrower(q: Questionnaire, inner: LevelRule, outer: LevelRule) -> bool:
    """A count over a strict subset of another count's items, at the same bar."""
    if not (isinstance(inner, CountRule) and isinstance(outer, CountRule)):
        return False
    if (inner.level, inner.min_score) != (outer.level, outer.min_score):
        return False
    small = {i.id for i in selected_items(q, inner)}
    return small < {i.id for i in selected_items(q, outer)}


def _gap_line(q: Questionnaire, level: Level, checks: list[dict[str, Any]]) -> dict[str, str]:
    """One line of what the level still needs, e.g. "6 more points; 2 more of the scenarios …".

    A count over a subset of another count's items (the mandatory scenarios among all scenarios)
    is folded into the wider one, since every item that helps the first also helps the second.
    """
    unmet = [i for i, check in enumerate(checks) if not check["met"]]
    folded: dict[int, int] = {}  # wider rule -> the narrower rule folded into it
    for inner in unmet:
        for outer in unmet:
            if outer not in folded and _narrower(q, level.rules[inner], level.rules[outer]):
                folded[outer] = inner
                break
    parts = [
        _folded_part(level.rules[i], checks[i], level.rules[folded[i]], checks[folded[i]])
        if i in folded
        else _gap_part(q, level.rules[i], checks[i])
        for i in unmet
        if i not in folded.values()
    ]
    return dict(zh="；".join(p[0] for p in parts), en="; ".join(p[1] for p in parts))


def _folded_part(
    rule: LevelRule, check: dict[str, Any], sub: LevelRule, sub_check: dict[str, Any]
) -> tuple[str, str]:
    """ "N more of the wider items, of which at least M among the narrower ones"."""
    if not (isinstance(rule, CountRule) and isinstance(sub, CountRule)):
        raise TypeError("only count rules fold into each other")
    short_sub = int(sub_check["required"] - sub_check["actual"])
    short = max(int(check["required"] - check["actual"]), short_sub)
    (bar_zh, bar_en), what, what_sub = _bar(rule), _what(rule), _what(sub)
    return (
        f"{what.zh}还需 {short} 项{bar_zh}，其中至少 {short_sub} 项属于{what_sub.zh}",
        f"{short} more of {what.en} {bar_en}, of which at least {short_sub} among {what_sub.en}",
    )


def _gap_part(q: Questionnaire, rule: LevelRule, check: dict[str, Any]) -> tuple[str, str]:
    short = max(check["required"] - check["actual"], 0.01)  # unmet, even if rounding hides it
    if isinstance(rule, OverallScoreRule):
        return f"总分还差 {_amount(short)} 分", f"{_amount(short)} more points"
    if isinstance(rule, NodeScoreRule):
        name = _label(q, rule.node)
        return (
            f"{name.zh}得分还差 {_amount(short)} 分",
            f"{_amount(short)} more points in {name.en}",
        )
    if isinstance(rule, CountRule | MandatoryRule):
        (bar_zh, bar_en), what = _bar(rule), _what(rule)
        return f"{what.zh}还需 {int(short)} 项{bar_zh}", f"{int(short)} more of {what.en} {bar_en}"
    if isinstance(rule, ConditionRule):
        return rule.label.zh, rule.label.en
    return "先满足较低等级的全部条件", "meet every rule of the lower levels first"
