"""Compiles a questionnaire's conditions once, and works out each answer's value from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import N_, did_you_mean
from ..files.locator import KeyPath, Reporter
from ..models.answers import NOT_APPLICABLE, UNKNOWN, Answer
from ..models.questionnaire import CHOICE_TYPES, Question, Questionnaire
from . import expr

FIRM_NAMES = ("industry", "employees", "revenue")
# Known only once the firm is rated, so only scenario triggers can read them.
RATING_NAMES = ("level", "next_level")
RESERVED = {
    *FIRM_NAMES,
    *RATING_NAMES,
    *expr.REFERENCE_FUNCTIONS,
    *expr.VALUE_FUNCTIONS,
    *expr.KEYWORDS,
}


@dataclass
class Plan:
    """Parsed conditions and the order in which values can be worked out."""

    when: dict[str, expr.Expression] = field(default_factory=dict)
    compute: dict[str, expr.Expression] = field(default_factory=dict)
    computed: dict[str, expr.Expression] = field(default_factory=dict)
    rules: dict[tuple[int, int], expr.Expression] = field(default_factory=dict)
    eligibility: dict[tuple[int, int], expr.Expression] = field(default_factory=dict)
    recognition: dict[tuple[int, int], expr.Expression] = field(default_factory=dict)
    willing: expr.Expression | None = None
    order: list[str] = field(default_factory=list)
    max_points: dict[str, float] = field(default_factory=dict)  # filled as questions are scored


def names_in_scope(questionnaire: Questionnaire) -> set[str]:
    return {*questionnaire.question_map, *(c.id for c in questionnaire.computed), *FIRM_NAMES}


def parse_condition(
    text: str,
    loc: KeyPath,
    report: Reporter,
    questionnaire: Questionnaire,
    *,
    scores_allowed: bool,
    rating_allowed: bool = False,
) -> expr.Expression | None:
    """Parse one condition and check every id in it; report problems, return None if any."""
    try:
        parsed = expr.parse(text)
    except expr.ExprError as exc:
        found = (
            N_(
                "%(problem)s at column %(column)s of '%(text)s'",
                problem=exc.message,
                column=exc.column,
                text=_short(text),
            )
            if exc.column
            else N_("%(problem)s of '%(text)s'", problem=exc.message, text=_short(text))
        )
        report(loc, exc.code, found, exc.hint)
        return None
    ok = True
    scope = names_in_scope(questionnaire) | (set(RATING_NAMES) if rating_allowed else set())
    for name in sorted(parsed.names - scope):
        hint = did_you_mean(name, scope) or N_("name a question, a computed value, or industry")
        report(
            loc,
            "REF001",
            N_(
                "'%(name)s' in '%(text)s' is not a question or computed value",
                name=name,
                text=_short(text),
            ),
            hint,
        )
        ok = False
    targets = {*questionnaire.node_map, *questionnaire.question_map}
    for name in sorted(parsed.references - targets):
        report(
            loc,
            "REF001",
            N_(
                "'%(name)s' in '%(text)s' is not a dimension, indicator or question",
                name=name,
                text=_short(text),
            ),
            did_you_mean(name, targets),
        )
        ok = False
    if parsed.uses_scores and not scores_allowed:
        report(
            loc,
            "EXPR004",
            N_("score() cannot be used in '%(text)s'", text=_short(text)),
            N_("scores exist only after scoring; use it in level rules and scenario triggers"),
        )
        ok = False
    ok = _check_choice_literals(parsed, loc, report, questionnaire) and ok
    return parsed if ok else None


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _choice_question(node: expr.Node, questionnaire: Questionnaire) -> Question | None:
    if node.kind != "name":
        return None
    question = questionnaire.question_map.get(node.value)
    return question if question is not None and question.type in CHOICE_TYPES else None


def _strings(node: expr.Node) -> list[expr.Node]:
    if node.kind == "str":
        return [node]
    return [c for c in node.children if c.kind == "str"] if node.kind == "list" else []


def _check_choice_literals(
    parsed: expr.Expression, loc: KeyPath, report: Reporter, questionnaire: Questionnaire
) -> bool:
    """A string compared with, or tested `in`, a choice question must be one of its choices."""
    ok = True
    for node in parsed.tree.walk():
        if node.kind != "compare":
            continue
        left, right = node.children
        pairs = [(left, right), (right, left)]
        if node.value in ("in", "not in"):  # 'a' in multi_q, or single_q in ['a', 'b']
            pairs = [(right, left), (left, right)]
        for name_node, literal in pairs:
            question = _choice_question(name_node, questionnaire)
            if question is None:
                continue
            choices = [c.id for c in questionnaire.choices_of(question)]
            for item in _strings(literal):
                if item.value not in choices:
                    hint = did_you_mean(item.value, choices) or N_(
                        "choices: %(choices)s",
                        choices=", ".join(choices),
                        labels="、".join(f"'{c}'" for c in choices),
                    )
                    report(
                        loc,
                        "REF001",
                        N_(
                            "'%(item)s' is not a choice of question '%(qid)s'",
                            item=item.value,
                            qid=question.id,
                        ),
                        hint,
                    )
                    ok = False
    return ok


def build_plan(questionnaire: Questionnaire, report: Reporter) -> Plan:
    plan = Plan()
    deps: dict[str, set[str]] = {}
    where: dict[str, KeyPath] = {}
    for d_i, dimension in enumerate(questionnaire.dimensions):
        for i_i, indicator in enumerate(dimension.indicators):
            for q_i, question in enumerate(indicator.questions):
                base: KeyPath = ("dimensions", d_i, "indicators", i_i, "questions", q_i)
                deps[question.id] = set()
                for key, target in (("when", plan.when), ("compute", plan.compute)):
                    text = getattr(question, key)
                    if text is None:
                        continue
                    parsed = parse_condition(
                        text, (*base, key), report, questionnaire, scores_allowed=False
                    )
                    where.setdefault(question.id, (*base, key))
                    if parsed is not None:
                        target[question.id] = parsed
                        deps[question.id] |= parsed.names | parsed.references
    for c_i, item in enumerate(questionnaire.computed):
        parsed = parse_condition(
            item.expr, ("computed", c_i, "expr"), report, questionnaire, scores_allowed=False
        )
        deps[item.id] = set()
        where[item.id] = ("computed", c_i, "expr")
        if parsed is not None:
            plan.computed[item.id] = parsed
            deps[item.id] = parsed.names | parsed.references
    for l_i, level in enumerate(questionnaire.levels):
        for r_i, rule in enumerate(level.rules):
            if rule.rule == "condition":
                parsed = parse_condition(
                    rule.expr,
                    ("levels", l_i, "rules", r_i, "expr"),
                    report,
                    questionnaire,
                    scores_allowed=True,
                )
                if parsed is not None:
                    plan.rules[(l_i, r_i)] = parsed
    for t_i, tier in enumerate(questionnaire.demonstration):
        for r_i, need in enumerate(tier.rules):
            parsed = parse_condition(
                need.when,
                ("demonstration", t_i, "rules", r_i, "when"),
                report,
                questionnaire,
                scores_allowed=True,
                rating_allowed=True,
            )
            if parsed is not None:
                plan.eligibility[(t_i, r_i)] = parsed
    seen: set[str] = set()
    for g_i, honour in enumerate(questionnaire.recognition):
        if honour.id in seen:
            report(
                ("recognition", g_i, "id"),
                "ID001",
                N_("the recognition id '%(id)s' is used twice", id=honour.id),
            )
        seen.add(honour.id)
        for r_i, need in enumerate(honour.rules):
            parsed = parse_condition(
                need.when,
                ("recognition", g_i, "rules", r_i, "when"),
                report,
                questionnaire,
                scores_allowed=True,
                rating_allowed=True,
            )
            if parsed is not None:
                plan.recognition[(g_i, r_i)] = parsed
    if questionnaire.willing is not None:
        plan.willing = parse_condition(
            questionnaire.willing.when,
            ("willing", "when"),
            report,
            questionnaire,
            scores_allowed=True,
        )
    plan.order = _order(deps, where, report)
    return plan


def _order(deps: dict[str, set[str]], where: dict[str, KeyPath], report: Reporter) -> list[str]:
    """Depth-first topological order; a cycle is reported once with its path."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = [*trail[trail.index(name) :], name]
            report(
                where.get(name, ()),
                "CYCLE001",
                N_("values depend on each other in a cycle: %(cycle)s", cycle=" -> ".join(cycle)),
                N_("break the cycle by removing one of the references"),
            )
            return
        state[name] = 1
        for dep in sorted(deps.get(name, ())):
            if dep in deps:
                visit(dep, [*trail, name])
        state[name] = 2
        order.append(name)

    for name in deps:
        visit(name, [])
    return order


def raw_value(question: Question, answer: Answer | None) -> Any:
    """The value a condition sees for a typed answer; None for n/a, unknown and no answer."""
    if answer is None:
        return None
    value = answer.value
    if value in (NOT_APPLICABLE, UNKNOWN) or value is None:
        return None
    kind = question.type
    if kind == "multi":
        return tuple(value) if isinstance(value, list) else (value,)
    if kind == "yesno":
        return value in ("yes", True)
    if kind in ("number", "percent", "ordinal"):
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )
    return value if isinstance(value, str) else str(value)


@dataclass
class Values:
    """Every question's and computed value's value, and which questions are shown."""

    values: dict[str, Any]
    shown: dict[str, bool]
    computed_by_hand: dict[str, Any]


def work_out(
    questionnaire: Questionnaire,
    plan: Plan,
    answers: Mapping[str, Answer],
    firm: Mapping[str, Any],
) -> Values:
    values: dict[str, Any] = {name: firm.get(name) for name in FIRM_NAMES}
    shown: dict[str, bool] = {}
    by_hand: dict[str, Any] = {}
    context = expr.Context(values)
    questions = questionnaire.question_map
    for name in plan.order:
        question = questions.get(name)
        if question is None:
            parsed = plan.computed.get(name)
            values[name] = parsed.evaluate(context) if parsed is not None else None
            continue
        condition = plan.when.get(name)
        shown[name] = condition.truth(context) if condition is not None else True
        if not shown[name]:
            values[name] = None
        elif name in plan.compute:
            values[name] = plan.compute[name].evaluate(context)
            if name in answers:
                by_hand[name] = raw_value(question, answers[name])
        else:
            values[name] = raw_value(question, answers.get(name))
    return Values(values, shown, by_hand)
