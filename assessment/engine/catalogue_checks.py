"""Checks on a scenario catalogue that its schema alone cannot make: ids, conditions, support."""

from __future__ import annotations

import re

from ..errors import N_, did_you_mean
from ..files.locator import Reporter
from ..models.catalogue import Catalogue
from ..models.questionnaire import Questionnaire
from .plan import parse_condition
from .service_kinds import load_kinds

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def check_catalogue(c: Catalogue, q: Questionnaire, report: Reporter) -> None:
    """Every problem of catalogue `c` against questionnaire `q`, reported as it is found."""
    ids = [s.id for s in c.scenarios]
    targets = {*q.node_map, *q.question_map}
    for s_i, scenario in enumerate(c.scenarios):
        loc = ("scenarios", s_i)
        if ids.count(scenario.id) > 1 and ids.index(scenario.id) != s_i:
            report(
                (*loc, "id"), "ID001", N_("the scenario id '%(id)s' is used twice", id=scenario.id)
            )
        parse_condition(
            scenario.trigger,
            (*loc, "trigger"),
            report,
            q,
            scores_allowed=True,
            rating_allowed=True,
        )
        if scenario.adopted_when is None:
            report(
                (*loc, "id"),
                "ADOPT001",
                N_("the scenario '%(id)s' has no adopted_when", id=scenario.id),
                N_(
                    "write what in a later quarter's answers shows it in place, "
                    'e.g. adopted_when: "warehouse_mgmt >= 3"'
                ),
            )
        else:
            parse_condition(
                scenario.adopted_when,
                (*loc, "adopted_when"),
                report,
                q,
                scores_allowed=True,
                rating_allowed=True,
            )
        for a_i, target in enumerate(scenario.addresses):
            if target not in targets:
                report(
                    (*loc, "addresses", a_i),
                    "REF001",
                    N_("'%(target)s' is not a dimension, indicator or question", target=target),
                    did_you_mean(target, targets),
                )
        for p_i, prereq in enumerate(scenario.prerequisites):
            if prereq not in ids:
                report(
                    (*loc, "prerequisites", p_i),
                    "REF001",
                    N_("there is no scenario '%(id)s'", id=prereq),
                    did_you_mean(prereq, ids),
                )
    _check_prerequisite_cycles(c, report)
    _check_support(c, ids, report)
    _check_budget(c, q, report)


def _check_budget(c: Catalogue, q: Questionnaire, report: Reporter) -> None:
    """The budget rule's expressions read only the questionnaire's answers, its texts name only
    what they can fill in, and its defaults by size run from the smallest firms up."""
    if c.budget is None:  # no plan then: the roadmap slots scenarios by rank
        return
    rule = c.budget
    for i, source in enumerate(rule.sources):
        loc = ("budget", "sources", i)
        parsed = parse_condition(source.value, (*loc, "value"), report, q, scores_allowed=False)
        if parsed is None:
            continue
        known = {*parsed.names, "value"}
        for name in sorted(set(PLACEHOLDER.findall(source.basis.zh + source.basis.en)) - known):
            report(
                (*loc, "basis"),
                "BUDGET001",
                N_(
                    "'{%(name)s}' in the basis is not read by the value '%(value)s'",
                    name=name,
                    value=source.value,
                ),
                N_("name {value} or an answer the value reads"),
            )
    for i, limit in enumerate(rule.limits):
        loc = ("budget", "limits", i)
        parse_condition(limit.when, (*loc, "when"), report, q, scores_allowed=False)
        if limit.min is not None and limit.max is not None and limit.max < limit.min:
            report((*loc, "max"), "BUDGET002", N_("max is below min"), N_("make max at least min"))
    for i, c_rule in enumerate(rule.capacity):
        where = ("budget", "capacity", i, "when")
        parse_condition(c_rule.when, where, report, q, scores_allowed=False)
    bounds = [d.max_employees for d in rule.by_size]
    ordered = all(b is not None for b in bounds[:-1]) and bounds[-1] is None
    ordered = ordered and bounds[:-1] == sorted(b for b in bounds[:-1] if b is not None)
    if not ordered:
        report(
            ("budget", "by_size"),
            "BUDGET003",
            N_(
                "by_size must run from the smallest firms up and end with a row "
                "without max_employees"
            ),
            N_("order the rows by max_employees and leave it out of the last"),
        )


def _check_support(c: Catalogue, ids: list[str], report: Reporter) -> None:
    kinds: dict[str, str] = {}
    known = [k.id for k in load_kinds()] if any(r.service_kind for r in c.support) else []
    for r_i, route in enumerate(c.support):
        kind = route.service_kind
        if kind is not None and kind not in known:
            listed = N_("the register's kinds: %(kinds)s", kinds=", ".join(known))
            guess = did_you_mean(kind, known)
            report(
                ("support", r_i, "service_kind"),
                "SUPPORT002",
                N_(
                    "the services register has no kind '%(kind)s': what the park gives under "
                    "this route would never lower a firm's costs",
                    kind=kind,
                ),
                N_("%(guess)s %(kinds)s", guess=guess, kinds=listed) if guess else listed,
            )
        elif kind is not None and kind in kinds:
            report(
                ("support", r_i, "service_kind"),
                "SUPPORT001",
                N_(
                    "the services register's kind '%(kind)s' is named by '%(route)s' already",
                    kind=kind,
                    route=kinds[kind],
                ),
                N_("name each register kind on one route only, so its amounts are counted once"),
            )
        elif kind is not None:
            kinds[kind] = route.id
        for s_i, scenario in enumerate(route.scenarios):
            if scenario not in ids:
                report(
                    ("support", r_i, "scenarios", s_i),
                    "REF001",
                    N_("there is no scenario '%(id)s'", id=scenario),
                    did_you_mean(scenario, ids),
                )


def _check_prerequisite_cycles(c: Catalogue, report: Reporter) -> None:
    graph = {s.id: list(s.prerequisites) for s in c.scenarios}
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph.get(node, []):
                if nxt == start:
                    report(
                        ("scenarios",),
                        "CYCLE001",
                        N_(
                            "prerequisites form a cycle: %(cycle)s",
                            cycle=" -> ".join([*trail, start]),
                        ),
                        N_("remove one prerequisite"),
                    )
                    return
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
