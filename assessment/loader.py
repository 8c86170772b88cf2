"""Reads questionnaires, catalogues and answer files, and reports every problem in them."""

from __future__ import annotations

import hashlib
import json
import os
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from . import checks, resources
from .answercheck import check_answers
from .collect.labels import canonical_answers, industry_id, number
from .errors import ProblemList, UsageError, ValidationFailed, did_you_mean
from .locator import Locator, Reporter
from .models.answers import AnswerSheet, Firm
from .models.catalogue import Catalogue
from .models.common import StrPath
from .models.questionnaire import Questionnaire
from .plan import Plan, build_plan, parse_condition
from .yamlio import read_yaml

Kind = Literal["questionnaire", "catalogue", "answers"]
M = TypeVar("M", bound=BaseModel)
_MODELS: dict[str, type[BaseModel]] = {
    "questionnaire": Questionnaire,
    "catalogue": Catalogue,
    "answers": AnswerSheet,
}


def kind_of(data: Any) -> Kind | None:
    """Tell a questionnaire, a catalogue and an answer file apart by their keys."""
    if not isinstance(data, dict):
        return None
    declared = data.get("kind")
    if declared in _MODELS:
        return declared  # type: ignore[no-any-return]
    if "dimensions" in data:
        return "questionnaire"
    if "scenarios" in data:
        return "catalogue"
    if "answers" in data or "firm" in data:
        return "answers"
    return None


def _all_keys(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    keys: set[str] = set(model.model_fields)
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            keys |= _all_keys(inner, seen)
    return keys


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_in(arg))
    for meta in getattr(annotation, "__metadata__", ()) or ():
        found.extend(_models_in(meta))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        found.extend(_models_in(origin))
    return found


def build_model(model: type[M], data: Any, locator: Locator, problems: ProblemList) -> M | None:
    """Validate data into a model; turn each pydantic error into a located problem."""
    if not isinstance(data, dict):
        problems.add(
            locator(()),
            "SCHEMA002",
            "the file must hold a mapping of keys to values",
            "start with 'id:' or see the examples",
        )
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        known = _all_keys(model)
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            kind, last = error["type"], loc[-1] if loc else ""
            if kind == "extra_forbidden":
                problems.add(
                    locator(loc),
                    "SCHEMA001",
                    f"unknown key '{last}'",
                    did_you_mean(str(last), known) or "remove it",
                )
            elif kind == "missing":
                # The full path: a file locates it at the parent key, a table at its cell.
                problems.add(
                    locator(loc), "SCHEMA003", f"the key '{last}' is missing", f"add '{last}:'"
                )
            elif loc[-2:] == ("firm", "credit_code") and kind == "value_error":
                problems.add(
                    locator(loc),
                    "FIRM001",
                    str(error["msg"]).replace("Value error, ", ""),
                    "copy the 18 characters from the business licence",
                )
            elif loc == ("period",):
                problems.add(
                    locator(loc),
                    "FIRM002",
                    f"the period {error.get('input')!r} is not a quarter",
                    "write it like 2026Q3",
                )
            else:
                where = ".".join(str(p) for p in loc) or "the file"
                message = str(error["msg"]).replace("Value error, ", "")
                problems.add(
                    locator(loc), "SCHEMA002", f"{where}: {message}", _hint_for(kind, error)
                )
        return None


def _hint_for(kind: str, error: Any) -> str:
    if kind.startswith("union_tag"):
        return "rule is one of overall_score, node_score, count, mandatory, lower_levels, condition"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"use one of {expected}" if expected else ""
    if kind == "string_pattern_mismatch":
        return "ids are lower-case letters, digits and '_', starting with a letter"
    if kind in ("bool_type", "bool_parsing"):
        return "write true or false"
    if kind in ("finite_number", "float_type", "int_type", "float_parsing", "int_parsing"):
        return "write a plain decimal number such as 2 or 0.5 (not true, 0x…, .nan or .inf)"
    return ""


def content_hash(model: BaseModel) -> str:
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def compile_questionnaire(
    q: Questionnaire, locator: Locator | None = None, problems: ProblemList | None = None
) -> Questionnaire:
    """Check a questionnaire and attach its compiled conditions; raise if anything is wrong."""
    own = problems is None
    report = Reporter(locator or Locator(f"<{q.id}>"), problems)
    checks.check_questionnaire(q, report)
    plan = build_plan(q, report)
    q.__pydantic_private__["_plan"] = plan  # type: ignore[index]
    q.__pydantic_private__["_content_hash"] = content_hash(q)  # type: ignore[index]
    if own:
        report.problems.raise_if_any()
    return q


# Answer sheets that passed the checks, so scoring need not repeat them: by id, with a weak
# reference that drops the entry when the sheet goes away (a mark on the model itself would make
# it compare unequal to the same sheet read back from a store).
_checked: dict[int, tuple[weakref.ref[AnswerSheet], str, bool]] = {}


def mark_checked(sheet: AnswerSheet, q: Questionnaire, partial: bool) -> None:
    """Remember that this very sheet passed the checks against this questionnaire."""
    key = id(sheet)
    _checked[key] = (weakref.ref(sheet, lambda _: _checked.pop(key, None)), q.content_hash, partial)


def checked_already(sheet: AnswerSheet, q: Questionnaire, partial: bool) -> bool:
    """True when `mark_checked` saw this sheet (a complete check also covers a partial one)."""
    mark = _checked.get(id(sheet))
    return (
        mark is not None
        and mark[0]() is sheet
        and mark[1] == q.content_hash
        and (partial or not mark[2])
    )


def plan_of(q: Questionnaire) -> Plan:
    plan = (q.__pydantic_private__ or {}).get("_plan")
    if plan is None:
        compile_questionnaire(q)
        plan = q.__pydantic_private__["_plan"]  # type: ignore[index]
    assert isinstance(plan, Plan)
    return plan


@dataclass(frozen=True)
class Checked:
    """What `check_file` found: the kind, the model when valid, and every problem."""

    path: Path
    kind: Kind | None
    model: BaseModel | None
    problems: ProblemList
    relabelled: tuple[str, ...] = ()
    """Answers given by label or typed loosely, which `dtm validate --fix` rewrites as ids."""


def check_file(
    path: StrPath,
    questionnaire: Questionnaire | None = None,
    *,
    partial: bool = False,
    expect: Kind | None = None,
) -> Checked:
    """Read any of the three file kinds and collect all its problems, raising nothing.

    `partial=True` accepts answer files with questions still unanswered (a draft); `expect`
    refuses a file of another kind before looking inside it (so an answer file named as its
    own questionnaire is one error, not an endless loop).
    """
    path = Path(path)
    problems = ProblemList()
    data = read_yaml(path, problems)
    locator = Locator(str(path), data)
    if problems:
        return Checked(path, None, None, problems)
    kind = kind_of(data)
    if kind is None:
        problems.add(
            locator(()),
            "FILE002",
            "this is not a questionnaire, scenario catalogue or answer file",
            "a questionnaire has 'dimensions:', a catalogue 'scenarios:', "
            "an answer file 'answers:'",
        )
        return Checked(path, None, None, problems)
    if expect is not None and kind != expect:
        problems.add(
            locator(()),
            "FILE002",
            f"this is {_KIND_NAMES[kind]}, not {_KIND_NAMES[expect]}",
            f"name {_KIND_NAMES[expect]} here",
        )
        return Checked(path, kind, None, problems)
    if kind == "answers":
        sheet, relabelled = check_answer_data(
            data, locator, problems, questionnaire, path, partial=partial
        )
        return Checked(path, kind, sheet, problems, relabelled)
    model = build_model(_MODELS[kind], data, locator, problems)
    if model is None:
        return Checked(path, kind, None, problems)
    if isinstance(model, Questionnaire):
        compile_questionnaire(model, locator, problems)
        model.__pydantic_private__["_source"] = str(path)  # type: ignore[index]
    elif isinstance(model, Catalogue):
        _check_catalogue(model, questionnaire, path, locator, problems)
    return Checked(path, kind, None if problems else model, problems)


def check_answer_data(
    data: Any,
    locator: Locator,
    problems: ProblemList,
    questionnaire: Questionnaire | None = None,
    path: Path | None = None,
    *,
    partial: bool = False,
) -> tuple[AnswerSheet | None, tuple[str, ...]]:
    """Build and check an answer sheet from plain data (a file, a workbook row, a form).

    Choices given by label and numbers typed loosely are read in their canonical form first;
    the second value names what was rewritten so. The sheet is None when anything is wrong.
    """
    read = canonical_sheet(data, locator, problems, questionnaire, path, partial=partial)
    if read.sheet is None or read.questionnaire is None:
        return None, read.relabelled
    q, sheet = read.questionnaire, read.sheet
    check_answers(q, plan_of(q), sheet, Reporter(locator, problems), partial=partial)
    if problems:
        return None, read.relabelled
    mark_checked(sheet, q, partial)
    return sheet, read.relabelled


@dataclass(frozen=True)
class CanonicalSheet:
    """An answer sheet with every label read as its id, before the answers are checked."""

    sheet: AnswerSheet | None
    questionnaire: Questionnaire | None
    relabelled: tuple[str, ...]


def canonical_sheet(
    data: Any,
    locator: Locator,
    problems: ProblemList,
    questionnaire: Questionnaire | None = None,
    path: Path | None = None,
    *,
    partial: bool = False,
) -> CanonicalSheet:
    """The answer sheet in `data`, its questionnaire, and which values were labels."""
    relabelled: list[str] = []
    firm = data.get("firm") if isinstance(data, dict) else None
    if isinstance(firm, dict) and "industry" in firm:
        industry = industry_id(firm["industry"])
        if industry != firm["industry"]:
            firm["industry"] = industry
            relabelled.append("firm.industry")
    for figure in ("employees", "revenue"):  # a table or form gives them as text: `１２０`
        if isinstance(firm, dict) and isinstance(firm.get(figure), str):
            typed = number(firm[figure])
            if typed is not None:
                firm[figure] = typed
                relabelled.append(f"firm.{figure}")
    sheet = build_model(AnswerSheet, data, locator, problems)
    header_ok = sheet is not None
    if sheet is None:
        # The header's problems are reported; check the answers too, in the same run.
        sheet = _with_stand_in_header(data, locator)
        if sheet is None:
            return CanonicalSheet(None, None, tuple(relabelled))
    where = path or Path(locator.path)
    q = questionnaire or _questionnaire_for(sheet, where, locator, problems)
    if q is None:
        return CanonicalSheet(sheet, None, tuple(relabelled))
    answers, changed = canonical_answers(q, sheet.answers)
    if changed:
        sheet = sheet.model_copy(update={"answers": answers})
        relabelled.extend(f"answers.{qid}" for qid in changed)
    if not header_ok:
        check_answers(q, plan_of(q), sheet, Reporter(locator, problems), partial=partial)
        return CanonicalSheet(None, None, tuple(relabelled))
    return CanonicalSheet(sheet, q, tuple(relabelled))


QUESTIONNAIRE_SUFFIXES = (".yaml", ".yml", ".json")
_KIND_NAMES = {
    "questionnaire": "a questionnaire",
    "catalogue": "a scenario catalogue",
    "answers": "an answer file",
}
_STAND_IN_FIRM: dict[str, Any] = {
    "name": "-",
    "credit_code": "91320594MA1A3K7R2A",
    "industry": "other",
    "employees": 1,
}
_STAND_IN: dict[str, Any] = {"period": "2026Q1", "assessor": "-", "assessed_on": "2026-01-01"}


def _with_stand_in_header(data: Any, locator: Locator) -> AnswerSheet | None:
    """The sheet with a valid stand-in header, so that its answers can be checked when the
    header is wrong; None when the answers or the questionnaire reference are wrong too."""
    if not isinstance(data, dict):
        return None
    raw = data.get("firm")
    firm_data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    firm = dict(_STAND_IN_FIRM)
    # The firm's own industry and size steer skip logic; keep them when they are sound.
    for key in ("industry", "employees"):
        candidate = {**_STAND_IN_FIRM, key: firm_data.get(key)}
        if build_model(Firm, candidate, locator, ProblemList()) is not None:
            firm[key] = firm_data.get(key)
    stand_in = {**data, **_STAND_IN, "firm": firm}
    return build_model(AnswerSheet, stand_in, locator, ProblemList())


_cache: dict[tuple[str, int, int], Questionnaire] = {}


def load_questionnaire(source: StrPath) -> Questionnaire:
    """A questionnaire from a file path or the id of a shipped one, checked and compiled."""
    path = _find(source, "questionnaire")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        _cache[key] = _expect(check_file(path, expect="questionnaire"), Questionnaire)
    return _cache[key]


_catalogues: dict[tuple[str, int, int, str], Catalogue] = {}


def load_catalogue(source: StrPath, questionnaire: Questionnaire | None = None) -> Catalogue:
    """A scenario catalogue from a path or shipped id, with its triggers checked."""
    path = _find(source, "catalogue")
    stat = path.stat()
    key = (
        str(path.resolve()),
        stat.st_mtime_ns,
        stat.st_size,
        questionnaire.content_hash if questionnaire else "",
    )
    if key not in _catalogues:
        _catalogues[key] = _expect(check_file(path, questionnaire, expect="catalogue"), Catalogue)
    return _catalogues[key]


def load_answers(
    path: StrPath, questionnaire: Questionnaire | None = None, *, partial: bool = False
) -> AnswerSheet:
    """An answer file, checked against its questionnaire (found from its `questionnaire` key)."""
    return _expect(check_file(Path(path), questionnaire, partial=partial), AnswerSheet)


def questionnaire_for(sheet: AnswerSheet, path: StrPath | None = None) -> Questionnaire:
    """The questionnaire an answer sheet names, by shipped id or by a path beside the file."""
    problems = ProblemList()
    found = _questionnaire_for(
        sheet, Path(path or "."), Locator(str(path or "<answers>")), problems
    )
    problems.raise_if_any()
    assert found is not None
    return found


def _questionnaire_for(
    sheet: AnswerSheet, path: Path, locator: Locator, problems: ProblemList
) -> Questionnaire | None:
    ref = sheet.questionnaire
    target: str | Path | None = ref.id
    if ref.path is not None:
        if (
            Path(ref.path).is_absolute()
            or Path(ref.path).suffix.lower() not in QUESTIONNAIRE_SUFFIXES
        ):
            problems.add(
                locator(("questionnaire", "path")),
                "REF001",
                f"'{ref.path}' is not a questionnaire file beside the answers",
                "write a relative path to a .yaml file, or the id of a shipped questionnaire",
            )
            return None
        target = path.parent / ref.path
    assert target is not None
    try:
        return load_questionnaire(target)
    except UsageError as exc:
        problems.add(
            locator(("questionnaire",)),
            "REF001",
            str(exc),
            "give the questionnaire with --questionnaire",
        )
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    return None


def _find(source: StrPath, what: str) -> Path:
    if isinstance(source, os.PathLike) or any(c in str(source) for c in "/\\."):
        path = Path(source)
        if not path.exists():
            raise UsageError(f"{path}: no such {what} file")
        if not path.is_file():
            raise UsageError(f"{path}: not a regular file; name a {what} file")
        return path
    shipped = resources.shipped_file(str(source))
    if shipped is None:
        known = resources.shipped_ids()
        hint = did_you_mean(str(source), known) or "shipped: " + ", ".join(known)
        raise UsageError(f"there is no shipped {what} '{source}' ({hint})")
    return shipped


def _expect(checked: Checked, model: type[M]) -> M:
    if checked.problems:
        raise ValidationFailed(checked.problems.problems)
    if not isinstance(checked.model, model):
        kind = checked.kind or "unknown"
        raise UsageError(f"{checked.path}: this is a {kind} file, not a {model.__name__.lower()}")
    return checked.model


def _check_catalogue(
    c: Catalogue,
    questionnaire: Questionnaire | None,
    path: Path,
    locator: Locator,
    problems: ProblemList,
) -> None:
    report = Reporter(locator, problems)
    q = questionnaire
    if q is None:
        try:
            q = load_questionnaire(c.questionnaire)
        except (UsageError, ValidationFailed) as exc:
            report(
                ("questionnaire",),
                "REF001",
                f"the catalogue's questionnaire cannot be loaded: {str(exc).splitlines()[0]}",
            )
            return
    ids = [s.id for s in c.scenarios]
    targets = {*q.node_map, *q.question_map}
    for s_i, scenario in enumerate(c.scenarios):
        loc = ("scenarios", s_i)
        if ids.count(scenario.id) > 1 and ids.index(scenario.id) != s_i:
            report((*loc, "id"), "ID001", f"the scenario id '{scenario.id}' is used twice")
        parse_condition(
            scenario.trigger,
            (*loc, "trigger"),
            report,
            q,
            scores_allowed=True,
            rating_allowed=True,
        )
        if scenario.adopted_when is not None:
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
                    f"'{target}' is not a dimension, indicator or question",
                    did_you_mean(target, targets),
                )
        for p_i, prereq in enumerate(scenario.prerequisites):
            if prereq not in ids:
                report(
                    (*loc, "prerequisites", p_i),
                    "REF001",
                    f"there is no scenario '{prereq}'",
                    did_you_mean(prereq, ids),
                )
    _check_prerequisite_cycles(c, report)
    _check_support(c, ids, report)


def _check_support(c: Catalogue, ids: list[str], report: Reporter) -> None:
    for r_i, route in enumerate(c.support):
        for s_i, scenario in enumerate(route.scenarios):
            if scenario not in ids:
                report(
                    ("support", r_i, "scenarios", s_i),
                    "REF001",
                    f"there is no scenario '{scenario}'",
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
                        "prerequisites form a cycle: " + " -> ".join([*trail, start]),
                        "remove one prerequisite",
                    )
                    return
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
