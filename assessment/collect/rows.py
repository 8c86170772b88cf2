"""A firm's row as every import route reads it: its fields, each with the cell it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.labels import plain
from ..models.common import TextValue

T = TextValue
# The firm header, in the order the columns come first in every template.
FIRM_FIELDS: dict[str, TextValue] = {
    "firm.name": T(zh="企业名称", en="Firm name"),
    "firm.credit_code": T(zh="统一社会信用代码", en="Unified social credit code"),
    "firm.industry": T(zh="所属行业", en="Industry"),
    "firm.employees": T(zh="从业人数", en="Employees"),
    "firm.revenue": T(zh="营业收入（万元）", en="Revenue (10k CNY)"),
    "firm.park": T(zh="所属园区", en="Park"),
    "period": T(zh="评估期", en="Period"),
    "assessor": T(zh="评估人", en="Assessor"),
    "assessed_on": T(zh="评估日期", en="Assessment date"),
}
# Values that mean "no answer here": empty, or what survey platforms write for a skipped item.
EMPTY = {"", "(跳过)", "(空)", "-", "—"}


@dataclass
class Row:
    """One firm's answers as found in a table: each field's value and the cell it came from.

    Fields are `firm.name` … (see FIRM_FIELDS), `period`, `assessor`, `assessed_on`,
    `answers.<question id>`, `notes.<question id>` and `evidence.<question id>` (a list of
    file names); cells read like `答卷!F12`.
    """

    ref: str
    fields: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: Any, cell: str) -> None:
        self.fields[name] = value
        self.cells[name] = cell


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and plain(value) in EMPTY)
