"""Checks on a questionnaire that its schema alone cannot make: ids, weights, scales, levels."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from ..errors import N_, did_you_mean
from ..files.locator import KeyPath, Reporter
from ..models.questionnaire import (
    CHOICE_TYPES,
    NUMERIC_TYPES,
    CountRule,
    Interpretation,
    Level,
    MandatoryRule,
    Question,
    Questionnaire,
)
from .plan import RESERVED

# The keys each question type uses; any other type-specific key is a mistake.
_TYPE_KEYS: dict[str, set[str]] = {
    "single": {"scale", "choices"},
    "multi": {"scale", "choices", "max"},
    "number": {"bands", "map", "min", "max", "unit", "compute"},
    "percent": {"bands", "map", "unit", "compute"},
    "yesno": {"points"},
    "ordinal": {"max_level", "descriptors"},
    "text": set(),
}
_SPECIFIC = set().union(*_TYPE_KEYS.values())


def check_questionnaire(q: Questionnaire, report: Reporter) -> None:
    _check_ids(q, report)
    for d_i, dimension in enumerate(q.dimensions):
        _weight(dimension.weight, ("dimensions", d_i, "weight"), report)
        if not dimension.scored and "weight" in dimension.model_fields_set:
            report(
                ("dimensions", d_i, "weight"),
                "SCHEMA001",
                N_("'weight' is not used by a dimension with 'scored: false'"),
                N_("remove it: such a dimension carries no share of the overall score"),
            )
        _interpretation(dimension.interpretation, ("dimensions", d_i, "interpretation"), report)
        for i_i, indicator in enumerate(dimension.indicators):
            base: KeyPath = ("dimensions", d_i, "indicators", i_i)
            _weight(indicator.weight, (*base, "weight"), report)
            _interpretation(indicator.interpretation, (*base, "interpretation"), report)
            for q_i, question in enumerate(indicator.questions):
                _check_question(q, question, (*base, "questions", q_i), report)
    if q.dimensions and not any(d.scored for d in q.dimensions):
        report(
            ("dimensions",),
            "WEIGHT001",
            N_("every dimension has 'scored: false', so there is no overall score"),
            N_("let at least one dimension count towards the overall score"),
        )
    _check_levels(q, report)


def _check_ids(q: Questionnaire, report: Reporter) -> None:
    seen: dict[str, str] = {}

    def claim(node_id: str, loc: KeyPath, what: str) -> None:
        if node_id in seen:
            report(
                (*loc, "id"),
                "ID001",
                N_("the id '%(id)s' is already used by a %(kind)s", id=node_id, kind=seen[node_id]),
                N_("every dimension, indicator, question and computed value needs its own id"),
            )
        elif node_id in RESERVED:
            report(
                (*loc, "id"),
                "ID002",
                N_("'%(id)s' is a reserved word in conditions", id=node_id),
                N_("choose another id"),
            )
        seen.setdefault(node_id, what)

    for d_i, dimension in enumerate(q.dimensions):
        claim(dimension.id, ("dimensions", d_i), N_("dimension"))
        for i_i, indicator in enumerate(dimension.indicators):
            claim(indicator.id, ("dimensions", d_i, "indicators", i_i), N_("indicator"))
            for q_i, question in enumerate(indicator.questions):
                claim(
                    question.id,
                    ("dimensions", d_i, "indicators", i_i, "questions", q_i),
                    N_("question"),
                )
    for c_i, item in enumerate(q.computed):
        claim(item.id, ("computed", c_i), N_("computed value"))
    levels: set[str] = set()
    for l_i, level in enumerate(q.levels):
        if level.id in levels:
            report(
                ("levels", l_i, "id"),
                "ID001",
                N_("the level id '%(id)s' is used twice", id=level.id),
            )
        levels.add(level.id)


def _weight(weight: float, loc: KeyPath, report: Reporter) -> None:
    if weight <= 0:
        report(
            loc,
            "WEIGHT001",
            N_("the weight is %(weight)s", weight=f"{weight:g}"),
            N_("weights must be greater than 0; remove the item instead of weighting it 0"),
        )


def _interpretation(bands: Sequence[Interpretation], loc: KeyPath, report: Reporter) -> None:
    if not bands:
        return
    ordered = sorted(bands, key=lambda b: b.min)
    edge = 0.0
    for band in ordered:
        if band.max <= band.min:
            report(
                loc,
                "BAND001",
                N_("the band %(min)s–%(max)s is empty", min=f"{band.min:g}", max=f"{band.max:g}"),
                N_("max must be greater than min"),
            )
            return
        if band.min != edge:
            report(
                loc,
                "BAND001",
                N_("interpretation bands overlap at %(edge)s", edge=f"{edge:g}")
                if band.min < edge
                else N_("interpretation bands leave a gap at %(edge)s", edge=f"{edge:g}"),
                N_("bands must run from 0 to 100 without gaps or overlaps"),
            )
            return
        edge = band.max
    if edge != 100:
        report(
            loc,
            "BAND001",
            N_("interpretation bands stop at %(edge)s", edge=f"{edge:g}"),
            N_("the last band ends at 100"),
        )


def _check_question(q: Questionnaire, question: Question, loc: KeyPath, report: Reporter) -> None:
    given = {k for k in question.model_fields_set if k in _SPECIFIC}
    for key in sorted(given - _TYPE_KEYS[question.type]):
        report(
            (*loc, key),
            "SCHEMA001",
            N_("'%(key)s' is not used by a %(type)s question", key=key, type=question.type),
            N_("remove it, or change the question's type"),
        )
    if question.scored:
        _weight(question.weight, (*loc, "weight"), report)
    if question.type in CHOICE_TYPES:
        _check_choices(q, question, loc, report)
    elif question.type in NUMERIC_TYPES:
        _check_numeric(question, loc, report)
    elif question.type == "ordinal" and question.descriptors:
        levels = [d.level for d in question.descriptors]
        if len(set(levels)) != len(levels) or max(levels) > question.max_level:
            report(
                (*loc, "descriptors"),
                "SCALE001",
                N_(
                    "descriptor levels must be distinct and within 0–%(top)s",
                    top=question.max_level,
                ),
            )
    elif (
        question.type == "yesno"
        and question.points is not None
        and max(question.points.values(), default=0) <= 0
    ):
        report((*loc, "points"), "SCALE001", N_("neither yes nor no scores any points"))
    if question.mandatory and not question.scored:
        report((*loc, "mandatory"), "SCALE001", N_("an unscored question cannot be mandatory"))


def _check_choices(q: Questionnaire, question: Question, loc: KeyPath, report: Reporter) -> None:
    if (question.scale is None) == (question.choices is None):
        report(
            loc,
            "SCHEMA003",
            N_("question '%(qid)s' needs either 'scale' or 'choices'", qid=question.id),
        )
        return
    if question.scale is not None:
        scale = q.scales.get(question.scale)
        if scale is None:
            report(
                (*loc, "scale"),
                "REF001",
                N_("there is no scale '%(scale)s'", scale=question.scale),
                did_you_mean(question.scale, q.scales) or N_("define it under 'scales:'"),
            )
            return
        if scale.type != question.type:
            report(
                (*loc, "scale"),
                "REF002",
                N_(
                    "scale '%(scale)s' is for %(kind)s questions, not %(type)s",
                    scale=question.scale,
                    kind=scale.type,
                    type=question.type,
                ),
            )
    choices = q.choices_of(question)
    where: KeyPath = (
        (*loc, "choices") if question.choices is not None else ("scales", question.scale or "")
    )
    ids = [c.id for c in choices]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        report(where, "ID001", N_("the choice '%(id)s' appears twice", id=dup))
    if any(c.points < 0 for c in choices):
        report(
            where, "SCALE001", N_("a choice has negative points"), N_("use 0 for the worst choice")
        )
    if not choices or max(c.points for c in choices) <= 0:
        report(
            where,
            "SCALE001",
            N_("no choice scores any points"),
            N_("give the best choice the most points"),
        )
    exclusive = [c.id for c in choices if c.exclusive]
    if exclusive and question.type == "single":
        report(where, "SCALE001", N_("'exclusive' only makes sense in a multi question"))
    if len(exclusive) > 1:
        report(where, "SCALE001", N_("only one choice can be exclusive"))


def _check_numeric(question: Question, loc: KeyPath, report: Reporter) -> None:
    if question.bands and question.map:
        report(loc, "SCHEMA001", N_("give either 'bands' or 'map', not both"))
    if question.min is not None and question.max is not None and question.min >= question.max:
        report((*loc, "max"), "SCALE001", N_("'max' must be greater than 'min'"))
    if question.bands:
        edge = question.bands[0].min
        for band in question.bands:
            if band.min != edge or band.max <= band.min:
                report(
                    (*loc, "bands"),
                    "BAND001",
                    N_(
                        "bands must follow on without gaps or overlaps (at %(edge)s)",
                        edge=f"{edge:g}",
                    ),
                    N_("each band's min is the previous band's max"),
                )
                break
            edge = band.max
        if max(b.points for b in question.bands) <= 0 or min(b.points for b in question.bands) < 0:
            report((*loc, "bands"), "SCALE001", N_("band points must be ≥ 0 and some must be > 0"))
    if question.map:
        xs = [x for x, _ in question.map]
        if len(xs) < 2 or any(b <= a for a, b in itertools.pairwise(xs)):
            report(
                (*loc, "map"), "SCALE001", N_("map needs two or more points, raw values ascending")
            )
        if max(y for _, y in question.map) <= 0 or min(y for _, y in question.map) < 0:
            report((*loc, "map"), "SCALE001", N_("map points must be ≥ 0 and some must be > 0"))


def selected_items(q: Questionnaire, rule: CountRule | MandatoryRule) -> list[Question]:
    if rule.items is not None:
        return [q.question_map[i] for i in rule.items if i in q.question_map]
    return list(q.tagged(rule.tag)) if rule.tag else []


def _check_levels(q: Questionnaire, report: Reporter) -> None:
    for l_i, level in enumerate(q.levels):
        for r_i, rule in enumerate(level.rules):
            loc: KeyPath = ("levels", l_i, "rules", r_i)
            if rule.rule == "overall_score" and not 0 <= rule.min <= 100:
                report(
                    (*loc, "min"),
                    "LEVEL001",
                    N_("an overall score of %(min)s cannot be reached", min=f"{rule.min:g}"),
                    N_("scores run from 0 to 100"),
                )
            elif rule.rule == "node_score":
                if rule.node not in q.node_map:
                    report(
                        (*loc, "node"),
                        "REF001",
                        N_("there is no dimension or indicator '%(node)s'", node=rule.node),
                        did_you_mean(rule.node, q.node_map),
                    )
                if not 0 <= rule.min <= 100:
                    report(
                        (*loc, "min"),
                        "LEVEL001",
                        N_("a score of %(min)s cannot be reached", min=f"{rule.min:g}"),
                    )
            elif rule.rule in ("count", "mandatory"):
                _check_item_rule(q, rule, loc, report)
            elif rule.rule == "lower_levels" and l_i == 0:
                report(
                    loc,
                    "LEVEL001",
                    N_("the lowest level has no lower levels"),
                    N_("remove this rule from the first level"),
                )
    for l_i in range(1, len(q.levels)):
        lower, higher = q.levels[l_i - 1], q.levels[l_i]
        if _implies(lower, higher):
            report(
                ("levels", l_i),
                "LEVEL002",
                N_(
                    "level '%(higher)s' asks no more than level '%(lower)s' below it, "
                    "so '%(lower)s' can never be the result",
                    higher=higher.id,
                    lower=lower.id,
                ),
                N_("make the higher level's thresholds stricter; levels go from lowest to highest"),
            )


def _check_item_rule(
    q: Questionnaire, rule: CountRule | MandatoryRule, loc: KeyPath, report: Reporter
) -> None:
    if (rule.items is None) == (rule.tag is None):
        report(loc, "SCHEMA003", N_("give either 'items' or 'tag'"))
        return
    for i_i, item_id in enumerate(rule.items or []):
        if item_id not in q.question_map:
            report(
                (*loc, "items", i_i),
                "REF001",
                N_("there is no question '%(qid)s'", qid=item_id),
                did_you_mean(item_id, q.question_map),
            )
    items = selected_items(q, rule)
    if rule.tag is not None and not items:
        report((*loc, "tag"), "REF001", N_("no question has the tag '%(tag)s'", tag=rule.tag))
    if (rule.level is None) == (rule.min_score is None):
        report(loc, "SCHEMA003", N_("give either 'level' (ordinal items) or 'min_score' (0–100)"))
    elif rule.level is not None:
        for item in items:
            if item.type != "ordinal":
                report(
                    loc,
                    "REF002",
                    N_(
                        "'level' needs ordinal questions; '%(qid)s' is %(type)s",
                        qid=item.id,
                        type=item.type,
                    ),
                    N_("use 'min_score' for other questions"),
                )
            elif rule.level > item.max_level:
                report(
                    loc,
                    "LEVEL001",
                    N_("'%(qid)s' never reaches level %(level)s", qid=item.id, level=rule.level),
                )
    elif rule.min_score is not None and not 0 <= rule.min_score <= 100:
        report(
            (*loc, "min_score"),
            "LEVEL001",
            N_("a score of %(min)s cannot be reached", min=f"{rule.min_score:g}"),
        )
    if isinstance(rule, CountRule) and items and rule.min_count > len(items):
        report(
            (*loc, "min_count"),
            "LEVEL001",
            N_(
                "%(needed)s items are needed but only %(listed)s is listed",
                needed=rule.min_count,
                listed=len(items),
            )
            if len(items) == 1
            else N_(
                "%(needed)s items are needed but only %(listed)s are listed",
                needed=rule.min_count,
                listed=len(items),
            ),
        )


def _rule_key(rule: object) -> tuple[object, ...] | None:
    if isinstance(rule, CountRule):
        return ("count", tuple(rule.items or ()), rule.tag, rule.level, rule.min_score)
    kind = getattr(rule, "rule", None)
    if kind == "overall_score":
        return ("overall",)
    if kind == "node_score":
        return ("node", getattr(rule, "node", None))
    return None


def _threshold(rule: object) -> float:
    return float(rule.min_count if isinstance(rule, CountRule) else getattr(rule, "min", 0))


def _implies(lower: Level, higher: Level) -> bool:
    """True when meeting `lower`'s rules always meets `higher`'s (so `lower` is never final)."""
    if any(r.rule in ("mandatory", "condition") for r in higher.rules):
        return False
    demands = [r for r in higher.rules if r.rule != "lower_levels"]
    if not demands:
        return True
    lower_by_key = {_rule_key(r): _threshold(r) for r in lower.rules if _rule_key(r)}
    return all(
        _rule_key(r) in lower_by_key and lower_by_key[_rule_key(r)] >= _threshold(r)
        for r in demands
    )
