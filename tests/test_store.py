"""The assessment store: round trips, revisions, migrations and concurrent writers."""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from assessment import UsageError
from assessment.engine.pipeline import Assessment, sample_park
from assessment.models import credit_code
from assessment.store import (
    DB_ENV,
    SCHEMA_VERSION,
    NewerStoreError,
    SaveAction,
    Store,
    StoreError,
    migrations,
    resolve_url,
)
from assessment.store.schema import Base
from tests.postgres import PostgresServer

WHEN = datetime(2026, 10, 8, 9, 30, tzinfo=UTC)


@functools.cache
def sample(period: str) -> list[Assessment]:
    return sample_park(period)


@pytest.fixture
def park_q3() -> list[Assessment]:
    """The shipped sample park's 2026Q3 assessments."""
    return sample("2026Q3")


@pytest.fixture
def park_q2() -> list[Assessment]:
    """The shipped sample park's 2026Q2 assessments."""
    return sample("2026Q2")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Where a test's SQLite store file goes."""
    return tmp_path / "dtm.db"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, store_path: Path) -> str:
    """A new, empty database on each backend: a SQLite file, and one on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{store_path}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture
def fresh_store(store_url: str) -> Iterator[Store]:
    """An empty store, on SQLite and on PostgreSQL."""
    with Store.open(store_url) as store:
        yield store


@pytest.fixture
def sqlite_store(store_path: Path) -> Iterator[Store]:
    """An empty store in a SQLite file, for what only SQLite has (WAL, file locks)."""
    with Store.open(store_path) as store:
        yield store


def reassessed(a: Assessment, **changes: Any) -> Assessment:
    """The same assessment with changed top-level fields of both the sheet and the card."""
    return dataclasses.replace(
        a, sheet=a.sheet.model_copy(update=changes), card=a.card.model_copy(update=changes)
    )


def as_firm(a: Assessment, code: str, name: str | None = None) -> Assessment:
    """The assessment as if another firm had given the same answers."""
    firm = a.card.firm.model_copy(update={"credit_code": code, "name": name or a.card.firm.name})
    return reassessed(a, firm=firm)


# Round trips


def test_saved_assessment_reads_back_equal(fresh_store: Store, park_q3: list[Assessment]) -> None:
    for a in park_q3:
        fresh_store.save(a, imported_at=WHEN, source_hash="ab" * 32)
    for a in park_q3:
        stored = fresh_store.get(a.card.firm.credit_code, "2026Q3")
        assert stored is not None
        assert stored.card == a.card
        assert stored.sheet == a.sheet
        assert (stored.overall, stored.coverage) == (a.card.overall, a.card.coverage)
        assert stored.level_id == (a.card.level.id if a.card.level else None)
        assert stored.questionnaire_hash == a.questionnaire.content_hash
        assert stored.questionnaire_version == a.questionnaire.version
        assert (stored.assessor, stored.assessed_on) == (a.card.assessor, a.card.assessed_on)
        assert stored.recommendations == a.recommendations
        assert stored.imported_at == WHEN
        assert stored.current and stored.revision == 1
    recommended = fresh_store.recommendations("2026Q3")
    assert recommended == {a.card.firm.credit_code: a.recommendations for a in park_q3}


def test_get_unknown_firm_is_none(fresh_store: Store) -> None:
    assert fresh_store.get(credit_code.make("91320594MA1YYYYY0"), "2026Q3") is None
    assert fresh_store.firm("nope") is None


def _visible(text: str) -> bool:
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Zs", "Mn") for c in text)


# Names as the answer files may hold them: no control characters, something visible.
names = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60
).filter(_visible)
raw_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    names,
    st.lists(names, max_size=4),
)


@st.composite
def assessments(draw: st.DrawFn, base: Assessment) -> Assessment:
    """A sample assessment with generated firm facts, answers and scores."""
    body = draw(st.text(credit_code.ALPHABET, min_size=17, max_size=17))
    firm = base.sheet.firm.model_copy(
        update={
            "credit_code": credit_code.make(body),
            "name": draw(names),
            "employees": draw(st.integers(0, 1_000_000)),
            "revenue": draw(st.none() | st.floats(0, 1e9)),
        }
    )
    answers = draw(
        st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), raw_values, max_size=6
        )
    )
    sheet = base.sheet.model_validate(
        {
            **base.sheet.model_dump(),
            "firm": firm.model_dump(),
            "assessor": draw(names),
            "answers": {
                k: {"value": v, "note": draw(st.none() | names)} for k, v in answers.items()
            },
        }
    )
    overall = draw(st.none() | st.floats(0, 100))
    card = base.card.model_validate(
        {**base.card.model_dump(), "firm": firm.model_dump(), "overall": overall}
    )
    return dataclasses.replace(base, sheet=sheet, card=card)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_assessment_round_trips(data: st.DataObject) -> None:
    a = data.draw(assessments(sample("2026Q3")[0]))
    with Store(create_engine("sqlite://")) as store:
        store.save(a)
        stored = store.get(a.card.firm.credit_code, a.card.period)
        assert stored is not None
        assert stored.sheet == a.sheet
        assert stored.card == a.card
        assert store.firm(a.card.firm.credit_code) == a.card.firm


# Revisions


def test_reimport_replaces_and_keeps_a_revision(
    fresh_store: Store, park_q3: list[Assessment]
) -> None:
    first = park_q3[0]
    code = first.card.firm.credit_code
    later = WHEN + timedelta(days=2)
    second = reassessed(first, assessor="李明")
    assert fresh_store.save(first, imported_at=WHEN).action is SaveAction.CREATED
    outcome = fresh_store.save(second, imported_at=later)
    assert (outcome.action, outcome.revision) == (SaveAction.REPLACED, 2)
    current = fresh_store.get(code, "2026Q3")
    assert current is not None and current.card.assessor == "李明"
    old, new = fresh_store.history(code)
    assert (old.revision, old.current, old.superseded_at) == (1, False, later)
    assert old.card == first.card and old.sheet == first.sheet
    assert (new.revision, new.current, new.superseded_at) == (2, True, None)
    assert len(fresh_store.list()) == 1


def test_same_content_again_is_unchanged_but_records_the_new_source_hash(
    fresh_store: Store, park_q3: list[Assessment]
) -> None:
    a = park_q3[0]
    code = a.card.firm.credit_code
    fresh_store.save(a, source_hash="1" * 64, imported_at=WHEN)
    outcome = fresh_store.save(a, source_hash="2" * 64, imported_at=WHEN + timedelta(hours=1))
    assert (outcome.action, outcome.revision) == (SaveAction.UNCHANGED, 1)
    assert fresh_store.source_hash(code, "2026Q3") == "2" * 64
    assert len(fresh_store.history(code)) == 1
    stored = fresh_store.get(code, "2026Q3")
    assert stored is not None and stored.imported_at == WHEN


def test_going_back_to_earlier_answers_is_a_new_revision(
    fresh_store: Store, park_q3: list[Assessment]
) -> None:
    a = park_q3[0]
    for version in (a, reassessed(a, assessor="李明"), a):
        fresh_store.save(version)
    history = fresh_store.history(a.card.firm.credit_code)
    assert [(r.revision, r.current, r.card.assessor) for r in history] == [
        (1, False, a.card.assessor),
        (2, False, "李明"),
        (3, True, a.card.assessor),
    ]


def test_history_spans_periods_oldest_first(
    fresh_store: Store, park_q2: list[Assessment], park_q3: list[Assessment]
) -> None:
    for a in [*park_q3, *park_q2]:
        fresh_store.save(a)
    code = park_q3[0].card.firm.credit_code
    assert [r.period for r in fresh_store.history(code)] == ["2026Q2", "2026Q3"]
    assert fresh_store.periods() == ["2026Q2", "2026Q3"]
    assert fresh_store.previous_period("2026Q3") == "2026Q2"
    assert fresh_store.previous_period("2026Q2") is None


def test_firm_facts_follow_the_latest_period(fresh_store: Store, park_q3: list[Assessment]) -> None:
    a = park_q3[0]
    fresh_store.save(a)
    older = reassessed(a, period="2026Q2", firm=a.card.firm.model_copy(update={"employees": 7}))
    fresh_store.save(older)
    firm = fresh_store.firm(a.card.firm.credit_code)
    assert firm is not None and firm.employees == a.card.firm.employees
    newer = reassessed(a, period="2026Q4", firm=a.card.firm.model_copy(update={"employees": 9}))
    fresh_store.save(newer)
    firm = fresh_store.firm(a.card.firm.credit_code)
    assert firm is not None and firm.employees == 9


def test_list_filters_by_period_and_industry(
    fresh_store: Store, park_q2: list[Assessment], park_q3: list[Assessment]
) -> None:
    for a in [*park_q2, *park_q3]:
        fresh_store.save(a)
    metal = [a for a in park_q3 if a.card.firm.industry == "metal_processing"]
    listed = fresh_store.list(period="2026Q3", industry="metal_processing")
    assert [r.credit_code for r in listed] == sorted(a.card.firm.credit_code for a in metal)
    assert len(fresh_store.list()) == len(park_q2) + len(park_q3)
    assert len(fresh_store.list(period="2026Q2")) == len(park_q2)
    cards = fresh_store.cards("2026Q3")
    assert sorted(c.firm.credit_code for c in cards) == [c.firm.credit_code for c in cards]
    assert {c.firm.credit_code: c for c in cards} == {
        a.card.firm.credit_code: a.card for a in park_q3
    }


def test_naive_import_time_is_refused(fresh_store: Store, park_q3: list[Assessment]) -> None:
    with pytest.raises(UsageError, match="timezone"):
        fresh_store.save(park_q3[0], imported_at=datetime(2026, 10, 8, 9, 30))
    assert fresh_store.list() == []


def test_import_time_comes_back_in_utc(fresh_store: Store, park_q3: list[Assessment]) -> None:
    beijing = timezone(timedelta(hours=8))
    fresh_store.save(park_q3[0], imported_at=WHEN.astimezone(beijing))
    stored = fresh_store.list()[0]
    assert stored.imported_at == WHEN and stored.imported_at.tzinfo == UTC


# Opening, URLs and migrations


@pytest.mark.parametrize(
    ("given_url", "env", "expected"),
    [
        (None, None, "sqlite:///dtm.db"),
        (None, "sqlite:////srv/park.db", "sqlite:////srv/park.db"),
        ("park.db", "sqlite:////srv/park.db", "sqlite:///park.db"),
        ("/data/park.db", None, "sqlite:////data/park.db"),
        ("postgresql+psycopg://dtm@db/park", None, "postgresql+psycopg://dtm@db/park"),
    ],
)
def test_url_comes_from_the_caller_then_the_environment(
    monkeypatch: pytest.MonkeyPatch, given_url: str | None, env: str | None, expected: str
) -> None:
    if env is None:
        monkeypatch.delenv(DB_ENV, raising=False)
    else:
        monkeypatch.setenv(DB_ENV, env)
    assert resolve_url(given_url) == expected


def test_every_connection_uses_wal_and_a_busy_timeout(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_no_connection_or_lock_is_held_between_calls(
    sqlite_store: Store, store_path: Path, park_q3: list[Assessment]
) -> None:
    sqlite_store.save(park_q3[0])
    sqlite_store.get(park_q3[0].card.firm.credit_code, "2026Q3")
    sqlite_store.list()
    assert sqlite_store.engine.pool.checkedout() == 0
    other = sqlite3.connect(store_path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("COMMIT")
    other.close()


def test_tables_made_by_migrations_match_the_models(fresh_store: Store) -> None:
    found = inspect(fresh_store.engine)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"]: c["nullable"] for c in found.get_columns(table.name)}
        assert columns == {c.name: c.nullable for c in table.columns}, table.name
        primary = found.get_pk_constraint(table.name)["constrained_columns"]
        assert primary == [c.name for c in table.primary_key.columns], table.name


def test_a_newer_store_is_refused_untouched(store_path: Path, park_q3: list[Assessment]) -> None:
    with Store.open(store_path) as store:
        store.save(park_q3[0])
    with sqlite3.connect(store_path) as db:
        db.execute(
            "INSERT INTO schema_version VALUES (?, '2030-01-01', '9.0')", (SCHEMA_VERSION + 1,)
        )
    with pytest.raises(
        NewerStoreError, match=rf"newer dtm \(schema {SCHEMA_VERSION + 1}\b.*upgrade dtm"
    ):
        Store.open(store_path)
    with sqlite3.connect(store_path) as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone() == (1,)


def copy_into_schema(source: Store, target_url: str, version: int) -> None:
    """Make a store at schema `version` and copy into it what `source` holds, column by column."""
    engine = create_engine(target_url)
    migrations.upgrade(engine, target=version)
    with source.engine.connect() as src, engine.begin() as dst:
        for table in ("firms", "assessments", "assessment_revisions"):
            names = [c["name"] for c in inspect(dst).get_columns(table)]
            listed = ", ".join(names)
            rows = src.execute(text(f"SELECT {listed} FROM {table}")).mappings().all()
            if rows:
                marks = ", ".join(f":{n}" for n in names)
                dst.execute(text(f"INSERT INTO {table} ({listed}) VALUES ({marks})"), rows)
    engine.dispose()


@pytest.fixture
def another_database(request: pytest.FixtureRequest, tmp_path: Path, store_url: str) -> str:
    """A second empty database on the same backend as `store_url`."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'other.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_store_at_every_earlier_schema_is_upgraded_with_its_data(
    fresh_store: Store, another_database: str, park_q3: list[Assessment], version: int
) -> None:
    for a in park_q3[:3]:
        fresh_store.save(a)
    fresh_store.save(reassessed(park_q3[0], assessor="李明"))
    copy_into_schema(fresh_store, another_database, version)
    with Store.open(another_database) as upgraded:
        assert upgraded.upgraded_from == version
        with upgraded.engine.connect() as conn:
            versions = conn.execute(text("SELECT version FROM schema_version")).scalars().all()
        assert sorted(versions) == list(range(1, SCHEMA_VERSION + 1))
        for a in park_q3[1:3]:
            stored = upgraded.get(a.card.firm.credit_code, "2026Q3")
            assert stored is not None and stored.card == a.card and stored.sheet == a.sheet
            # Recommendations were first stored in schema 2; before, they read back empty.
            assert stored.recommendations == (a.recommendations if version >= 2 else [])
        assert len(upgraded.history(park_q3[0].card.firm.credit_code)) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"%PDF-1.7 not a database at all" * 100, "not a database")],
)
def test_a_file_that_is_not_a_store_is_a_clear_error(
    store_path: Path, content: bytes, message: str
) -> None:
    store_path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store.open(store_path)


def test_a_store_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unable to open"):
        Store.open(tmp_path / "no" / "such" / "dtm.db")


def test_a_database_url_error_never_shows_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql+psycopg://dtm:s3cret@127.0.0.1:1/park")
    assert "s3cret" not in str(caught.value)


def test_an_existing_engine_can_be_handed_in(park_q3: list[Assessment]) -> None:
    with Store(create_engine("sqlite://")) as store:
        store.save(park_q3[0])
        assert store.periods() == ["2026Q3"]


# Two processes writing at once

SHARED = 10
EACH = 50


def _write_fifty(path: str, writer: int, ready: Any) -> None:
    """Save EACH assessments: SHARED firms both writers save, the rest this writer's own."""
    base = sample("2026Q3")
    batch = []
    for i in range(EACH):
        if i < SHARED:
            code = credit_code.make(f"91320594MA1XH{i:04d}")
            batch.append(reassessed(as_firm(base[i], code), assessor=f"assessor {writer}"))
        else:
            code = credit_code.make(f"91320594MA{writer}W{i:05d}")
            batch.append(as_firm(base[i % len(base)], code))
    ready.wait()
    with Store.open(path) as store:  # both create the new store at once, too
        for a in batch:
            store.save(a)


WRITERS = 8


def test_eight_processes_writing_at_once_lose_nothing(store_url: str) -> None:
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Barrier(WRITERS)
    writers = [
        spawn.Process(target=_write_fifty, args=(store_url, n, ready))
        for n in range(1, WRITERS + 1)
    ]
    for w in writers:
        w.start()
    for w in writers:
        w.join(timeout=600)
    assert [w.exitcode for w in writers] == [0] * WRITERS
    with Store.open(store_url) as store, store.engine.connect() as db:
        current = db.execute(text("SELECT count(*) FROM assessments")).scalar_one()
        kept = db.execute(text("SELECT count(*) FROM assessment_revisions")).scalar_one()
        firms = db.execute(text("SELECT count(*) FROM firms")).scalar_one()
        shared = [
            len(store.history(credit_code.make(f"91320594MA1XH{i:04d}"))) for i in range(SHARED)
        ]
    # Each writer's own firms once; the shared firms once per writer, all but one as revisions.
    assert current == WRITERS * (EACH - SHARED) + SHARED
    assert kept == (WRITERS - 1) * SHARED
    assert current + kept == WRITERS * EACH
    assert firms == current
    assert shared == [WRITERS] * SHARED
