"""Maturity levels: which level's rules hold, and what blocks the next one."""

from __future__ import annotations

from typing import Any

from . import expr
from .checks import selected_items
from .models.common import TextValue
from .models.questionnaire import (
    ConditionRule,
    CountRule,
    Level,
    LevelRule,
    MandatoryRule,
    NodeScoreRule,
    OverallScoreRule,
    Questionnaire,
)
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
        return q.node_map[node_id].label
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
                zh=f"总分还需提高 {short:.1f} 分（{overall:.1f} → {rule.min:g}）",
                en=f"raise the overall score by {short:.1f} points ({overall:.1f} → {rule.min:g})",
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
                zh=f"{name.zh}还需提高 {short:.1f} 分（{actual:.1f} → {rule.min:g}）",
                en=f"raise {name.en} by {short:.1f} points ({actual:.1f} → {rule.min:g})",
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


def _item_rule(q: Questionnaire, facts: _Facts, rule: CountRule | MandatoryRule) -> dict[str, Any]:
    items = selected_items(q, rule)
    meeting = [i for i in items if _meets(facts.questions[i.id], rule)]
    missing = [i for i in items if i not in meeting]
    missing.sort(key=lambda i: (-(facts.questions[i.id]["score"] or 0.0), i.id))
    if rule.level is not None:
        bar_zh, bar_en = f"达到 {rule.level} 级", f"at level {rule.level} or above"
    else:
        bar_zh, bar_en = f"得分 ≥ {rule.min_score:g}", f"scoring {rule.min_score:g} or more"
    what = getattr(rule, "label", None) or (
        TextValue(zh=f"标记为“{rule.tag}”的项目", en=f"items tagged '{rule.tag}'")
        if rule.tag
        else TextValue(zh="所列项目", en="the listed items")
    )
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
            zh=f"还需 {short} 项{bar_zh}，例如：{names_zh}",
            en=f"{short} more {bar_en}, for example: {names_en}",
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
        "levels": checked,
    }
