"""Shared fixtures: the small test questionnaire and answer file, a way to write files, and the
sample firm with its reports rendered once per test session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import assessment
from assessment import Questionnaire
from tests.postgres import PostgresServer

if TYPE_CHECKING:
    from assessment.engine.pipeline import Assessment

DATA_DIR = Path(__file__).parent / "data"

WriteYaml = Callable[..., Path]


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """`dtm`'s messages follow $DTM_LANG, else the locale: tests read them in English unless they
    set DTM_LANG themselves, whatever the machine's locale."""
    monkeypatch.setenv("DTM_LANG", "en")


@pytest.fixture
def data_dir() -> Path:
    """The folder of test input files."""
    return DATA_DIR


@pytest.fixture
def mini_path() -> Path:
    """Path of the small questionnaire every test can rely on."""
    return DATA_DIR / "mini.yaml"


@pytest.fixture
def mini_answers_path() -> Path:
    """Path of a complete, valid answer file for the small questionnaire."""
    return DATA_DIR / "mini_answers.yaml"


@pytest.fixture
def mini_questionnaire() -> Questionnaire:
    """The small questionnaire, loaded and compiled."""
    return assessment.load_questionnaire(DATA_DIR / "mini.yaml")


@pytest.fixture
def write_yaml(tmp_path: Path) -> WriteYaml:
    """`write_yaml(text, name="file.yaml")` writes UTF-8 text in tmp_path; returns its path."""

    def write(text: str, name: str = "file.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session, in a temporary folder (see tests/postgres.py)."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sample_firm() -> Assessment:
    """The sample park's first firm of 2026Q3: notes, evidence and a previous quarter."""
    from assessment.engine.pipeline import assess
    from assessment.resources import sample_park_dir

    return assess(sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))[0])


class SampleReports(dict[tuple[str, str], bytes]):
    """The sample firm's PDFs by (kind, lang), each rendered the first time a test reads it."""

    KEYS = tuple((k, lang) for k in ("diagnosis", "scenarios") for lang in ("zh", "en"))

    def __init__(self, firm: Assessment) -> None:
        super().__init__()
        self.firm = firm

    def __missing__(self, key: tuple[str, str]) -> bytes:
        from assessment.report.render import render_diagnosis, render_scenarios

        kind, lang = key
        render = {"diagnosis": render_diagnosis, "scenarios": render_scenarios}[kind]
        self[key] = pdf = render(self.firm, lang=lang)  # type: ignore[arg-type]
        return pdf


@pytest.fixture(scope="session")
def sample_reports(sample_firm: Assessment) -> SampleReports:
    """The sample firm's diagnosis and scenario PDFs in both languages, by (kind, lang): each
    rendered once for every test file that reads it."""
    return SampleReports(sample_firm)
