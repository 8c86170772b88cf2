"""What each page shows, built from the draft, the engine's evaluation and the store."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import resources
from ..accounts import Accounts, Role, User
from ..engine import loader
from ..errors import DtmError
from ..files.evidence import parse_entry
from ..models.answers import AnswerSheet
from ..models.common import LANGS, Lang
from ..models.industries import INDUSTRIES
from ..models.questionnaire import Question, Questionnaire
from ..report import content
from ..report.html import environment, trusted_svg
from ..report.html import render as render_template
from ..store import Store
from . import live
from .drafts import Draft, DraftBook, new_id
from .finish import finish
from .forms import INDUSTRY_IDS, Fields, assessed_on, code_problem, firm_from, one

TEMPLATES = Path(__file__).parent / "templates"
_PERIOD = re.compile(r"^(19|20)\d\dQ[1-4]$")
# A problem's file:line:col, which names a path on the server: never shown on a page.
_LOCATION = re.compile(r"^\S+:\d+:\d+:\s*")


def choice_options(q: Questionnaire, question: Question) -> list[tuple[Any, Any, Any]]:
    return [(c.id, c.label, None) for c in q.choices_of(question)]


def level_options(question: Question) -> list[tuple[Any, Any, Any]]:
    described = {d.level: d.text for d in question.descriptors or []}
    return [(n, str(n), described.get(n)) for n in range(question.max_level + 1)]


def evidence_sha(entry: str) -> str | None:
    parsed = parse_entry(entry)
    return parsed[0] if parsed else None


def depends(q: Questionnaire, qid: str) -> str:
    """The ids a question's condition reads, for the page to tell which follow-ups may change."""
    condition = loader.plan_of(q).when.get(qid)
    return " ".join(sorted(condition.names | condition.references)) if condition else ""


_HELPERS = {
    "depends": depends,
    "choice_options": choice_options,
    "level_options": level_options,
    "evidence_sha": evidence_sha,
    "code_problem": code_problem,
    "industries": INDUSTRIES,
}


def render(template: str, lang: Lang, **context: Any) -> str:
    roots = (TEMPLATES.resolve(), resources.templates_dir().resolve())
    environment(roots, lang).globals.update(_HELPERS)
    context.setdefault("user", None)
    return render_template(template, context, lang, roots)


@lru_cache(maxsize=8)
def questionnaires(folder: Path | None) -> dict[str, Questionnaire]:
    """The shipped questionnaires and those in the store's folder, by id."""
    found: dict[str, Questionnaire] = {}
    sources: list[str | Path] = [i for i in resources.shipped_ids() if not i.endswith("_scenarios")]
    if folder is not None and folder.is_dir():
        sources += sorted(folder.glob("*.yaml"))
    for source in sources:
        try:
            q = loader.load_questionnaire(source)
        except DtmError:
            continue
        found.setdefault(q.id, q)
    return found


def questionnaire_of(draft: Draft, folder: Path | None = None) -> Questionnaire:
    return questionnaires_by_id(draft.questionnaire, folder)


def questionnaires_by_id(qid: str, folder: Path | None = None) -> Questionnaire:
    known = questionnaires(folder)
    return known[qid] if qid in known else loader.load_questionnaire(qid)


def this_quarter(today: date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def home(
    book: DraftBook, settings: Any, params: Mapping[str, str], user: User | None = None
) -> dict[str, Any]:
    today = date.today()
    form: dict[str, Any] = {
        "questionnaire": "park_quick_scan",
        "period": this_quarter(today),
        "assessed_on": today.isoformat(),
        "industry": "",
    }
    code = params.get("firm", "")
    previous = None
    if code:
        firm = settings.store.firm(code)
        if firm is not None:
            form.update(firm.model_dump(exclude_none=True))
            history = settings.store.history(code)
            previous = history[-1] if history else None
            if previous is not None:
                form["questionnaire"] = previous.questionnaire_id
    drafts, firms = book.all(), book.firms()
    if user is not None and user.role != Role.ADMIN:
        drafts = [(d, at) for d, at in drafts if user.may_edit(d.owner)]
        own = {code for code, _ in Accounts(settings.store).authored(user.name)}
        firms = [(code, name) for code, name in firms if code in own]
    return {
        "drafts": drafts,
        "questionnaires": questionnaires(settings.folder),
        "firms": firms,
        "form": form,
        "previous": previous,
        "problems": {},
    }


def start_draft(
    fields: Fields, settings: Any
) -> tuple[Draft | None, dict[str, str], dict[str, Any]]:
    """A new draft from the start form, or the problem with each field."""
    form = {k: one(fields, k) for k in ("questionnaire", "period", "assessor", "assessed_on")}
    firm, problems = firm_from(fields)
    form.update(
        {
            k: one(fields, k)
            for k in ("name", "credit_code", "industry", "employees", "revenue", "park")
        }
    )
    known = questionnaires(settings.folder)
    q = known.get(form["questionnaire"])
    if q is None:
        problems["questionnaire"] = "choose one of the questionnaires listed"
    if not _PERIOD.match(form["period"]):
        problems["period"] = "write the quarter like 2026Q3"
    if not form["assessor"] or len(form["assessor"]) > 200:
        problems["assessor"] = "give the assessor's name"
    when = assessed_on(form["assessed_on"])
    if when is None:
        problems["assessed_on"] = "give the date as YYYY-MM-DD"
    if problems or firm is None or q is None or when is None:
        return None, problems, form
    answers, prefilled = {}, []
    if one(fields, "prefill"):
        history = settings.store.history(firm.credit_code)
        older = [
            r
            for r in history
            if r.current and r.questionnaire_id == q.id and r.period < form["period"]
        ]
        if older:
            answers = dict(older[-1].sheet.answers)
            prefilled = sorted(a for a in answers if a in q.question_map)
            answers = {k: v for k, v in answers.items() if k in q.question_map}
    draft = Draft(
        id=new_id(),
        questionnaire=q.id,
        version=q.version,
        firm=firm,
        period=form["period"],
        assessor=form["assessor"],
        assessed_on=when,
        answers=answers,
        prefilled=prefilled,
    )
    return draft, {}, form


def _page_of(q: Questionnaire) -> dict[str, int]:
    return {
        question.id: n
        for n, d in enumerate(q.dimensions, start=1)
        for i in d.indicators
        for question in i.questions
    }


def scorable_sheet(draft: Draft) -> AnswerSheet:
    q = questionnaire_of(draft)
    return draft.sheet(live.evaluate(q, draft, with_score=False).scorable)


def summary(
    draft: Draft, lang: Lang, problems: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    q = questionnaire_of(draft)
    ev = live.evaluate(q, draft)
    radar = trusted_svg(content.radar_svg(ev.card, None, lang)) if ev.card else None
    return {
        "draft": draft,
        "q": q,
        "ev": ev,
        "card": ev.card,
        "radar": radar,
        "recommendations": ev.recommendations[:5],
        "finish_problems": problems or [],
    }


def finish_draft(
    draft: Draft, book: DraftBook, settings: Any, lang: Lang
) -> tuple[dict[str, Any], Any]:
    q = questionnaire_of(draft, settings.folder)
    ev = live.evaluate(q, draft, complete=True, with_score=False)
    pages = _page_of(q)
    found = [
        {
            "question": qid,
            "text": q.question_map[qid].text if qid in q.question_map else None,
            "page": pages.get(qid, 1),
            "code": text.split(" ", 1)[0],
            "message": _unplaced(text),
        }
        for qid, texts in ev.problems.items()
        for text in texts
    ] + [
        {"question": None, "page": 1, "code": "", "message": _unplaced(text)} for text in ev.general
    ]
    if found:
        return summary(draft, lang, found), None
    done = finish(
        draft.sheet(ev.scorable),
        q,
        book=book,
        store=settings.store,
        out=settings.out,
    )
    book.delete(draft.id)
    return {
        "draft": draft,
        "done": done,
        "code": draft.firm.credit_code,
        "period": draft.period,
    }, done


def _unplaced(text: str) -> str:
    """A problem's text without a file:line:col (kept as marked text when it has none)."""
    return _LOCATION.sub("", text) if _LOCATION.match(text) else text


def stored_list(store: Store, params: Mapping[str, str], book: DraftBook) -> dict[str, Any]:
    period = params.get("period") or None
    industry = params.get("industry") or None
    records = store.list(
        period=period if period and _PERIOD.match(period) else None,
        industry=industry if industry in INDUSTRY_IDS else None,
    )
    return {
        "records": records,
        "periods": store.periods(),
        "period": period or "",
        "industry": industry or "",
        "drafts": book.all(),
    }


def visible_to(user: User, context: dict[str, Any], accounts: Accounts) -> dict[str, Any]:
    """The list of stored assessments and drafts cut down to what the account may see."""
    if user.role == Role.ADMIN:
        return context
    records = context["records"]
    if user.role == Role.PARK:
        parks = {code: accounts.store.firm(code) for code in {r.credit_code for r in records}}
        records = [r for r in records if (f := parks[r.credit_code]) and f.park == user.park]
    else:
        own = accounts.authored(user.name)
        records = [r for r in records if (r.credit_code, r.period) in own]
    drafts = [(d, at) for d, at in context["drafts"] if user.may_edit(d.owner)]
    return {**context, "records": records, "drafts": drafts}


def firm_history(store: Store, code: str) -> dict[str, Any]:
    records = store.history(code)
    return {"code": code, "records": records, "firm": store.firm(code)}


def error_response(
    request: Request, settings: Any, keys: Any, status: int, detail: str
) -> Response:
    cookie = request.cookies.get("dtm_lang", settings.lang)
    lang: Lang = cookie if cookie in LANGS else settings.lang
    session = request.scope.get("state", {}).get("session", "")
    html = render(
        "error.html",
        lang,
        csrf=keys.csrf(session),
        path=request.url.path,
        status=status,
        detail=detail,
    )
    headers = {}
    if request.headers.get("hx-request") == "true":
        html = render("_flash.html", lang, detail=detail)
        headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    return HTMLResponse(html, status_code=status, headers=headers)
