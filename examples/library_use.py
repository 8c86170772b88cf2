"""A user's own module over the library: a quarter of the sample park assessed, looked at as
tables, and bad input handled with the exceptions Python users know.

    python examples/library_use.py [zh|en]

It passes `mypy --strict` and pyright with no error, and runs in the test suite
(tests/test_docs_snippets.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import cast

import pandas as pd

import assessment
from assessment import Assessment, DtmError, FailedFile, Lang, ScoreCard, ValidationFailed

QUARTER = Path(__file__).resolve().parent / "sample_park" / "2026Q3"


def assess_quarter(folder: Path) -> tuple[list[Assessment], list[FailedFile]]:
    """Every firm of the folder assessed, and the files that could not be."""
    assessed: list[Assessment] = []
    failed: list[FailedFile] = []
    for item in assessment.assess_many(folder):
        if isinstance(item, FailedFile):
            failed.append(item)
        else:
            assessed.append(item)
    return assessed, failed


def weakest_dimension(card: ScoreCard, lang: Lang) -> str:
    """The scored dimension with the lowest score, by its label."""
    rated = [(d.score, d.label[lang]) for d in card.dimensions if d.scored and d.score is not None]
    return min(rated)[1] if rated else "-"


def levels(frame: pd.DataFrame) -> pd.Series[int]:
    """How many firms are at each level."""
    return frame["level_name"].value_counts()


def first_year(result: Assessment, lang: Lang) -> pd.DataFrame:
    """The scenarios the firm's plan starts in year one, with their cost to the firm."""
    table = result.recommendations.to_dataframe(lang=lang)
    return table.loc[table["year"] == 1, ["rank", "name", "firm_cost_min", "firm_cost_max"]]


def handled_errors(lang_typed: str) -> list[str]:
    """What the library raises for a missing file, a broken file and an unknown language."""
    caught: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        try:
            assessment.assess(Path(scratch) / "missing.yaml")
        except FileNotFoundError as exc:
            caught.append(f"FileNotFoundError: {exc}")
        broken = Path(scratch) / "broken.yaml"
        text = (QUARTER / "91320594MA1A3K7R2A.yaml").read_text(encoding="utf-8")
        broken.write_text(text.replace("employees: 38", "employees: many"), encoding="utf-8")
        try:
            assessment.assess(broken)
        except ValidationFailed as exc:
            caught.append(f"ValidationFailed: {len(exc.problems)} problem(s), {exc.problems[0]}")
        except DtmError as exc:  # any other bad input the library names
            caught.append(f"DtmError: {exc}")
    try:
        # A language typed by a user goes in unchecked; the library refuses an unknown one.
        assessment.results_frame([], lang=cast(Lang, lang_typed))
    except ValueError as exc:
        caught.append(f"ValueError: {exc}")
    return caught


def main(argv: list[str]) -> int:
    lang: Lang = "en" if argv[1:2] == ["en"] else "zh"
    assessed, failed = assess_quarter(QUARTER)
    print(f"{len(assessed)} firms assessed, {len(failed)} failed")
    frame = assessment.results_frame(assessed, lang=lang)
    print(frame[["name", "level_name", "overall"]].sort_values("overall").head(3).to_string())
    print(levels(frame).to_string())
    last = min(assessed, key=lambda a: a.card.overall or 0.0)
    print(f"furthest behind: {last.card.firm.name}, in {weakest_dimension(last.card, lang)}")
    print(first_year(last, lang).to_string(index=False))
    for line in handled_errors("fr"):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
