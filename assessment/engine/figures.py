"""Reads a figure as people write it: `１４０人`, `1,200万`, `1.2亿元`, `46台`, `60%`.

A figure may carry thousands separators, full-width digits and signs, and a unit. A unit of the
question's own kind is understood (`台` for a question in `台（套）`, `万` for one in `万元`) and
money is converted to the question's unit; a unit of another kind (`35台` for a head-count) is
reported with both units, never dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"\s+")
_FIGURE = re.compile(
    r"(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)(?P<unit>.*)", re.DOTALL
)
# Units of one kind, each with its size against the kind's smallest (money in 元).
_KINDS: dict[str, dict[str, Decimal]] = {
    "people": {u: Decimal(1) for u in ("人", "名", "位", "people", "persons", "person")},
    "units": {u: Decimal(1) for u in ("台(套)", "台", "套", "台套", "units", "unit", "sets")},
    "times": {u: Decimal(1) for u in ("次", "times", "time")},
    "days": {u: Decimal(1) for u in ("天", "日", "days", "day")},
    "items": {u: Decimal(1) for u in ("个", "项", "processes", "items")},
    "percent": {"%": Decimal(1)},
    "money": {
        "元": Decimal(1),
        "cny": Decimal(1),
        "千元": Decimal(1000),
        "万": Decimal(10_000),
        "万元": Decimal(10_000),
        "10kcny": Decimal(10_000),
        "亿": Decimal(100_000_000),
        "亿元": Decimal(100_000_000),
    },
}
_UNIT_KIND = {unit: kind for kind, units in _KINDS.items() for unit in units}
MAX_DIGITS = 30


@dataclass(frozen=True)
class Figure:
    """A number read from text: its value in the expected unit, and the unit as typed.

    `misfit` is set when the typed unit is of another kind than the expected one; `converted`
    when the value was scaled (`1.2亿` read as 12000 for a question in 万元).
    """

    value: int | float
    unit: str
    misfit: bool = False
    converted: bool = False


def unit_key(unit: str) -> str:
    """A unit as it is compared: NFKC, no spaces, case folded (`台（套）` → `台(套)`)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", unit)).casefold()


def read_figure(text: str, expected: tuple[str, ...] = ()) -> Figure | None:
    """The figure `text` writes, measured in the first of `expected` units (its other names
    follow); None when `text` is not a number followed by at most a unit."""
    raw = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    match = _FIGURE.fullmatch(raw)
    if match is None or len(match["number"]) > MAX_DIGITS:
        return None
    typed = match["unit"]
    try:
        amount = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    if not typed:
        return Figure(_plain_number(amount), typed)
    wanted = [unit_key(u) for u in expected if u]
    if unit_key(typed) in wanted:
        return Figure(_plain_number(amount), typed)
    kind = _UNIT_KIND.get(unit_key(typed))
    target = next((w for w in wanted if _UNIT_KIND.get(w) == kind), None)
    if kind is None or target is None:
        return Figure(_plain_number(amount), typed, misfit=True)
    scale = _KINDS[kind][unit_key(typed)] / _KINDS[kind][target]
    if scale == 1:
        return Figure(_plain_number(amount), typed)
    return Figure(_plain_number(amount * scale), typed, converted=True)


def _plain_number(amount: Decimal) -> int | float:
    """A whole amount as an int (`35.0` counts 35 people); anything else as a float."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)
