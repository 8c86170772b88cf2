"""Shared fixtures: the small test questionnaire and answer file, and a way to write files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import assessment
from assessment import Questionnaire
from tests.postgres import PostgresServer

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
