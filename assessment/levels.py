"""Maturity levels: which level's rules hold, and what blocks the next one."""

from __future__ import annotations

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
    Question,
    Questionnaire,
)
from .models.results import LevelCheck, LevelRef, QuestionResult, RuleCheck, ScoreCard
from .plan import Plan, Values


class _Facts:
    """What level rules read from a score card."""

    def __init__(self, card: ScoreCard, values: Values) -> None:
        self.card = card
        self.questions = {q.id: q for q in card.questions()}
        self.scores: dict[str, float | None] = {q.id: q.score for q in self.questions.values()}
        for dimension in card.dimensions:
            self.scores[dimension.id] = dimension.score
            for indicator in dimension.indicators:
                self.scores[indicator.id] = indicator.score
        self.values = values
        answered = {q.id for q in self.questions.values() if q.status in ("answered", "computed")}
        self.context = expr.Context(values.values, self.scores, frozenset(answered))

    def gain(self, question_id: str) -> float:
        """How many overall points the question could still add."""
        q = self.questions[question_id]
        return q.share * (100 - (q.score or 0.0)) if q.scored else 0.0

    def best_gains(self, under: str | None, limit: int = 5) -> list[str]:
        pool = [
            q
            for q in self.questions.values()
            if q.scored and under in (None, q.dimension, q.indicator) and self.gain(q.id) > 0.005
        ]
        pool.sort(key=lambda q: (-self.gain(q.id), q.id))
        return [q.id for q in pool[:limit]]


def _meets(item: Question, result: QuestionResult, rule: CountRule | MandatoryRule) -> bool:
    if rule.level is not None:
        value = result.value
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and (value >= rule.level)
        )
    return result.score is not None and result.score >= (rule.min_score or 0)


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
) -> RuleCheck:
    overall = facts.card.overall or 0.0
    if isinstance(rule, OverallScoreRule):
        short = rule.min - overall
        return RuleCheck.model_construct(
            rule=rule.rule,
            met=short <= 0,
            actual=round(overall, 2),
            required=rule.min,
            description=TextValue.model_construct(
                zh=f"总分 ≥ {rule.min:g}", en=f"overall score ≥ {rule.min:g}"
            ),
            unblock=None
            if short <= 0
            else TextValue.model_construct(
                zh=f"总分还需提高 {short:.1f} 分（{overall:.1f} → {rule.min:g}）",
                en=f"raise the overall score by {short:.1f} points ({overall:.1f} → {rule.min:g})",
            ),
            candidates=[] if short <= 0 else facts.best_gains(None),
        )
    if isinstance(rule, NodeScoreRule):
        actual = facts.scores.get(rule.node) or 0.0
        short = rule.min - actual
        name = _label(q, rule.node)
        return RuleCheck.model_construct(
            rule=rule.rule,
            met=short <= 0,
            actual=round(actual, 2),
            required=rule.min,
            description=TextValue.model_construct(
                zh=f"{name.zh}得分 ≥ {rule.min:g}", en=f"{name.en} score ≥ {rule.min:g}"
            ),
            unblock=None
            if short <= 0
            else TextValue.model_construct(
                zh=f"{name.zh}还需提高 {short:.1f} 分（{actual:.1f} → {rule.min:g}）",
                en=f"raise {name.en} by {short:.1f} points ({actual:.1f} → {rule.min:g})",
            ),
            candidates=[] if short <= 0 else facts.best_gains(rule.node),
        )
    if isinstance(rule, CountRule | MandatoryRule):
        return _item_rule(q, facts, rule)
    if isinstance(rule, ConditionRule):
        met = plan.rules[position].truth(facts.context) if position in plan.rules else False
        return RuleCheck.model_construct(
            rule=rule.rule,
            met=met,
            actual=float(met),
            required=1.0,
            description=rule.label,
            unblock=None if met else rule.label,
        )
    lower_met = sum(met_below)
    met = lower_met == len(met_below)
    return RuleCheck.model_construct(
        rule="lower_levels",
        met=met,
        actual=float(lower_met),
        required=float(len(met_below)),
        description=TextValue.model_construct(zh="满足所有较低等级", en="all lower levels met"),
        unblock=None
        if met
        else TextValue.model_construct(
            zh="先满足较低等级的全部条件", en="first meet every rule of the lower levels"
        ),
    )


def _item_rule(q: Questionnaire, facts: _Facts, rule: CountRule | MandatoryRule) -> RuleCheck:
    items = selected_items(q, rule)
    meeting = [i for i in items if _meets(i, facts.questions[i.id], rule)]
    missing = [i for i in items if i not in meeting]
    missing.sort(key=lambda i: (-(facts.questions[i.id].score or 0.0), i.id))
    if rule.level is not None:
        bar_zh, bar_en = f"达到 {rule.level} 级", f"at level {rule.level} or above"
    else:
        bar_zh, bar_en = f"得分 ≥ {rule.min_score:g}", f"scoring {rule.min_score:g} or more"
    what = getattr(rule, "label", None) or (
        TextValue.model_construct(zh=f"标记为“{rule.tag}”的项目", en=f"items tagged '{rule.tag}'")
        if rule.tag
        else TextValue.model_construct(zh="所列项目", en="the listed items")
    )
    if isinstance(rule, CountRule):
        need = rule.min_count
        description = TextValue.model_construct(
            zh=f"{what.zh}中至少 {need} 项{bar_zh}", en=f"at least {need} of {what.en} {bar_en}"
        )
    else:
        need = len(items)
        description = TextValue.model_construct(
            zh=f"{what.zh}全部{bar_zh}", en=f"all of {what.en} {bar_en}"
        )
    short = need - len(meeting)
    unblock = None
    if short > 0:
        names_zh = "、".join(i.text.zh for i in missing[:short])
        names_en = "; ".join(i.text.en for i in missing[:short])
        unblock = TextValue.model_construct(
            zh=f"还需 {short} 项{bar_zh}，例如：{names_zh}",
            en=f"{short} more {bar_en}, for example: {names_en}",
        )
    return RuleCheck.model_construct(
        rule=rule.rule,
        met=short <= 0,
        actual=float(len(meeting)),
        required=float(need),
        description=description,
        unblock=unblock,
        candidates=[i.id for i in missing],
    )


def _ref(level: Level, rank: int) -> LevelRef:
    return LevelRef.model_construct(id=level.id, name=level.name, rank=rank)


def rate(q: Questionnaire, plan: Plan, card: ScoreCard, values: Values) -> ScoreCard:
    """Fill in the level, every rule's outcome, and what blocks the next level."""
    facts = _Facts(card, values)
    checked: list[LevelCheck] = []
    for l_i, level in enumerate(q.levels):
        met_below = [c.met for c in checked]
        rules = [
            _check(q, plan, facts, rule, (l_i, r_i), met_below)
            for r_i, rule in enumerate(level.rules)
        ]
        checked.append(
            LevelCheck.model_construct(
                id=level.id,
                name=level.name,
                rank=l_i + 1,
                met=all(r.met for r in rules),
                rules=rules,
            )
        )
    reached = [c for c in checked if c.met]
    current = reached[-1] if reached else None
    rank = current.rank if current else 0
    following = checked[rank] if rank < len(checked) else None
    return card.model_copy(
        update={
            "level": _ref(q.levels[rank - 1], rank) if current else None,
            "next_level": _ref(q.levels[rank], rank + 1) if following else None,
            "blockers": [r for r in following.rules if not r.met] if following else [],
            "levels": checked,
        }
    )
