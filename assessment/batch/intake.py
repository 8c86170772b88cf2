"""Taking in a quarter: check every answer file or table row, store the good ones, keep the rest."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..collect.grid import TABLE_SUFFIXES
from ..collect.services import read_services, support_given
from ..engine.pipeline import Assessment, answer_files, assess, assess_sheet
from ..errors import N_, DtmError, UsageError, ValidationFailed, error_text
from ..files.atomic import write_atomic
from ..models.answers import AnswerSheet
from ..models.common import StrPath
from ..models.questionnaire import Questionnaire
from ..models.results import SupportGiven
from ..store import Store
from ..store.chain import ImportedBy, local_user
from ..store.services import ServicesSaved, save_services
from ..store.services import services as stored_services
from .inputs import digest


@dataclass(frozen=True)
class Failure:
    """An input that could not be used, and every reason why."""

    path: Path
    reasons: list[str]


@dataclass
class BatchResult:
    period: str
    out: Path
    stored: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    services: ServicesSaved | None = None
    given: list[SupportGiven] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def table_answer_files(table: Path, out: Path, period: str) -> tuple[list[Path], list[Failure]]:
    """The good rows of a workbook or CSV, each written as a canonical answer file under
    `out/.rows-<period>/` (so a row's hash is its answers', and reports are redone only when they
    change); each bad row is a Failure listing its problems with their cells."""
    from ..collect.answerfile import dump_answers
    from ..collect.importer import answer_file_path, guess_questionnaire, import_table

    report = import_table(table, guess_questionnaire(table), period=period)
    failures = [Failure(table, [p.as_text()]) for p in report.sheet_problems]
    for row in report.imported.failed_rows:
        number = re.sub(r"\D", "", row.ref.rpartition("!")[2])
        at_row = re.compile(rf"[:!][A-Z]*{number}$")
        reasons: list[str] = [
            p.as_text() for p in report.imported.problems if at_row.search(p.location.path)
        ]
        failures.append(Failure(Path(f"{table}:{row.ref}"), reasons))
    rows = out / f".rows-{period}"
    files = []
    for _, sheet in report.imported.sheets:
        path = answer_file_path(rows, sheet)
        data = dump_answers(sheet).encode("utf-8")
        if not (path.exists() and path.read_bytes() == data):
            write_atomic(path, data)
        files.append(path)
    return files, failures


def source_hash(path: Path, a: Assessment) -> str:
    """What a stored result depends on: the file's bytes and the questionnaire's content."""
    return digest(path.read_bytes(), a.questionnaire.content_hash)


def load_all(
    files: Sequence[Path], period: str, given: Sequence[SupportGiven] = ()
) -> tuple[list[tuple[Path, Assessment]], list[Failure]]:
    """Assess every file (with the period's services register, `given`); each bad one becomes a
    Failure and the good ones go on."""
    good: list[tuple[Path, Assessment]] = []
    failures: list[Failure] = []
    seen: dict[str, Path] = {}
    for path in files:
        try:
            a = assess(path, given=given)
        except ValidationFailed as exc:
            failures.append(Failure(path, [p.as_text() for p in exc.problems]))
            continue
        except DtmError as exc:
            failures.append(
                Failure(
                    path, [N_("%(path)s: %(problem)s", path=str(path), problem=error_text(exc))]
                )
            )
            continue
        code = a.card.firm.credit_code
        if a.card.period != period:
            failures.append(
                Failure(
                    path,
                    [
                        N_(
                            "%(path)s: the file is for %(got)s, not %(period)s "
                            "(check 'period:' or --period)",
                            path=str(path),
                            got=a.card.period,
                            period=period,
                        )
                    ],
                )
            )
        elif code in seen:
            failures.append(
                Failure(
                    path,
                    [
                        N_(
                            "%(path)s: %(code)s is already assessed in %(other)s for %(period)s; "
                            "keep one file",
                            path=str(path),
                            code=code,
                            other=str(seen[code]),
                            period=period,
                        )
                    ],
                )
            )
        else:
            seen[code] = path
            good.append((path, a))
    return good, failures


@dataclass
class Intake:
    """What `take_in` stored: the result so far, the good files with their source hashes, the
    register when it reads, and the park the run is for (None: its firms name no park)."""

    result: BatchResult
    good: list[tuple[Path, Assessment]]
    hashes: dict[str, str]
    register: Path | None
    park: str | None


def take_in(
    folder: Path,
    period: str,
    out: Path,
    store: Store,
    register: StrPath | None,
    park: str | None,
    services: StrPath | None,
    imported_at: datetime | None = None,
) -> Intake:
    """Read the optional inputs first, so a bad one is known now and not after an hour, then
    check and store the quarter (see `store_quarter`) and its services register."""
    from ..park.summary import read_register, register_park

    registered, register_problem = checked_register(register, park)
    if park is None and registered is not None:
        park = register_park(registered, read_register(registered))
    # A services register with mistakes stops the run here: stored support must be all of it.
    support = read_services(Path(services), period=period) if services is not None else None
    result = BatchResult(period, out)
    if register_problem:
        result.warnings.append(register_problem)
    # The support given to each firm lowers its costs: the register given now, else the stored one.
    result.given = support_given(support if support is not None else stored_services(store, period))
    good, hashes, scope = store_quarter(folder, period, out, store, result, imported_at, park)
    if support is not None:
        result.services = save_services(store, period, support, imported_at=imported_at)
    if registered is not None:
        keep_register(store, period, registered, imported_at)
    return Intake(result, good, hashes, registered, scope)


def one_park(
    folder: Path,
    good: list[tuple[Path, Assessment]],
    park: str | None,
    given: Sequence[SupportGiven] = (),
) -> tuple[str | None, list[tuple[Path, Assessment]], list[Failure]]:
    """The park a run is for, its firms, and the files that name another park.

    The park is the one given (`--park` or the register's); else the one the answers name.
    Answers naming several parks with none given are a usage error: parks never mix. A firm
    whose answers name no park joins the run's park.
    """
    named = sorted({a.card.firm.park for _, a in good if a.card.firm.park})
    if park is None and len(named) > 1:
        raise UsageError(
            N_(
                "%(folder)s: the answers name %(count)s parks (%(parks)s); a run is one park's: "
                "give --park NAME, or run each park's files on their own"
            ),
            folder=str(folder),
            count=len(named),
            parks=", ".join(named),
        )
    scope = park if park is not None else (named[0] if named else None)
    kept: list[tuple[Path, Assessment]] = []
    failures = []
    for path, a in good:
        firm = a.card.firm
        if firm.park and firm.park != scope:
            failures.append(
                Failure(
                    path,
                    [
                        N_(
                            "%(path)s: the firm's park is %(park)s, but this run is for "
                            "%(scope)s (check 'park:' in the file, or run it with its own park)",
                            path=str(path),
                            park=firm.park,
                            scope=scope,
                        )
                    ],
                )
            )
        elif scope and not firm.park:
            sheet = a.sheet.model_copy(
                update={"firm": a.sheet.firm.model_copy(update={"park": scope})}
            )
            kept.append((path, assess_sheet(sheet, a.questionnaire, source=path, given=given)))
        else:
            kept.append((path, a))
    return scope, kept, failures


def keep_register(
    store: Store, period: str, register: Path, imported_at: datetime | None = None
) -> None:
    """Store the park's firm register for the period, so that `dtm park-summary` and later
    park reports count against it without being given the file again."""
    from dataclasses import asdict

    from ..park.summary import read_register
    from ..store.registers import save_register

    firms = [asdict(f) for f in read_register(register)]
    save_register(store, period, firms, source=register.name, imported_at=imported_at)


def store_quarter(
    folder: Path,
    period: str,
    out: Path,
    store: Store,
    result: BatchResult,
    imported_at: datetime | None = None,
    park: str | None = None,
) -> tuple[list[tuple[Path, Assessment]], dict[str, str], str | None]:
    """Check every answer file (or table row) and store the good ones of one park (see
    `one_park`); the bad ones become failures in `result`. Returns the good ones, their source
    hashes by credit code, and the park."""
    if folder.is_file() and folder.suffix.lower() in TABLE_SUFFIXES:
        files, failures = table_answer_files(folder, out, period)
        good, more = load_all(files, period, result.given)
        failures += more
    else:
        good, failures = load_all(answer_files(folder), period, result.given)
    scope, good, elsewhere = one_park(folder, good, park, result.given)
    result.failures.extend(failures + elsewhere)
    hashes = {a.card.firm.credit_code: source_hash(path, a) for path, a in good}
    for path, a in good:
        code = a.card.firm.credit_code
        audit = ImportedBy(local_user(), f"dtm batch {path.name}")
        store.save(a, source_hash=hashes[code], imported_at=imported_at, audit=audit)
        result.stored.append(code)
    return good, hashes, scope


def checked_register(register: StrPath | None, park: str | None) -> tuple[Path | None, str]:
    """The register when it reads; otherwise None and the one line that says why."""
    from ..park.summary import read_register, register_park

    if register is None:
        return None, ""
    path = Path(register)
    try:
        firms = read_register(path)
        if park is None:
            register_park(path, firms)
    except DtmError as exc:
        return None, N_(
            "%(problem)s (the register is left out of this run)", problem=error_text(exc)
        )
    return path, ""


def store_sheets(
    sheets: Sequence[AnswerSheet],
    q: Questionnaire,
    store: Store,
    *,
    on_saved: Callable[[str], None] | None = None,
    source: str = "dtm import",
) -> list[str]:
    """Score and store each sheet (a revision when the firm and period are stored already),
    with audit lines naming `source` and who runs this."""
    stored = []
    audit = ImportedBy(local_user(), source)
    for sheet in sheets:
        store.save(assess_sheet(sheet, q), audit=audit)
        stored.append(sheet.firm.credit_code)
        if on_saved is not None:
            on_saved(sheet.firm.credit_code)
    return stored
