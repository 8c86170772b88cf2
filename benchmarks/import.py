"""Times importing a workbook: firms per second read, checked and turned into answer sheets.

    python benchmarks/import.py [--firms 1000] [--json]

The workbook is made with `dtm template --xlsx` and filled with generated valid firms (choices by
id, multiple choices as Y columns); the figure includes reading the file and every check.
Aim: at least 200 firms per second.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
from scoring import valid_firm_document  # the generator of valid random answer files

from assessment import load_questionnaire
from assessment.collect import importer
from assessment.collect.xlsx_template import workbook_bytes
from assessment.models.questionnaire import Questionnaire


def cell(doc: dict[str, Any], field: str) -> Any:
    if field.startswith("firm."):
        return doc["firm"].get(field[5:])
    if field in ("period", "assessor", "assessed_on"):
        return doc.get(field)
    qid, _, choice = field.partition(".")
    value = doc["answers"].get(qid)
    if choice:
        return "Y" if isinstance(value, list) and choice in value else None
    return value


def make_workbook(path: Path, q: Questionnaire, firms: int) -> None:
    path.write_bytes(workbook_bytes(q, firms=firms))
    book = openpyxl.load_workbook(path)
    sheet = book["答卷"]
    ids = [str(c.value) for c in sheet[2]]
    rng = random.Random(7)
    for row in range(firms):
        doc = valid_firm_document(q, row, rng)
        doc["period"] = "2026Q3"
        for column, field in enumerate(ids, start=1):
            value = cell(doc, field)
            if value is not None:
                sheet.cell(row + 3, column, value)
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--firms", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    importer.FORMAT_MODULES = ("workbook",)
    q = load_questionnaire("park_quick_scan")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "park.xlsx"
        make_workbook(path, q, args.firms)
        start = time.perf_counter()
        report = importer.import_table(path, q)
        seconds = time.perf_counter() - start
    figures = {
        "firms": args.firms,
        "imported": len(report.imported.sheets),
        "problems": len(report.problems),
        "seconds": round(seconds, 3),
        "firms_per_second": round(args.firms / seconds, 1),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:>18}: {value}")


if __name__ == "__main__":
    main()
