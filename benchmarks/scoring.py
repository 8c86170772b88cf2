"""Scores many generated assessments and prints the time per assessment.

    python benchmarks/scoring.py [--firms 10000] [--questionnaire park_quick_scan] [--json]

Two figures: the whole path from an answer file on disk (read, validate, score) and scoring alone
(a validated AnswerSheet in memory). Aim: well under 1 ms per assessment for scoring, on one core.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from assessment import AnswerSheet, Questionnaire, load_answers, load_questionnaire
from assessment import score as score_one
from assessment.engine.loader import plan_of
from assessment.engine.plan import work_out
from assessment.errors import DtmError
from assessment.models import credit_code
from assessment.models.answers import Answer
from assessment.models.credit_code import ALPHABET


def random_value(q: Questionnaire, question: Any, rng: random.Random) -> Any:
    kind = question.type
    choices = q.choices_of(question)
    if kind == "single":
        return rng.choice(choices).id
    if kind == "multi":
        plain = [c.id for c in choices if not c.exclusive]
        exclusive = [c.id for c in choices if c.exclusive]
        if exclusive and rng.random() < 0.2:
            return exclusive[:1]
        return rng.sample(plain, rng.randint(1, len(plain))) if plain else exclusive[:1]
    if kind == "percent":
        return round(rng.uniform(0, 100), 1)
    if kind == "number":
        low = question.bands[0].min if question.bands else (question.min or 0)
        high = question.bands[-1].max if question.bands else (question.max or 500)
        figure = round(rng.uniform(low, min(high, 500)), 1)
        return round(figure) if question.integer else figure
    if kind == "yesno":
        return rng.choice(["yes", "no"])
    if kind == "ordinal":
        return rng.randint(0, question.max_level)
    return "备注"


def firm_document(q: Questionnaire, index: int, rng: random.Random) -> dict[str, Any]:
    body = "91320594MA1" + "".join(rng.choice(ALPHABET) for _ in range(6))
    answers: dict[str, Any] = {}
    for question in q.questions():
        if question.compute is None:
            answers[question.id] = random_value(q, question, rng)
    facts = {"industry": "machinery", "employees": 100.0, "revenue": None}
    shown = work_out(q, plan_of(q), {k: Answer(value=v) for k, v in answers.items()}, facts).shown
    answers = {k: v for k, v in answers.items() if shown.get(k, True)}
    return {
        "questionnaire": {"id": q.id, "version": q.version},
        "firm": {
            "name": f"企业{index}",
            "credit_code": credit_code.make(body),
            "industry": "machinery",
            "employees": 100,
        },
        "period": "2026Q3",
        "assessor": "bench",
        "assessed_on": "2026-09-01",
        "answers": answers,
    }


def valid_firm_document(q: Questionnaire, index: int, rng: random.Random) -> dict[str, Any]:
    """`firm_document` drawn again until the checks take it (a drawn firm may have, say, more
    networked devices than production devices), so that every generated firm is scored."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "firm.yaml"
        while True:
            doc = firm_document(q, index, rng)
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
            try:
                load_answers(path, q)
            except DtmError:
                continue
            return doc


def run(firms: int, questionnaire: str) -> dict[str, Any]:
    q = load_questionnaire(questionnaire)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(firms):
            path = Path(tmp) / f"{i:05d}.yaml"
            path.write_text(
                yaml.safe_dump(valid_firm_document(q, i, rng), allow_unicode=True),
                encoding="utf-8",
            )
            paths.append(path)
        start = time.perf_counter()
        sheets: list[AnswerSheet] = []
        for path in paths:
            sheet = load_answers(path, q)
            sheets.append(sheet)
            score_one(q, sheet)
        whole = time.perf_counter() - start
    laps = []
    for _ in range(3):
        start = time.perf_counter()
        for sheet in sheets:
            score_one(q, sheet)
        laps.append(time.perf_counter() - start)
    scoring = statistics.median(laps)
    return {
        "questionnaire": q.id,
        "questions": len(q.question_map),
        "assessments": firms,
        "ms_per_assessment_load_validate_score": round(whole / firms * 1000, 4),
        "ms_per_assessment_scoring_only": round(scoring / firms * 1000, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--questionnaire", default="park_quick_scan")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = run(args.firms, args.questionnaire)
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"questionnaire {figures['questionnaire']} ({figures['questions']} questions), "
        f"{figures['assessments']} assessments"
    )
    print(
        f"  read + validate + score: {figures['ms_per_assessment_load_validate_score']:.3f} ms "
        "per assessment"
    )
    print(
        f"  scoring alone:           {figures['ms_per_assessment_scoring_only']:.3f} ms "
        "per assessment"
    )


if __name__ == "__main__":
    main()
