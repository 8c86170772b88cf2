"""The library as an analyst imports it: one call, many files, one way to read text, rows."""

from __future__ import annotations

import functools
import importlib
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import typing
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import assessment
from assessment import Assessment, FailedFile, ScoreCard
from assessment.models.schema import schema_of

ROOT = Path(__file__).resolve().parents[1]
PARK = ROOT / "examples" / "sample_park"
FIRM = PARK / "2026Q3" / "91320594MA1A3K7R2A.yaml"


class _PathLike:
    """A path-like object that is not a `pathlib.Path`, as some libraries hand out."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __fspath__(self) -> str:
        return str(self._path)


@pytest.fixture(scope="module")
def result() -> Assessment:
    return assessment.assess(FIRM)


@pytest.mark.parametrize("given", [str(FIRM), FIRM, _PathLike(FIRM)], ids=["str", "Path", "fs"])
def test_assess_takes_any_path(given: str | os.PathLike[str], result: Assessment) -> None:
    assert assessment.assess(given).card == result.card


def test_assess_takes_an_answer_sheet(result: Assessment) -> None:
    sheet = assessment.load_answers(FIRM)
    again = assessment.assess(sheet)
    assert again.card == result.card
    assert [r.scenario for r in again.recommendations] == [
        r.scenario for r in result.recommendations
    ]


def _folder_with_bad_files(tmp_path: Path) -> Path:
    folder = tmp_path / "answers"
    folder.mkdir()
    for src in sorted((PARK / "2026Q3").glob("*.yaml"))[:3]:
        shutil.copy(src, folder / src.name)
    (folder / "0_broken.yaml").write_text("answers: [unclosed\n", encoding="utf-8")
    (folder / "1_questionnaire.yaml").write_text(
        (ROOT / "tests" / "data" / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize("workers", [None, 2])
def test_assess_many_goes_on_past_bad_files(tmp_path: Path, workers: int | None) -> None:
    folder = _folder_with_bad_files(tmp_path)
    out = list(assessment.assess_many(folder, workers=workers))
    assert [type(x).__name__ for x in out] == ["FailedFile"] * 2 + ["Assessment"] * 3
    broken, wrong_kind = out[0], out[1]
    assert isinstance(broken, FailedFile) and isinstance(wrong_kind, FailedFile)
    assert str(broken).startswith(f"{folder / '0_broken.yaml'}:2:1: YAML001")
    wrong = "FILE001 this is a questionnaire file, not an answer file"
    assert str(wrong_kind).startswith(f"{folder / '1_questionnaire.yaml'}: {wrong}")
    good = [x for x in out if isinstance(x, Assessment)]
    assert [a.card for a in good] == [assessment.assess(a.source).card for a in good]
    assert all(a.questionnaire.id == "park_quick_scan" for a in good)


def test_assess_many_takes_a_list_of_files(tmp_path: Path) -> None:
    files = [str(FIRM), tmp_path / "missing.yaml"]
    first, second = assessment.assess_many(files)
    assert isinstance(first, Assessment) and isinstance(second, FailedFile)
    assert second.problems[0].code == "FILE001"


def test_assess_many_names_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(assessment.UsageError, match="no such folder"):
        list(assessment.assess_many(tmp_path / "nowhere"))


def test_bilingual_text_reads_one_way(result: Assessment) -> None:
    card, rec = result.card, result.recommendations[0]
    texts = [
        card.level_name,
        card.dimensions[0].label,
        card.dimensions[0].interpretation,
        rec.name,
        rec.summary,
    ]
    for text in texts:
        assert text is not None
        assert (text["zh"], text["en"]) == (text.zh, text.en)
    with pytest.raises(KeyError, match="zh or en"):
        card.level_name["fr"]  # type: ignore[index]


def test_calling_a_level_name_still_works_and_warns(result: Assessment) -> None:
    with pytest.warns(DeprecationWarning, match=r"text\[lang\]"):
        old = result.card.level_name("en")  # type: ignore[operator]
    assert old == result.card.level_name.en == "Starting"


def test_the_library_itself_does_not_use_the_deprecated_way(result: Assessment) -> None:
    from rich.console import Console

    from assessment.cli.console import print_assessment
    from assessment.park.export import results_table

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        results_table([result.card], {}, {}, lang="en")
        print_assessment(result, Console(file=io.StringIO()))


def test_to_row_carries_level_names_and_every_dimension(result: Assessment) -> None:
    card = result.card
    row = card.to_row(lang="en")
    assert row["level_name"] == "Starting"
    assert card.to_row()["level_name"] == "起步级"
    for d in card.dimensions:
        assert row[d.id] == d.score
        assert row[f"{d.id}_coverage"] == d.coverage
    frame = card.to_dataframe(lang="en")
    assert list(frame.columns) == list(row)
    assert frame.iloc[0]["level_name"] == "Starting"


def test_results_frame_has_a_row_per_firm_and_skips_failures(tmp_path: Path) -> None:
    folder = _folder_with_bad_files(tmp_path)
    frame = assessment.results_frame(assessment.assess_many(folder), lang="en")
    assert len(frame) == 3
    assert {"level_name", "overall", "awareness", "awareness_coverage"} <= set(frame.columns)
    cards: list[ScoreCard] = [assessment.assess(f).card for f in sorted(folder.glob("9*.yaml"))]
    assert list(assessment.results_frame(cards)["credit_code"]) == [
        c.firm.credit_code for c in cards
    ]


def test_the_json_result_has_a_versioned_schema(result: Assessment) -> None:
    document = json.loads(json.dumps(result.to_document().model_dump(mode="json")))
    assert document["schema_version"] == "1.1"
    jsonschema.validate(document, schema_of("result"))
    assert document["recommendations"][0]["scenario"] == result.recommendations[0].scenario


def test_dtm_score_json_is_the_documented_result() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assessment", "score", str(FIRM), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    jsonschema.validate(json.loads(out), schema_of("result"))


def _properties(schema: dict[str, object]) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            found |= _properties(value)  # type: ignore[arg-type]
    elif isinstance(schema, list):
        for item in schema:
            found |= _properties(item)
    return found


def test_every_field_of_the_result_is_documented() -> None:
    doc = (ROOT / "docs" / "result-schema.md").read_text(encoding="utf-8")
    missing = sorted(f for f in _properties(schema_of("result")) if f"`{f}`" not in doc)
    assert not missing, f"docs/result-schema.md does not describe: {missing}"


def test_a_score_card_shows_itself_in_a_notebook(result: Assessment) -> None:
    html = result.card._repr_html_()
    assert "起步级" in html  # in Chinese unless asked otherwise (tests/test_notebook.py)
    assert html.count("<svg") == 1
    for d in result.card.dimensions:
        assert d.label.zh in html
    table = result.recommendations._repr_html_()
    assert table.count("<tr>") == len(result.recommendations) + 1
    assert result.recommendations[0].name.zh in table
    assert "起步级" in result._repr_html_()
    assert repr(result).startswith("<Assessment 91320594MA1A3K7R2A")


def test_recommendations_convert_to_a_frame(result: Assessment) -> None:
    frame = result.recommendations.to_dataframe(lang="en")
    assert list(frame["rank"]) == [r.rank for r in result.recommendations]
    assert frame.iloc[0]["name"] == result.recommendations[0].name.en


def test_every_public_name_resolves() -> None:
    for name in assessment.__all__:
        assert getattr(assessment, name) is not None, name
    importlib.import_module("assessment.engine.recommend")  # the module must not hide the function
    assert callable(assessment.recommend)
    assert assessment.recommend.__module__ == "assessment.engine.recommend"
    with pytest.raises(AttributeError):
        assessment.no_such_thing  # noqa: B018


def test_write_reports_takes_a_string(tmp_path: Path, result: Assessment) -> None:
    from assessment.report.render import write_reports

    written = write_reports(result, str(tmp_path / "out"))
    assert sorted(p.name for p in written.values()) == sorted(
        p.name for p in (tmp_path / "out").iterdir()
    )


HEAVY = ("weasyprint", "sqlalchemy", "openpyxl", "pandas", "jinja2", "babel")


@pytest.mark.parametrize(
    ("code", "unwanted"),
    [
        ("import assessment", (*HEAVY, "pydantic", "yaml")),
        ("import assessment.cli", (*HEAVY, "pydantic", "yaml", "rich")),
        (f"import assessment; assessment.assess({str(FIRM)!r})", HEAVY),
    ],
    ids=["package", "cli", "assess"],
)
def test_start_up_imports_only_what_is_used(code: str, unwanted: tuple[str, ...]) -> None:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {unwanted!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_the_start_up_benchmark_prints_both_ratios() -> None:
    out = subprocess.run(
        [sys.executable, "benchmarks/startup.py", "--json", "--runs", "1"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    figures = json.loads(out)
    assert {"import_ratio", "help_ratio", "baseline_s"} <= set(figures)


def test_every_path_taking_function_takes_strings(tmp_path: Path, result: Assessment) -> None:
    from assessment.batch import run_batch
    from assessment.park import export
    from assessment.park.from_files import peer_group
    from assessment.store import Store

    shipped = ROOT / "questionnaires"
    q = assessment.load_questionnaire(str(shipped / "park_quick_scan.yaml"))
    assessment.load_catalogue(_PathLike(shipped / "park_quick_scan_scenarios.yaml"), q)
    assert assessment.check_file(str(FIRM)).kind == "answers"
    assert assessment.questionnaire_for(result.sheet, str(FIRM)) is q
    assert peer_group(result, str(PARK / "2026Q3")).park_count > 1
    csv, xlsx = export.write_results(str(tmp_path), "2026Q3", [result.card], {}, {})
    assert csv.is_file() and xlsx.is_file()
    folder = _folder_with_bad_files(tmp_path)
    with Store.open(str(tmp_path / "park.db")) as store:
        out = str(tmp_path / "o")
        batch = run_batch(str(folder), period="2026Q3", out=out, store=store, render=False)
    assert len(batch.stored) == 3 and len(batch.failures) == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda missing: assessment.load_answers(missing),
        lambda missing: assessment.assess(missing),
        lambda missing: assessment.load_questionnaire(missing),
        lambda missing: assessment.load_catalogue(missing),
        lambda missing: list(assessment.assess_many(missing.parent / "no-folder")),
    ],
    ids=["load_answers", "assess", "load_questionnaire", "load_catalogue", "assess_many"],
)
def test_a_missing_file_is_a_file_not_found_error(tmp_path: Path, call: Any) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(FileNotFoundError) as caught:
        call(missing)
    assert isinstance(caught.value, assessment.DtmError)
    assert caught.value.filename in (str(missing), str(tmp_path / "no-folder"))
    assert str(caught.value).startswith(str(caught.value.filename))  # one located line


def test_an_unknown_language_is_a_value_error() -> None:
    result = assessment.assess(FIRM)
    for call in (
        lambda: assessment.results_frame([result], lang="fr"),  # type: ignore[arg-type]
        lambda: assessment.results_frame([], lang="fr"),  # type: ignore[arg-type]
        lambda: result.card.to_row("fr"),  # type: ignore[arg-type]
        lambda: result.recommendations.to_dataframe("fr"),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError, match="'fr' is not a language of dtm"):
            call()
    with pytest.raises(KeyError):
        result.card.level_name["fr"]  # type: ignore[index]


def test_an_unknown_language_is_a_dtm_error() -> None:
    result = assessment.assess(FIRM)
    for call in (
        lambda: assessment.results_frame([result], lang="fr"),  # type: ignore[arg-type]
        lambda: result.card.level_name["fr"],  # type: ignore[index]
        lambda: assessment.set_display_language("fr"),  # type: ignore[arg-type]
    ):
        caught = _caught_as_dtm_error(call)
        assert isinstance(caught, KeyError | ValueError)
        assert str(caught) == "'fr' is not a language of dtm (zh or en)"
        assert caught.message_id is not None  # marked: the CLI shows it in its language
    assert issubclass(assessment.UnknownLanguage, assessment.DtmError)


def _caught_as_dtm_error(call: Any) -> assessment.DtmError:
    """What `except DtmError` catches from `call`, as a user's code catches it."""
    try:
        call()
    except assessment.DtmError as caught:
        return caught
    raise AssertionError("nothing raised")


def test_assess_many_takes_one_file() -> None:
    (only,) = assessment.assess_many(str(FIRM))
    assert isinstance(only, assessment.Assessment)
    assert only.card.firm.credit_code == FIRM.stem


def test_the_stages_are_attributes_after_a_plain_import() -> None:
    code = (
        "import assessment; "
        "print(assessment.report.render.write_reports.__name__, assessment.store.Store.__name__)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["write_reports", "Store"]
    with pytest.raises(AttributeError):
        assessment.report.no_such_module  # noqa: B018


def test_a_rewritten_questionnaire_is_read_again_even_with_its_old_size_and_time(
    tmp_path: Path,
) -> None:
    source = Path("questionnaires/park_quick_scan.yaml").read_text("utf-8")
    path = tmp_path / "q.yaml"
    path.write_text(source.replace("weight: 15", "weight: 65", 1), "utf-8")
    before = os.stat(path)
    first = assessment.load_questionnaire(path)
    path.write_text(source.replace("weight: 15", "weight: 99", 1), "utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    second = assessment.load_questionnaire(path)
    weights = [
        (d.weight, e.weight) for d, e in zip(first.dimensions, second.dimensions, strict=True)
    ]
    assert (65, 99) in weights
    assert assessment.load_questionnaire(path) is second  # unchanged content: the cached one


def test_results_and_models_have_short_reprs(result: Assessment) -> None:
    shown = {
        "ScoreCard": result.card,
        "Questionnaire": result.questionnaire,
        "AnswerSheet": result.sheet,
        "Recommendation": result.recommendations[0],
        "Assessment": result,
        "Catalogue": assessment.load_catalogue("park_quick_scan_scenarios"),
    }
    for name, value in shown.items():
        text = repr(value)
        assert text.startswith(f"<{name} "), text
        assert len(text) < 200, text
    assert "Starting, overall 9.6," in repr(result.card)
    assert repr(result.recommendations).startswith("<RecommendationList of ")


def test_every_exported_model_within_a_result_has_a_short_repr(result: Assessment) -> None:
    exported = {
        value
        for value in (getattr(assessment, n) for n in assessment.__all__)
        if isinstance(value, type) and value.__module__.startswith("assessment")
    }
    catalogue = assessment.load_catalogue("park_quick_scan_scenarios")
    found: dict[int, Any] = {}
    for start in (result, result.questionnaire, result.to_document(), catalogue):
        _reachable(start, found)
    shown: dict[str, list[str]] = {}
    for value in found.values():
        if type(value) in exported:
            shown.setdefault(type(value).__name__, []).append(repr(value))
    for name in (
        "DimensionResult",
        "IndicatorResult",
        "QuestionResult",
        "LevelCheck",
        "RuleCheck",
        "Dimension",
        "Indicator",
        "Question",
        "Choice",
        "Level",
        "Scenario",
        "BilingualText",
        "ResultDocument",
        "Eligibility",
        "Answer",
        "Firm",
    ):
        assert name in shown, name
    for name, texts in shown.items():
        for text in texts:
            assert text.startswith(f"<{name} ") and text.endswith(">"), text
            assert "\n" not in text and len(text) <= 200, text


def _reachable(value: Any, found: dict[int, Any]) -> None:
    """Every model, list and mapping inside `value`, as a user's code can reach them."""
    from collections.abc import Mapping
    from dataclasses import fields, is_dataclass

    from pydantic import BaseModel

    if id(value) in found or isinstance(value, str | int | float | type(None)):
        return
    found[id(value)] = value
    if isinstance(value, BaseModel):
        inner = [getattr(value, name) for name in type(value).model_fields]
    elif is_dataclass(value) and not isinstance(value, type):
        inner = [getattr(value, f.name) for f in fields(value)]
    elif isinstance(value, Mapping):
        inner = list(value.values())
    elif isinstance(value, list | tuple):
        inner = list(value)
    else:
        inner = []
    for each in inner:
        _reachable(each, found)


def test_every_type_in_a_public_signature_is_public() -> None:
    public = {
        getattr(assessment, n)
        for n in assessment.__all__
        if isinstance(getattr(assessment, n), type)
    }
    checked: list[str] = []
    for name, value in _public_callables():
        hints = typing.get_type_hints(value)  # resolves: no name left undefined
        checked.append(name)
        for hint in hints.values():
            for arg in _types_in(hint):
                if arg.__module__.startswith("assessment"):
                    assert arg in public, f"{name} uses {arg.__qualname__}, which is not exported"
    for name in (
        "assess",
        "ScoreCard.to_dataframe",
        "ScoreCard.eligible",
        "RecommendationList.to_dataframe",
        "Assessment.to_document",
        "Questionnaire.choices_of",
        "Problem.as_text",
    ):
        assert name in checked, name
    assert not any(n.startswith("_") for n in assessment.__all__ if n != "__version__")
    assert assessment.BilingualText.__name__ == "BilingualText"


def _public_callables() -> list[tuple[str, Any]]:
    """Every public function, and every public method and property of every exported class."""
    found: list[tuple[str, Any]] = []
    for name in assessment.__all__:
        value = getattr(assessment, name)
        if isinstance(value, type):
            found += _public_members(name, value)
        elif callable(value) and not typing.get_origin(value):
            found.append((name, value))  # not a constant nor a type alias (`Lang`)
    return found


def _public_members(owner: str, cls: type) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(cls, name)
        if isinstance(raw, property):
            raw = raw.fget
        elif isinstance(raw, functools.cached_property):
            raw = raw.func
        elif isinstance(raw, staticmethod | classmethod):
            raw = raw.__func__
        if inspect.isfunction(raw) and raw.__module__.startswith("assessment"):
            found.append((f"{owner}.{name}", raw))
    return found


def test_checked_problems_are_a_sequence(tmp_path: Path) -> None:
    bad = tmp_path / "firm.yaml"
    text = FIRM.read_text("utf-8").replace("period: 2026Q3", "period: 2026Q9", 1)
    bad.write_text(text.replace("questionnaire:", "questionnare:", 1), "utf-8")
    checked = assessment.check_file(bad)
    problems = checked.problems
    assert isinstance(problems, assessment.ProblemList)
    assert len(problems) == len(problems.problems) >= 2
    assert list(problems) == problems.problems
    assert problems[0] == problems.problems[0] and problems[-1] == problems.problems[-1]
    assert problems[:1] == problems.problems[:1]
    assert all(isinstance(p, assessment.Problem) for p in problems)
    assert problems[0] in problems
    assert not assessment.check_file(FIRM).problems
    assert len(assessment.check_file(FIRM).problems) == 0


def _types_in(hint: Any) -> list[type]:
    found = [hint] if isinstance(hint, type) else []
    for arg in typing.get_args(hint):
        found += _types_in(arg)
    return found


def _written(signature: inspect.Signature) -> str:
    """A signature as docs/api.md writes it: names and defaults, `*` before keyword-only ones."""
    parts: list[str] = []
    for p in signature.parameters.values():
        if p.kind is p.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        default = "" if p.default is p.empty else "=" + json.dumps(p.default)
        for json_word, python_word in (("null", "None"), ("false", "False"), ("true", "True")):
            default = default.replace(json_word, python_word)
        parts.append(p.name + default)
    return ", ".join(parts)


# What the table of docs/api.md calls its examples' variables.
_TABLE_NAMES = {
    "card": ScoreCard,
    "result": Assessment,
    "result.recommendations": assessment.RecommendationList,
}


def _documented(dotted: str) -> Any:
    """What a call in docs/api.md names, reached as a user reaches it after `import assessment`:
    attribute by attribute, with no other import."""
    first, *rest = dotted.split(".")
    if first == "assessment":
        found: Any = assessment
    else:
        owner = max((n for n in _TABLE_NAMES if dotted.startswith(n + ".")), key=len)
        found, rest = _TABLE_NAMES[owner], dotted[len(owner) + 1 :].split(".")
    for part in rest:
        found = getattr(found, part)
    return found


def _matches(args: str, signature: inspect.Signature) -> bool:
    """The arguments as written: all of them, or the first ones and `…` for the rest."""
    parameters = [p for p in signature.parameters.values() if p.name != "self"]
    actual = _written(signature.replace(parameters=parameters)).split(", ")
    shown = args.split(", ") if args else []
    if shown and shown[-1] == "…":
        shown = shown[:-1]
        return shown == actual[: len(shown)] and len(actual) > len(shown)
    return shown == (actual if actual != [""] else [])


def test_the_signatures_in_the_api_doc_are_the_codes() -> None:
    text = Path("docs/api.md").read_text("utf-8")
    table = text.split("## One way to do each thing")[1].split("\n## ")[0]
    calls = re.findall(r"`(assessment(?:\.\w+)+)\(([^)`]*)\)`", text)
    calls += re.findall(r"`((?:card|result)(?:\.\w+)+)\(([^)`]*)\)`", table)
    assert len(calls) >= 20
    documented = {dotted for dotted, _ in calls}
    for dotted in (
        "assessment.report.render.write_reports",
        "assessment.queue.run_worker",
        "assessment.store.backup.backup",
        "assessment.store.backup.restore",
        "card.to_dataframe",
        "result.recommendations.to_dataframe",
    ):
        assert dotted in documented, dotted
    for dotted, args in calls:
        if dotted.count(".") == 1 and dotted.startswith("assessment."):
            assert dotted.split(".")[1] in assessment.__all__, dotted
        signature = inspect.signature(_documented(dotted))
        assert _matches(args, signature), f"{dotted}({args}) is really {dotted}{signature}"


def test_recommend_gives_the_same_list_assess_does_with_its_table() -> None:
    result = assessment.assess(FIRM)
    catalogue = assessment.load_catalogue("park_quick_scan_scenarios", result.questionnaire)
    recs = assessment.recommend(result.card, catalogue, result.questionnaire)
    assert isinstance(recs, assessment.RecommendationList)
    assert [r.scenario for r in recs] == [r.scenario for r in result.recommendations]
    frame = recs.to_dataframe(lang="en")
    for column in ("cost_min", "cost_max", "duration_months", "year", "start_month", "end_month"):
        assert column in frame.columns
    first = recs[0]
    assert frame.iloc[0]["duration_months"] == first.duration_months
    assert frame.iloc[0]["start_month"] == first.start_month
