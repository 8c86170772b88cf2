"""The one rounding policy for what people read: half up, once, at display time only.

Scores are kept unrounded (or to 2 places in stored results) and every rule compares them
unrounded; only the text shown to a reader is rounded, here.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def rounded(value: float, digits: int = 1) -> Decimal:
    """`value` rounded half up to `digits` places, as decimal text reads it (80.45 → 80.5)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def shortfall(value: float) -> str:
    """A shortfall rounded *up* to one decimal, so that closing the shown gap is always enough
    and a real shortfall never shows as 0."""
    return f"{math.ceil(round(value * 10, 6)) / 10:g}"


def one_decimal(value: float) -> str:
    return f"{rounded(value, 1):f}"


def period(value: str, lang: str) -> str:
    """A period as people say it: `2026Q3` → 2026年第3季度, or Q3 2026."""
    year, quarter = value.split("Q")
    return f"{year}年第{quarter}季度" if lang == "zh" else f"Q{quarter} {year}"
