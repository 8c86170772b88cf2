"""Taking in a quarter: check every answer file or table row, store the good ones, keep the rest."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..collect.grid import TABLE_SUFFIXES
from ..collect.services import read_services
from ..engine.pipeline import Assessment, answer_files, assess, assess_sheet
from ..errors import N_, DtmError, ValidationFailed, error_text
from ..files.atomic import write_atomic
from ..models.answers import AnswerSheet
from ..models.common import StrPath
from ..models.questionnaire import Questionnaire
from ..store import Store
from ..store.services import ServicesSaved, save_services
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
    files: Sequence[Path], period: str
) -> tuple[list[tuple[Path, Assessment]], list[Failure]]:
    """Assess every file; each bad one becomes a Failure and the good ones go on."""
    good: list[tuple[Path, Assessment]] = []
    failures: list[Failure] = []
    seen: dict[str, Path] = {}
    for path in files:
        try:
            a = assess(path)
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


def take_in(
    folder: Path,
    period: str,
    out: Path,
    store: Store,
    register: StrPath | None,
    park: str | None,
    services: StrPath | None,
    imported_at: datetime | None = None,
) -> tuple[BatchResult, list[tuple[Path, Assessment]], dict[str, str], Path | None]:
    """Read the optional inputs first, so a bad one is known now and not after an hour, then
    check and store the quarter (see `store_quarter`) and its services register. Returns the
    result so far, the good files with their source hashes, and the register when it reads."""
    registered, register_problem = checked_register(register, park)
    # A services register with mistakes stops the run here: stored support must be all of it.
    support = read_services(Path(services), period=period) if services is not None else None
    result = BatchResult(period, out)
    if register_problem:
        result.warnings.append(register_problem)
    good, hashes = store_quarter(folder, period, out, store, result, imported_at)
    if support is not None:
        result.services = save_services(store, period, support, imported_at=imported_at)
    if registered is not None:
        keep_register(store, period, registered, imported_at)
    return result, good, hashes, registered


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
) -> tuple[list[tuple[Path, Assessment]], dict[str, str]]:
    """Check every answer file (or table row) and store the good ones; the bad ones become
    failures in `result`. Returns the good ones and their source hashes by credit code."""
    if folder.is_file() and folder.suffix.lower() in TABLE_SUFFIXES:
        files, failures = table_answer_files(folder, out, period)
        good, more = load_all(files, period)
        failures += more
    else:
        good, failures = load_all(answer_files(folder), period)
    result.failures.extend(failures)
    hashes = {a.card.firm.credit_code: source_hash(path, a) for path, a in good}
    for _, a in good:
        code = a.card.firm.credit_code
        store.save(a, source_hash=hashes[code], imported_at=imported_at)
        result.stored.append(code)
    return good, hashes


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
        return None, f"{exc} (the register is left out of this run)"
    return path, ""


def store_sheets(
    sheets: Sequence[AnswerSheet],
    q: Questionnaire,
    store: Store,
    *,
    on_saved: Callable[[str], None] | None = None,
) -> list[str]:
    """Score and store each sheet (a revision when the firm and period are stored already)."""
    stored = []
    for sheet in sheets:
        store.save(assess_sheet(sheet, q))
        stored.append(sheet.firm.credit_code)
        if on_saved is not None:
            on_saved(sheet.firm.credit_code)
    return stored
