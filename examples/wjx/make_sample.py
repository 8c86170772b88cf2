"""Writes park_quick_scan_answers.xlsx: 12 sample-park firms as 问卷星 downloads them (按选项文本).

The survey is the one `dtm template park_quick_scan --wjx` describes, so the headers are its
numbered question texts; a multiple choice is joined with `┋`, a question hidden by skip logic
reads `(跳过)` and an unanswered optional one `(空)`, as 问卷星 writes them. One firm typed its
head-count with full-width digits. Run from the repository root:

    python examples/wjx/make_sample.py
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from assessment import AnswerSheet, Questionnaire, load_answers, load_questionnaire
from assessment.collect.wjx_text import HEADER_FIELDS, asked_questions, options, wjx_text
from assessment.models.industries import INDUSTRIES

HERE = Path(__file__).parent
ANSWERS = HERE.parent / "sample_park" / "2026Q3"
OUT = HERE / "park_quick_scan_answers.xlsx"
FIRMS = 12
FIXED = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
STATUS = {"n/a": "不适用", "unknown": "不知道"}
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def headers(q: Questionnaire) -> list[str]:
    text, _ = wjx_text(q)
    found = (re.match(r"^(\d+)\. (.*?)\*?\[.+\]$", line) for line in text.splitlines())
    return [*FIXED, *(f"{m.group(1)}、{m.group(2)}" for m in found if m)]


def shown(q: Questionnaire, qid: str, value: Any) -> Any:
    labels = {v: label for label, v in options(q, q.question_map[qid])}
    if isinstance(value, list):
        return "┋".join(labels[v] for v in value)
    if labels:
        return labels[value]
    return STATUS.get(value, value) if isinstance(value, str) else value


def row(q: Questionnaire, number: int, sheet: AnswerSheet) -> list[Any]:
    submitted = datetime(2026, 7, 6, 9, 0) + timedelta(days=number * 3, minutes=number * 47)
    firm = sheet.firm.model_dump()
    values: list[Any] = [
        number,
        submitted.strftime("%Y-%m-%d %H:%M:%S"),
        f"{900 + number * 53}秒",
        "微信" if number % 3 else "链接",
        "N/A",
        f"58.211.{number}.{20 + number}(江苏-苏州)",
    ]
    own = {
        "firm.industry": INDUSTRIES[firm["industry"]].zh,
        "period": sheet.period,
        "assessor": sheet.assessor,
        "assessed_on": sheet.assessed_on.isoformat(),
    }
    for name, _ in HEADER_FIELDS:
        value = own.get(name, firm.get(name.removeprefix("firm.")))
        values.append("(空)" if value is None else value)
    if number == 5:
        values[len(FIXED) + 3] = str(firm["employees"]).translate(FULL_WIDTH)
    for question in asked_questions(q):
        answer = sheet.answers.get(question.id)
        if answer is None or answer.value is None:
            values.append("(跳过)" if question.when else "(空)")
        else:
            values.append(shown(q, question.id, answer.value))
    return values


def fixed_dates(xlsx: bytes) -> bytes:
    """The workbook with every zip entry dated alike, so the file only changes with its content."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 10, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-10-01T00:00:00Z", data
                )
            target.writestr(entry, data)
    return out.getvalue()


def main() -> None:
    q = load_questionnaire("park_quick_scan")
    sheets = [load_answers(p, q) for p in sorted(ANSWERS.glob("*.yaml"))[:FIRMS]]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(headers(q))
    for number, answers in enumerate(sheets, start=1):
        sheet.append(row(q, number, answers))
    book.properties.created = datetime(2026, 10, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    OUT.write_bytes(fixed_dates(buffer.getvalue()))
    print(f"wrote {OUT.name}: {len(sheets)} firms")


if __name__ == "__main__":
    main()
