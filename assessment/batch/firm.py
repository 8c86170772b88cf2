"""One firm's reports from the store: the same bytes whoever renders them (batch, worker, form)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..accounts.attestation import Attestation, attestation_of
from ..engine import loader
from ..engine.pipeline import Assessment, plan_for
from ..errors import N_, UsageError
from ..files.atomic import write_atomic
from ..models.common import Lang
from ..models.results import RecommendationList, SupportGiven
from ..store import Store, StoredAssessment
from ..store.reports import StoredReport, firm_reports, report_keys, save_reports
from .inputs import PeriodInputs, stored_adoption


def stored_record(store: Store, code: str, period: str) -> StoredAssessment:
    record = store.get(code, period)
    if record is None:
        raise UsageError(
            N_("%(code)s: no assessment stored for %(period)s"), code=code, period=period
        )
    return record


def rebuilt(
    record: StoredAssessment, source: Path | None = None, given: Sequence[SupportGiven] = ()
) -> Assessment:
    """The stored assessment as the engine made it, with this dtm's questionnaire and its plan
    worked out again with the support given to the firm (the period's services register)."""
    q = loader.load_questionnaire(record.questionnaire_id)
    if q.content_hash != record.questionnaire_hash:
        raise UsageError(
            N_(
                "%(code)s: stored with another version of questionnaire %(questionnaire)s than "
                "this dtm has; install the same dtm everywhere"
            ),
            code=record.credit_code,
            questionnaire=record.questionnaire_id,
        )
    recs = RecommendationList(record.recommendations)
    return Assessment(source, q, record.sheet, record.card, recs, plan_for(q, record.card, given))


def extras(lang: Lang, png: bool, confirmed: Attestation | None = None) -> tuple[str, ...]:
    found = (lang, "png") if png else (lang,)
    return (*found, f"confirmed {confirmed.name} {confirmed.on}") if confirmed else found


def firm_key(
    inputs: PeriodInputs,
    record: StoredAssessment,
    lang: Lang,
    png: bool = False,
    confirmed: Attestation | None = None,
) -> str:
    """The render key of a stored firm's reports (see `inputs.render_key`), with the firm's
    confirmation of its data when there is one (it is printed on the cover)."""
    return inputs.key(
        record.card,
        record.content_hash,
        *extras(lang, png, confirmed),
        stored_at=record.imported_at,
    )


def stored_firm_key(
    store: Store, inputs: PeriodInputs, record: StoredAssessment, lang: Lang, png: bool = False
) -> str:
    """`firm_key` with the confirmation read from the store: what every renderer names it by."""
    confirmed = attestation_of(store, record.credit_code, record.period)
    return firm_key(inputs, record, lang, png, confirmed)


def is_current(store: Store, record: StoredAssessment, key: str, lang: Lang) -> bool:
    """Whether the store holds the firm's reports made from `key`."""
    found = report_keys(store, record.period, lang).get(record.credit_code)
    return found is not None and found[0] == key


def current_reports(store: Store, code: str, period: str, lang: Lang) -> dict[str, StoredReport]:
    """The firm's stored reports of the period in `lang` that were made since its current
    assessment was stored, by file name. Reports of an earlier revision (the firm stored again
    on another web process, or before a restart) are left out: whoever asks renders them again.
    One look at the firm's own rows: the form asks this on every poll of its finished page."""
    record = store.get(code, period)
    if record is None:
        return {}
    return {
        name: report
        for name, report in firm_reports(store, code, period).items()
        if report.lang == lang
        and report.made_at is not None
        and report.made_at >= record.imported_at
    }


def render_stored_firm(
    store: Store,
    code: str,
    period: str,
    *,
    lang: Lang,
    inputs: PeriodInputs,
    templates: Path | None = None,
    png: bool = False,
) -> list[StoredReport]:
    """Render a stored firm's reports and keep them in the store with their render key."""
    reports = stored_firm_reports(
        store, code, period, lang=lang, inputs=inputs, templates=templates, png=png
    )
    save_reports(store, reports)
    return reports


def stored_firm_reports(
    store: Store,
    code: str,
    period: str,
    *,
    lang: Lang,
    inputs: PeriodInputs,
    templates: Path | None = None,
    png: bool = False,
) -> list[StoredReport]:
    """A stored firm's reports, rendered with their render key, not yet kept.

    The one way a stored firm's reports are made, whoever asks (a queued worker, the web form),
    so that the same firm gives the same bytes everywhere."""
    from ..report.render import render_files

    record = stored_record(store, code, period)
    confirmed = attestation_of(store, code, period)
    a = rebuilt(record, given=inputs.given_to(code))
    card = a.card
    peers, prior, trend, earlier = inputs.firm(
        code, card.firm.industry, card.firm.park, record.imported_at
    )
    files = render_files(
        a,
        lang=lang,
        peers=peers,
        previous=prior,
        template_dir=templates,
        trend=trend,
        adoption=stored_adoption(a, prior, earlier),
        png=png,
        confirmed=confirmed,
    )
    key = firm_key(inputs, record, lang, png, confirmed)
    reports = [
        StoredReport(period, card.firm.park, name, lang, key, data, code)
        for name, data in files.items()
    ]
    return reports


def export_firm(store: Store, code: str, period: str, folder: Path) -> list[Path]:
    """Write a firm's stored reports into `folder` (atomically); only files that differ."""
    written = []
    for name, report in sorted(firm_reports(store, code, period).items()):
        path = folder / name
        if not (path.is_file() and path.read_bytes() == report.content):
            write_atomic(path, report.content)
        written.append(path)
    return written
