"""The assessment store: save scored assessments, read them back by firm, period and industry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import Enum
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session

from ..errors import N_, UsageError
from ..models.answers import AnswerSheet, Firm
from ..models.common import StrPath
from ..models.results import Recommendation, ScoreCard
from . import chain, migrations
from .chain import ImportedBy
from .engine import DB_ENV, DEFAULT_FILE, WRITE, describe, make_engine, missing_file, prepare
from .errors import NoStoreError, StoreError
from .integrity import damaged_rows
from .records import (
    RECOMMENDATIONS,
    SaveAction,
    SaveOutcome,
    StoredAssessment,
    content_hash,
    from_row,
)
from .schema import ASSESSMENT_FIELDS, AssessmentRow, AuditRow, FirmRow, RevisionRow

if TYPE_CHECKING:
    from ..engine.pipeline import Assessment

Records = list[StoredAssessment]
Periods = list[str]
Cards = list[ScoreCard]
FirmNames = list[tuple[str, str]]
Recommended = dict[str, list[Recommendation]]
Problems = list[str]
Parks = list[str | None]
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


class Every(Enum):
    """`park=EVERY_PARK`: a district's view, every park's firms (each firm is in one park)."""

    PARK = "every park"


EVERY_PARK = Every.PARK
Scope = str | None | Every
# A concurrent writer on a server database can insert the same firm or period between our read
# and our insert; the loser retries, and then sees the winner's row.
_ATTEMPTS = 3
_INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for "permission denied"


class Store:
    """A database of firms and their assessments over time (see docs/store.md).

    `Store.open(url)` opens (and creates or upgrades) the store at a URL; `Store(engine)` uses
    an engine the caller made. Every call is its own short transaction: no connection or lock
    is held between calls.
    """

    def __init__(self, engine: Engine) -> None:
        prepare(engine)
        self.engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        with self._database_errors():
            self.upgraded_from = migrations.upgrade(engine)

    @classmethod
    def open(cls, url: StrPath | None = None, *, create: bool = True) -> Store:
        """The store at `url`, else $DTM_DB, else `dtm.db` in the working folder.

        With `create=False` a SQLite file that does not exist is a `NoStoreError`, not a new
        empty store: reading commands must not leave empty stores behind.
        """
        if not create and (path := missing_file(url)) is not None:
            raise NoStoreError(
                N_(
                    "no store at %(path)s (looked at --db, else $%(env)s, else %(file)s in this "
                    "folder); make one with `dtm batch FOLDER --period P --out DIR --db "
                    "%(path)s`, or name an existing one with --db"
                ),
                path=path,
                env=DB_ENV,
                file=DEFAULT_FILE,
            )
        engine = make_engine(url)
        try:
            return cls(engine)
        except BaseException:
            engine.dispose()
            raise

    @property
    def url(self) -> str:
        """Where the store is, without any password."""
        return describe(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Writing

    def save(
        self,
        assessment: Assessment,
        *,
        source_hash: str | None = None,
        imported_at: datetime | None = None,
        audit: ImportedBy | None = None,
    ) -> SaveOutcome:
        """Store one assessment as the current one for its firm and period.

        A different assessment already stored for them is kept as a revision (REPLACED); the
        same answers, result and recommendations again change nothing but the source hash
        (UNCHANGED).
        `imported_at` must be timezone-aware; it defaults to now. With `audit`, a new or
        replaced assessment also writes audit lines in the same transaction: one per changed
        answer and one `assessment.import` line naming who and from what.
        """
        when = _aware(imported_at)
        attempt = 1
        while True:
            try:
                with self._database_errors(), self._write() as session:
                    return _save(session, assessment, source_hash, when, audit)
            except IntegrityError as exc:
                if attempt == _ATTEMPTS:
                    raise StoreError(f"{self.url}: {exc.orig or exc}") from exc
                attempt += 1

    # Reading

    def get(self, credit_code: str, period: str) -> StoredAssessment | None:
        """The current assessment of a firm for a period, or None."""
        with self._read() as session:
            row = session.get(AssessmentRow, (credit_code, period))
            return from_row(row) if row is not None else None

    def firm(self, credit_code: str) -> Firm | None:
        """A firm as of the latest period stored for it, or None."""
        with self._read() as session:
            row = session.get(FirmRow, credit_code)
            if row is None:
                return None
            return Firm(
                credit_code=row.credit_code,
                name=row.name,
                industry=row.industry,
                employees=row.employees,
                revenue=row.revenue,
                park=row.park,
            )

    def list(self, period: str | None = None, industry: str | None = None) -> Records:
        """Current assessments, by period then credit code, optionally of one period or industry."""
        query = select(AssessmentRow).order_by(AssessmentRow.period, AssessmentRow.credit_code)
        if period is not None:
            query = query.where(AssessmentRow.period == period)
        if industry is not None:
            query = query.where(AssessmentRow.industry == industry)
        with self._read() as session:
            return [from_row(row) for row in session.scalars(query)]

    def history(self, credit_code: str) -> Records:
        """Every assessment of a firm, current and superseded, oldest period and revision first."""
        with self._read() as session:
            old = session.scalars(select(RevisionRow).where(RevisionRow.credit_code == credit_code))
            now = session.scalars(
                select(AssessmentRow).where(AssessmentRow.credit_code == credit_code)
            )
            records = [from_row(row) for row in [*old, *now]]
        return sorted(records, key=lambda r: (r.period, r.revision))

    def firms_elsewhere(self, park: str | None) -> set[str]:
        """The credit codes of the firms whose latest stored assessment names a park other
        than `park` (firms naming none are nowhere else)."""
        query = select(FirmRow.credit_code).where(FirmRow.park.is_not(None))
        if park is not None:
            query = query.where(FirmRow.park != park)
        with self._read() as session:
            return set(session.scalars(query))

    def find_firms(self, text: str) -> FirmNames:
        """(credit code, name) of the stored firms whose name contains `text`, by credit code."""
        query = select(FirmRow.credit_code, FirmRow.name).order_by(FirmRow.credit_code)
        with self._read() as session:
            rows = [(str(code), str(name)) for code, name in session.execute(query)]
        needle = text.strip().casefold()
        return [(code, name) for code, name in rows if needle and needle in name.casefold()]

    def periods(self) -> Periods:
        """The periods that have assessments, oldest first."""
        query = select(AssessmentRow.period).distinct().order_by(AssessmentRow.period)
        with self._read() as session:
            return list(session.scalars(query))

    def previous_period(self, period: str, *, park: Scope = EVERY_PARK) -> str | None:
        """The latest stored period before `period` (not necessarily the quarter before), of
        `park`'s firms when given."""
        query = _in_park(
            select(func.max(AssessmentRow.period)).where(AssessmentRow.period < period), park
        )
        with self._read() as session:
            found: str | None = session.scalar(query)
        return found

    def source_hash(self, credit_code: str, period: str) -> str | None:
        """The sha256 of the file the current assessment came from, if the caller gave one."""
        query = select(AssessmentRow.source_hash).where(
            AssessmentRow.credit_code == credit_code, AssessmentRow.period == period
        )
        with self._read() as session:
            return session.scalar(query)

    def parks(self, period: str) -> Parks:
        """The parks whose firms have assessments in `period` (None: firms naming no park)."""
        query = select(AssessmentRow.park).where(AssessmentRow.period == period).distinct()
        with self._read() as session:
            found = list(session.scalars(query))
        return sorted(found, key=lambda p: (p is not None, p or ""))

    def cards(self, period: str, *, park: Scope = EVERY_PARK) -> Cards:
        """The current score cards of a period, by credit code: of one park (None: the firms
        that name no park), or of every park."""
        query = _in_park(
            select(AssessmentRow.result)
            .where(AssessmentRow.period == period)
            .order_by(AssessmentRow.credit_code),
            park,
        )
        with self._read() as session:
            texts = list(session.scalars(query))
        cards: Cards = []
        for text in texts:
            try:
                cards.append(ScoreCard.model_validate_json(text))
            except ValueError:
                continue  # a damaged row: `check` names it; the others still count
        return cards

    def check(self) -> Records:
        """Every stored assessment, current or superseded, whose JSON no longer reads back or
        whose content no longer matches the hash saved with it."""
        with self._read() as session:
            rows = [
                *session.scalars(select(AssessmentRow)),
                *session.scalars(select(RevisionRow)),
            ]
            records = [from_row(row) for row in rows]
        damaged = [r for r in records if r.problem is not None]
        return sorted(damaged, key=lambda r: (r.period, r.credit_code, r.revision))

    def check_rows(self, *, audit_head: tuple[int, str] | None = None) -> Problems:
        """Services registers that no longer match their content hash, the first audit line
        that breaks the log's chain, and, given the `(id, chain)` of a head kept earlier, the
        log no longer holding it: one line each (assessments are in `check`)."""
        with self._database_errors(), self.engine.connect() as conn:
            found = damaged_rows(conn, assessments=False)
            if audit_head is not None:
                gone = chain.check_head(conn, *audit_head)
                if gone is not None:
                    found.append(gone)
            return found

    def audit_head(self) -> chain.AuditHead:
        """The audit log's number of lines and its last line's id and chain hash."""
        with self._database_errors(), self.engine.connect() as conn:
            return chain.head(conn)

    def count(self) -> int:
        """How many assessments are stored, current and superseded."""
        with self._read() as session:
            now = session.scalar(select(func.count()).select_from(AssessmentRow)) or 0
            old = session.scalar(select(func.count()).select_from(RevisionRow)) or 0
        return now + old

    def recommendations(self, period: str, *, park: Scope = EVERY_PARK) -> Recommended:
        """The recommended scenarios of a period's current assessments, by credit code."""
        query = _in_park(
            select(AssessmentRow.credit_code, AssessmentRow.recommendations).where(
                AssessmentRow.period == period
            ),
            park,
        )
        with self._read() as session:
            rows = session.execute(query).all()
        found: Recommended = {}
        for code, text in sorted(rows):
            try:
                found[code] = RECOMMENDATIONS.validate_json(text)
            except ValueError:
                continue  # a damaged row: `check` names it
        return found

    # Transactions

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._database_errors(), Session(self.engine) as session:
            yield session

    @contextmanager
    def _database_errors(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise
        except DatabaseError as exc:
            if getattr(exc.orig, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
                raise StoreError(
                    N_(
                        "%(store)s: %(reason)s: this role may not do that; the owner of the "
                        "store's tables runs upgrades and grants the services' role its "
                        "privileges with dtm db roles ROLE (docs/deploy.md, Two roles)"
                    ),
                    store=self.url,
                    reason=str(exc.orig).splitlines()[0],
                ) from exc
            raise StoreError(f"{self.url}: {exc.orig or exc}") from exc


def _in_park(query: _Query, park: Scope) -> _Query:
    if park is EVERY_PARK:
        return query
    if park is None:
        return query.where(AssessmentRow.park.is_(None))
    return query.where(AssessmentRow.park == park)


def _aware(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(UTC)
    if when.tzinfo is None:
        raise UsageError("imported_at must say its timezone, e.g. datetime.now(UTC)")
    return when


def _save(
    session: Session,
    assessment: Assessment,
    source_hash: str | None,
    when: datetime,
    audit: ImportedBy | None,
) -> SaveOutcome:
    card = assessment.card
    code, period = card.firm.credit_code, card.period
    _remember_firm(session, card, when)
    values = _columns(assessment, source_hash, when)
    row = session.get(AssessmentRow, (code, period), with_for_update=True)
    if row is None:
        session.add(AssessmentRow(revision=1, **values))
        outcome = SaveOutcome(SaveAction.CREATED, code, period, 1)
        before = None
    elif row.content_hash == values["content_hash"]:
        if source_hash is not None:
            row.source_hash = source_hash
        return SaveOutcome(SaveAction.UNCHANGED, code, period, row.revision)
    else:
        before = row.answers
        kept = {name: getattr(row, name) for name in ASSESSMENT_FIELDS}
        session.add(RevisionRow(**kept, superseded_at=when))
        for name, value in values.items():
            setattr(row, name, value)
        row.revision += 1
        outcome = SaveOutcome(SaveAction.REPLACED, code, period, row.revision)
    if audit is not None:
        chain.append(session, _import_lines(audit, assessment, before, outcome, when))
    return outcome


def _import_lines(
    audit: ImportedBy,
    assessment: Assessment,
    before: str | None,
    outcome: SaveOutcome,
    when: datetime,
) -> list[AuditRow]:
    """The audit lines of an import: each answer it changed, then the import itself."""
    try:
        old = AnswerSheet.model_validate_json(before).answers if before is not None else {}
    except ValueError:  # a damaged earlier row: every answer is shown as new
        old = {}
    where = {"credit_code": outcome.credit_code, "period": outcome.period}
    lines = [
        AuditRow(
            at=when,
            username=audit.username,
            action=chain.ANSWER,
            question=qid,
            old=o,
            new=n,
            **where,
        )
        for qid, o, n in chain.answer_changes(old, assessment.sheet.answers)
    ]
    replaced = f"revision {outcome.revision - 1}" if before is not None else None
    shown = f"revision {outcome.revision} from {audit.source}"
    lines.append(
        AuditRow(
            at=when, username=audit.username, action=chain.IMPORT, old=replaced, new=shown, **where
        )
    )
    return lines


def _remember_firm(session: Session, card: ScoreCard, when: datetime) -> None:
    firm = card.firm
    facts = {
        "name": firm.name,
        "industry": firm.industry,
        "employees": firm.employees,
        "revenue": firm.revenue,
        "park": firm.park,
        "as_of_period": card.period,
        "updated_at": when,
    }
    row = session.get(FirmRow, firm.credit_code, with_for_update=True)
    if row is None:
        session.add(FirmRow(credit_code=firm.credit_code, **facts))
        session.flush()
    elif card.period >= row.as_of_period:
        for name, value in facts.items():
            setattr(row, name, value)


def _columns(assessment: Assessment, source_hash: str | None, when: datetime) -> dict[str, Any]:
    card = assessment.card
    answers = assessment.sheet.model_dump_json()
    result = card.model_dump_json()
    recommended = RECOMMENDATIONS.dump_json(assessment.recommendations).decode("utf-8")
    return {
        "credit_code": card.firm.credit_code,
        "period": card.period,
        "industry": card.firm.industry,
        "questionnaire_id": card.questionnaire.id,
        "questionnaire_version": card.questionnaire.version,
        "questionnaire_hash": card.questionnaire.content_hash,
        "answers": answers,
        "result": result,
        "recommendations": recommended,
        "level_id": card.level.id if card.level else None,
        "level_rank": card.level.rank if card.level else 0,
        "overall": card.overall,
        "coverage": card.coverage,
        "assessor": card.assessor,
        "assessed_on": card.assessed_on,
        "imported_at": when,
        "source_hash": source_hash,
        "content_hash": content_hash(answers, result, recommended),
        "park": card.firm.park,
    }
