"""The park's services register (服务台账): support given to firms, read and checked by cell."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..engine.labels import key, plain
from ..engine.service_kinds import ServiceKind, load_kinds
from ..errors import N_, Location, ProblemList, UsageError, did_you_mean
from ..models import credit_code
from ..models.answers import quarter_bounds
from ..models.common import TextValue
from ..models.results import SupportGiven
from .grid import Grid, read_grids

T = TextValue
# The register's columns, each found by its id or its header in either language.
COLUMNS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "Unified social credit code"),
    "date": ("日期", "服务日期", "Date", "served_on"),
    "kind": ("服务类型", "类型", "Kind", "Service"),
    "provider": ("服务商", "服务机构", "Provider"),
    "amount": ("金额（万元）", "金额", "Amount (10k CNY)", "Amount"),
    "note": ("备注", "Note"),
}
REQUIRED = ("credit_code", "date", "kind")
MAX_AMOUNT = 1_000_000.0  # 万元: 100 亿元, beyond any one firm's support


@dataclass(frozen=True)
class Service:
    """One line of the register: support given to one firm on one day."""

    credit_code: str
    served_on: date
    kind: str
    provider: str = ""
    amount: float | None = None
    note: str = ""

    @property
    def period(self) -> str:
        return f"{self.served_on.year}Q{(self.served_on.month - 1) // 3 + 1}"

    def given(self) -> SupportGiven:
        """The line as the engine takes it, to set against the firm's scenario costs."""
        return SupportGiven(
            credit_code=self.credit_code,
            kind=self.kind,
            served_on=self.served_on,
            provider=self.provider,
            amount=self.amount,
            note=self.note,
        )


def support_given(services: Sequence[Service]) -> list[SupportGiven]:
    """A register's lines as the engine takes them (`assess(..., given=...)`)."""
    return [s.given() for s in services]


def given_in(path: Path, period: str) -> list[SupportGiven]:
    """The lines of a services register file dated within `period`, as the engine takes them
    (a register that spans several quarters is read whole and checked at its cells)."""
    return [s.given() for s in read_services(path) if s.period == period]


def read_services(
    path: Path, *, period: str | None = None, kinds: Sequence[ServiceKind] | None = None
) -> list[Service]:
    """Every line of a services register (.csv or .xlsx, first sheet), checked.

    All problems are raised at once as ValidationFailed, each at its cell; with `period`, a line
    dated outside that quarter is one of them."""
    kinds = list(kinds) if kinds is not None else load_kinds()
    grid = read_grids(Path(path))[0]
    problems = ProblemList()
    rows = [r for r in grid.rows if any(_text(v) for v in r)]
    if not rows:
        raise UsageError(
            N_(
                "%(path)s: the services register is empty; give a header row (credit_code, "
                "date, kind, provider, amount, note) and a line for each service given"
            ),
            path=path,
        )
    header_row = grid.rows.index(rows[0])
    columns = _columns(path, grid, header_row, problems)
    problems.raise_if_any()
    names = _kind_names(kinds)
    found: list[Service] = []
    seen: dict[tuple[str, date, str, str], int] = {}
    for r_i in range(header_row + 1, len(grid.rows)):
        row = grid.rows[r_i]
        if not any(_text(v) for v in row):
            continue

        def cell(name: str, row: list[Any] = row) -> Any:
            c_i = columns.get(name)
            return row[c_i] if c_i is not None and c_i < len(row) else None

        def at(name: str, r_i: int = r_i) -> Location:
            return _where(path, grid, r_i, columns.get(name, 0))

        before = len(problems.problems)
        code = plain(_text(cell("credit_code"))).upper()
        if reason := credit_code.problem(code):
            problems.add(
                at("credit_code"),
                "SVC002",
                N_("'%(code)s' is not a valid credit code: %(reason)s", code=code, reason=reason),
                N_("copy the code from the firm's business licence"),
            )
        served = _date(cell("date"))
        if served is None:
            problems.add(
                at("date"),
                "SVC003",
                N_("'%(value)s' is not a date", value=_text(cell("date"))),
                N_("write it as 2026-07-15"),
            )
        elif period is not None and not _within(served, period):
            problems.add(
                at("date"),
                "SVC003",
                N_("%(date)s is not in %(period)s", date=served.isoformat(), period=period),
                N_("move the line to that quarter's register or run with its --period"),
            )
        kind_text = plain(_text(cell("kind")))
        kind = names.get(key(kind_text))
        if kind is None:
            hint = did_you_mean(kind_text, [k.id for k in kinds] + [k.label.zh for k in kinds])
            problems.add(
                at("kind"),
                "SVC004",
                N_("'%(value)s' is not a kind of support", value=kind_text),
                hint or N_("use one of: %(kinds)s", kinds=", ".join(k.label.zh for k in kinds)),
            )
        amount, bad = _amount(cell("amount"))
        if bad:
            problems.add(
                at("amount"),
                "SVC005",
                N_("'%(value)s' is not an amount", value=_text(cell("amount"))),
                N_(
                    "give a number of 万元 from 0 to %(max)s, or leave it empty",
                    max=f"{MAX_AMOUNT:,.0f}",
                ),
            )
        if len(problems.problems) > before or served is None or kind is None:
            continue
        provider = _text(cell("provider"))
        same = (code, served, kind, provider)
        if same in seen:
            problems.add(
                at("credit_code"),
                "SVC006",
                N_("repeats row %(row)s (same firm, date, kind and provider)", row=seen[same]),
                N_("delete one of the two rows, or merge their amounts"),
            )
            continue
        seen[same] = r_i + 1
        found.append(Service(code, served, kind, provider, amount, _text(cell("note"))))
    problems.raise_if_any()
    return found


def _columns(path: Path, grid: Grid, header_row: int, problems: ProblemList) -> dict[str, int]:
    wanted = {key(text): name for name, texts in COLUMNS.items() for text in (name, *texts)}
    columns: dict[str, int] = {}
    for c_i, header in enumerate(grid.rows[header_row]):
        name = wanted.get(key(_text(header)))
        if name is not None:
            columns.setdefault(name, c_i)
    for name in REQUIRED:
        if name not in columns:
            problems.add(
                _where(path, grid, header_row, 0),
                "SVC001",
                N_(
                    "the register has no '%(name)s' column (%(title)s)",
                    name=name,
                    title=COLUMNS[name][0],
                ),
                N_("columns: credit_code, date, kind, provider, amount, note"),
            )
    return columns


def _where(path: Path, grid: Grid, row: int, column: int) -> Location:
    if grid.name:  # a workbook: the cell, as Excel names it
        return Location(f"{path}:{grid.ref(row, column)}")
    return Location(str(path), row + 1, column + 1)


def _kind_names(kinds: Sequence[ServiceKind]) -> dict[str, str]:
    names: dict[str, str] = {}
    for kind in kinds:
        for text in (kind.id, kind.label.zh, kind.label.en, *kind.aliases):
            names.setdefault(key(text), kind.id)
    return names


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = plain(_text(value)).replace("/", "-").replace(".", "-")
    for sep in ("年", "月"):
        text = text.replace(sep, "-")
    text = text.removesuffix("日")
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        return None


def _within(served: date, period: str) -> bool:
    start, end = quarter_bounds(period)
    return start <= served <= end


def _amount(value: Any) -> tuple[float | None, bool]:
    """The amount in 万元, and whether the cell holds something that is not one."""
    if isinstance(value, bool):
        return None, True
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = plain(_text(value)).replace(",", "").removesuffix("万元").removesuffix("万").strip()
        if not text:
            return None, False
        try:
            number = float(text)
        except ValueError:
            return None, True
    if not math.isfinite(number) or not 0 <= number <= MAX_AMOUNT:
        return None, True
    return round(number, 4), False
