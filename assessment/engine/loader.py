"""Reads questionnaires, catalogues and answer files, and reports every problem in them."""

from __future__ import annotations

import hashlib
import json
import os
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .. import resources
from ..errors import (
    N_,
    Message,
    NoSuchFile,
    ProblemList,
    UsageError,
    ValidationFailed,
    did_you_mean,
)
from ..files.locator import Locator, Reporter
from ..files.yamlio import read_yaml
from ..models.answers import Answer, AnswerInput, AnswerSheet, Firm
from ..models.catalogue import Catalogue
from ..models.common import Model, StrPath
from ..models.questionnaire import Questionnaire
from . import checks
from .answercheck import check_answers
from .build import MODELS, Kind, M, build_model, kind_of
from .catalogue_checks import check_catalogue
from .labels import canonical_answers, industry_id, number
from .plan import Plan, build_plan


def content_hash(model: BaseModel) -> str:
    canonical = json.dumps(model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def compile_questionnaire(q: Questionnaire) -> Questionnaire:
    """Check a questionnaire built in memory (`Questionnaire.model_validate(data)`) and attach
    its compiled conditions, so it can score; raise `ValidationFailed` listing every problem."""
    report = Reporter(Locator(f"<{q.id}>"), None)
    _compile(q, report)
    report.problems.raise_if_any()
    return q


def _compile(q: Questionnaire, report: Reporter) -> None:
    checks.check_questionnaire(q, report)
    plan = build_plan(q, report)
    q.__pydantic_private__["_plan"] = plan  # type: ignore[index]
    q.__pydantic_private__["_content_hash"] = content_hash(q)  # type: ignore[index]


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
            N_("this is not a questionnaire, scenario catalogue or answer file"),
            N_(
                "a questionnaire has 'dimensions:', a catalogue 'scenarios:', "
                "an answer file 'answers:'"
            ),
        )
        return Checked(path, None, None, problems)
    if expect is not None and kind != expect:
        problems.add(
            locator(()),
            "FILE002",
            N_(
                "this is %(kind)s, not %(expected)s",
                kind=_KIND_NAMES[kind],
                expected=_KIND_NAMES[expect],
            ),
            N_("name %(expected)s here", expected=_KIND_NAMES[expect]),
        )
        return Checked(path, kind, None, problems)
    if kind == "answers":
        sheet, relabelled = check_answer_data(
            data, locator, problems, questionnaire, path, partial=partial
        )
        return Checked(path, kind, sheet, problems, relabelled)
    model = build_model(MODELS[kind], data, locator, problems)
    if model is None:
        return Checked(path, kind, None, problems)
    if isinstance(model, Questionnaire):
        _compile(model, Reporter(locator, problems))
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
    report = Reporter(locator, problems)
    check_answers(q, plan_of(q), sheet, report, partial=partial, unreadable=read.unreadable)
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
    unreadable: frozenset[str] = frozenset()  # answers reported already: no value could be read


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
    data, unreadable = _without_unreadable_answers(data, locator, problems)
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
    report = Reporter(locator, problems)
    if not header_ok:
        check_answers(q, plan_of(q), sheet, report, partial=partial, unreadable=unreadable)
        return CanonicalSheet(None, None, tuple(relabelled))
    return CanonicalSheet(sheet, q, tuple(relabelled), unreadable)


def _without_unreadable_answers(
    data: Any, locator: Locator, problems: ProblemList
) -> tuple[Any, frozenset[str]]:
    """The data without the answers that cannot be read as an answer, each reported once in
    our words, so that the other answers are still checked in the same run.

    Such an answer holds a value no question takes (`[[1]]`, a mapping of its own keys such as
    `{a: 1}` where a value is expected), or a note or evidence of the wrong kind (`note: [1]`),
    or another mistake inside it (an unknown key beside `value:`, a note too long)."""
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        return data, frozenset()
    unreadable = set()
    for qid, raw in answers.items():
        errors = _answer_errors(raw)
        if errors:
            unreadable.add(qid)
            _report_unreadable(qid, raw, errors, locator, problems)
    if not unreadable:
        return data, frozenset()
    kept = {qid: raw for qid, raw in answers.items() if qid not in unreadable}
    return {**data, "answers": kept}, frozenset(str(qid) for qid in unreadable)


_ANSWER: TypeAdapter[Any] = TypeAdapter(AnswerInput)
_ANSWER_KEYS = frozenset(Answer.model_fields)


class _OneAnswer(Model):
    """One answer where the answer file has it: its mistakes located as in the file."""

    answers: dict[str, AnswerInput]


def _answer_errors(raw: Any) -> list[Any]:
    try:
        _ANSWER.validate_python(raw)
    except ValidationError as exc:
        return list(exc.errors(include_url=False))
    return []


def _report_unreadable(
    qid: Any, raw: Any, errors: list[Any], locator: Locator, problems: ProblemList
) -> None:
    """One problem for an answer that cannot be read: what it holds, in our words."""
    place = locator(("answers", qid))
    # `{a: 1}`: a mapping where the value belongs, not an answer written out in full.
    mapping = isinstance(raw, dict) and not _ANSWER_KEYS & set(raw)
    if mapping or any(e["loc"][:1] == ("value",) for e in errors):
        problems.add(
            place,
            "ANS002",
            N_(
                "the answer to '%(qid)s' is %(shape)s, which no question takes",
                qid=qid,
                shape=N_("a mapping") if mapping else _shape(raw),
            ),
            N_("write the value itself, or under 'value:' with its 'note:' or 'evidence:'")
            if mapping
            else N_(
                "write a number, a choice (its id or label), a list of choices, yes or no, "
                "'unknown' or 'n/a'"
            ),
        )
        return
    held = raw if isinstance(raw, dict) else {}
    if "note" in held and not isinstance(held["note"], str | None):
        problems.add(
            place,
            "ANS002",
            N_(
                "the note to '%(qid)s' is %(shape)s, not text",
                qid=qid,
                shape=_held(held["note"]),
            ),
            N_("write the note as text, or remove it"),
        )
        return
    evidence = held.get("evidence")
    if "evidence" in held and not (
        isinstance(evidence, str)
        or (isinstance(evidence, list) and all(isinstance(e, str) for e in evidence))
    ):
        problems.add(
            place,
            "ANS002",
            N_(
                "the evidence of '%(qid)s' is %(shape)s, not text or a list of texts",
                qid=qid,
                shape=_held(evidence),
            ),
            N_("list each piece of evidence as a line of text under 'evidence:'"),
        )
        return
    # Anything else (an unknown key beside `value:`, a note too long) in the schema's words.
    build_model(_OneAnswer, {"answers": {qid: raw}}, locator, problems)


def _shape(raw: Any) -> Message:
    return _held(raw.get("value") if isinstance(raw, dict) and "value" in raw else raw)


def _held(value: Any) -> Message:
    """What a value is, as a clerk would say it: `a list of numbers`, `a mapping`."""
    if isinstance(value, list):
        held = {_held(v) for v in value}
        if not held:
            return N_("an empty list")
        if len(held) > 1:
            return N_("a list of mixed values")
        return N_("a list of %(held)s", held=held.pop())
    if isinstance(value, dict):
        return N_("a mapping")
    if isinstance(value, bool):
        return N_("yes/no")
    if isinstance(value, int | float):
        return N_("numbers")
    return N_("text") if value is not None else N_("empty")


QUESTIONNAIRE_SUFFIXES = (".yaml", ".yml", ".json")
_KIND_NAMES = {
    "questionnaire": N_("a questionnaire"),
    "catalogue": N_("a scenario catalogue"),
    "answers": N_("an answer file"),
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


def _file_key(path: Path) -> tuple[str, str]:
    """A loaded file's cache key: where it is and what it holds. Its content, not its size and
    modification time, which a rewrite can keep (a copy with `cp -p`, an editor restoring them)."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = ""  # unreadable: never cached, check_file reports why
    return str(path.resolve()), digest


_cache: dict[tuple[str, str], Questionnaire] = {}


def load_questionnaire(source: StrPath) -> Questionnaire:
    """A questionnaire from a file path or the id of a shipped one, checked and compiled."""
    path = _find(source, "questionnaire")
    key = _file_key(path)
    found = _cache.get(key)
    if found is None:
        found = _expect(check_file(path, expect="questionnaire"), Questionnaire)
        if key[1] and _file_key(path) == key:  # not cached if the file changed while read
            _cache[key] = found
    return found


_catalogues: dict[tuple[str, str, str], Catalogue] = {}


def load_catalogue(source: StrPath, questionnaire: Questionnaire | None = None) -> Catalogue:
    """A scenario catalogue from a path or shipped id, with its triggers checked."""
    path = _find(source, "catalogue")
    key = (*_file_key(path), questionnaire.content_hash if questionnaire else "")
    found = _catalogues.get(key)
    if found is None:
        found = _expect(check_file(path, questionnaire, expect="catalogue"), Catalogue)
        if key[1] and _file_key(path) == key[:2]:
            _catalogues[key] = found
    return found


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
                N_("'%(path)s' is not a questionnaire file beside the answers", path=ref.path),
                N_("write a relative path to a .yaml file, or the id of a shipped questionnaire"),
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
            exc.args[0] if exc.args and isinstance(exc.args[0], Message) else str(exc),
            N_("give the questionnaire with --questionnaire"),
        )
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    return None


def _find(source: StrPath, what: str) -> Path:
    questionnaire = what == "questionnaire"
    if isinstance(source, os.PathLike) or any(c in str(source) for c in "/\\."):
        path = Path(source)
        if not path.exists():
            if questionnaire:
                raise NoSuchFile(N_("%(file)s: no such questionnaire file"), str(path), file=path)
            raise NoSuchFile(N_("%(file)s: no such catalogue file"), str(path), file=path)
        if not path.is_file():
            if questionnaire:
                raise UsageError(
                    N_("%(path)s: not a regular file; name a questionnaire file"), path=path
                )
            raise UsageError(N_("%(path)s: not a regular file; name a catalogue file"), path=path)
        return path
    shipped = resources.shipped_file(str(source))
    if shipped is None:
        known = resources.shipped_ids()
        hint = did_you_mean(str(source), known) or N_("shipped: %(ids)s", ids=", ".join(known))
        if questionnaire:
            raise UsageError(
                N_("there is no shipped questionnaire '%(id)s' (%(hint)s)"), id=source, hint=hint
            )
        raise UsageError(
            N_("there is no shipped catalogue '%(id)s' (%(hint)s)"), id=source, hint=hint
        )
    return shipped


# What a file is, as `_expect` says it when it is not what was asked for.
_KINDS = {
    "questionnaire": N_("questionnaire"),
    "catalogue": N_("catalogue"),
    "answers": N_("answers"),
}
_WANTED = {
    Questionnaire: N_("a questionnaire file"),
    Catalogue: N_("a catalogue file"),
    AnswerSheet: N_("an answer file"),
}


def _expect(checked: Checked, model: type[M]) -> M:
    checked.problems.raise_if_any()
    if not isinstance(checked.model, model):
        raise UsageError(
            N_("%(path)s: %(problem)s"),
            path=str(checked.path),
            problem=N_(
                "this is a %(kind)s file, not %(wanted)s",
                kind=_KINDS.get(checked.kind or "", checked.kind or "?"),
                wanted=_WANTED.get(model, model.__name__),
            ),
        )
    return checked.model


def _first_line(exc: UsageError | ValidationFailed) -> str:
    """The first thing wrong, as a text the CLI can show in its language."""
    if isinstance(exc, ValidationFailed) and exc.problems:
        first = exc.problems[0]
        return N_(
            "%(location)s: %(code)s %(message)s",
            location=str(first.location),
            code=first.code,
            message=first.message,
        )
    if exc.args and isinstance(exc.args[0], Message):
        return exc.args[0]
    return str(exc).splitlines()[0]


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
                N_(
                    "the catalogue's questionnaire cannot be loaded: %(problem)s",
                    problem=_first_line(exc),
                ),
            )
            return
    check_catalogue(c, q, report)
