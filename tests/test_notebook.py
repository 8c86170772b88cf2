"""The example notebook runs top to bottom on the sample park, and is committed without outputs."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest

import assessment
from assessment.models.common import Lang

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "park_analysis.ipynb"


def test_the_committed_notebook_has_no_outputs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_the_notebook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    monkeypatch.setenv("PYTHONPATH", path)  # the kernel imports this tree's dtm
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": NOTEBOOK.parent}}
    )
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "<svg" in shown and "<table" in shown
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1  # the level distribution


FIRM = ROOT / "examples" / "sample_park" / "2026Q3" / "91320594MA1A3K7R2A.yaml"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ENGLISH_WORDS = ("overall", "coverage", "score", "dimension", "rank", "priority", "Now", "Later")


@pytest.fixture(scope="module")
def result() -> assessment.Assessment:
    return assessment.assess(FIRM)


@pytest.fixture
def english() -> Iterator[None]:
    assessment.set_display_language("en")
    try:
        yield
    finally:
        assessment.set_display_language("zh")


def _views(result: assessment.Assessment, lang: Lang | None) -> dict[str, str]:
    if lang is None:
        return {
            "card": result.card._repr_html_(),
            "recommendations": result.recommendations._repr_html_(),
            "assessment": result._repr_html_(),
        }
    return {
        "card": result.card.to_html(lang=lang),
        "recommendations": result.recommendations.to_html(lang=lang),
        "assessment": result.to_html(lang=lang),
    }


def _assert_chinese(result: assessment.Assessment, html: str) -> None:
    assert result.card.level_name.zh in html
    assert result.card.level_name.en not in html
    for word in ENGLISH_WORDS:
        assert re.search(rf"\b{word}\b", html) is None, word


def _assert_english(result: assessment.Assessment, html: str) -> None:
    # The firm's registered name is a proper name; nothing else is in Chinese.
    assert not CJK.findall(html.replace(escape(result.card.firm.name), "")), CJK.findall(html)


@pytest.mark.parametrize("lang", [None, "zh"], ids=["default", "zh"])
def test_notebook_views_are_chinese_by_default_and_on_request(
    result: assessment.Assessment, lang: Lang | None
) -> None:
    views = _views(result, lang)
    for d in result.card.dimensions:
        assert d.label.zh in views["card"] and d.label.en not in views["card"]
    assert result.recommendations[0].name.zh in views["recommendations"]
    assert result.recommendations[0].name.en not in views["recommendations"]
    _assert_chinese(result, views["card"])
    _assert_chinese(result, views["assessment"])
    for word in ENGLISH_WORDS:
        assert re.search(rf"\b{word}\b", views["recommendations"]) is None, word


def test_notebook_views_in_english_on_request(result: assessment.Assessment) -> None:
    views = _views(result, "en")
    for d in result.card.dimensions:
        assert d.label.en in views["card"]
    assert result.recommendations[0].name.en in views["recommendations"]
    for html in views.values():
        _assert_english(result, html)
    assert result.card.level_name.en in views["card"]
    assert result.card.level_name.en in views["assessment"]
    assert views["card"].count("<svg") == 1
    assert views["recommendations"].count("<tr>") == len(result.recommendations) + 1


def test_the_display_language_sets_what_a_notebook_shows(
    result: assessment.Assessment, english: None
) -> None:
    views = _views(result, None)
    assert views == _views(result, "en")
    for html in views.values():
        _assert_english(result, html)
    assert result.card.level_name.en in views["card"]


def test_an_unknown_display_language_is_refused(result: assessment.Assessment) -> None:
    with pytest.raises(ValueError, match="fr"):
        assessment.set_display_language("fr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fr"):
        result.card.to_html(lang="fr")  # type: ignore[arg-type]
    _assert_chinese(result, result.card._repr_html_())


def test_no_recommendations_say_so_in_the_language(result: assessment.Assessment) -> None:
    empty = assessment.RecommendationList()
    assert CJK.search(empty.to_html(lang="zh"))
    assert not CJK.search(empty.to_html(lang="en"))
