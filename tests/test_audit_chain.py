"""The audit log's hash chain: every line follows from the one before, on SQLite and PostgreSQL;
a line edited by the owner of the tables, triggers switched off, is named by check-store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from assessment import assess
from assessment.accounts import Accounts
from assessment.accounts.audit import AuditEntry, AuditLog
from assessment.cli import app
from assessment.store import Store, migrations
from assessment.store.chain import verify_chain
from assessment.store.migrations import MIGRATIONS, upgrade
from tests.postgres import PostgresServer
from tests.test_backup import Q3
from tests.test_one_language import stray_english

runner = CliRunner()
PASSWORD = "a long enough password"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return str(tmp_path_factory.mktemp("chain") / "dtm.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def lines_written(store: Store) -> None:
    accounts = Accounts(store)
    accounts.add("admin", "admin", password=PASSWORD, by="setup")
    accounts.add("li", "consultant", password=PASSWORD, by="admin")
    AuditLog(store).append(
        AuditEntry("answer", "li", question="q1", old=None, new='{"value": 3}'),
        AuditEntry("answer", "li", question="q2", old='{"value": "否"}', new='{"value": "是"}'),
    )


def test_every_line_follows_from_the_one_before(url: str) -> None:
    with Store.open(url) as store:
        lines_written(store)
        with store.engine.connect() as conn:
            assert verify_chain(conn) is None
        assert store.check_rows() == []


def test_lines_written_before_the_chain_are_chained_by_the_migration(url: str) -> None:
    engine = create_engine(url if "://" in url else f"sqlite:///{url}")
    # the store as it was just before the migration that brought the chain
    before_chain = MIGRATIONS.index(migrations._audit_chain_and_secrets)
    upgrade(engine, target=before_chain)
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, username, action, new) VALUES (:at, 'a', 'x', :n)"
                ),
                {"at": datetime(2026, 11, 1, 8, n, 0, 123456), "n": str(n)},
            )
    engine.dispose()
    with Store.open(url) as store:
        assert store.upgraded_from == before_chain
        AuditLog(store).append(AuditEntry("login", "a"))
        assert store.check_rows() == []
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET new = 'changed'"))


def test_a_line_edited_with_the_triggers_off_is_named(url: str) -> None:
    with Store.open(url) as store:
        lines_written(store)
        with store.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            else:
                conn.execute(text("DROP TRIGGER audit_log_no_UPDATE"))
            conn.execute(text("""UPDATE audit_log SET new = '{"value": 4}' WHERE id = 3"""))
    checked = runner.invoke(app, ["check-store", "--db", url])
    assert checked.exit_code == 1
    broken, head, summary = checked.output.splitlines()
    assert broken == (
        "audit log line 3: its hash does not match (the line, or one before it, was changed or "
        "removed after it was written; the 2 lines before it are intact)"
    )
    assert head.startswith("audit log: 4 lines, the last is line 4 with chain ")
    assert summary == "0 assessments stored, 0 damaged; 1 other problems (above)"


def test_a_removed_line_breaks_the_chain_at_the_next(url: str) -> None:
    with Store.open(url) as store:
        lines_written(store)
        with store.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            else:
                conn.execute(text("DROP TRIGGER audit_log_no_DELETE"))
            conn.execute(text("DELETE FROM audit_log WHERE id = 2"))
        with store.engine.connect() as conn:
            broken = verify_chain(conn)
    assert broken is not None and (broken.line, broken.checked) == (3, 1)


def test_appenders_at_once_keep_one_chain(url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with Store.open(url) as store:
        log = AuditLog(store)

        def write(n: int) -> None:
            for i in range(10):
                log.append(AuditEntry("answer", f"u{n}", at=datetime.now(UTC), new=str(i)))

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(write, range(4)))
        assert log.count() == 40
        assert store.check_rows() == []


def test_imports_write_audit_lines_beside_their_revisions(tmp_path: Path) -> None:
    from tests.test_backup import revised

    db = tmp_path / "park.db"
    folder = tmp_path / "answers"
    folder.mkdir()
    for path in Q3[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    args = ["batch", str(folder), "--period", "2026Q3", "--out", str(tmp_path / "out")]
    stored = runner.invoke(app, [*args, "--no-render", "--db", str(db)])
    assert stored.exit_code == 0, stored.output
    with Store.open(db, create=False) as store:
        log = AuditLog(store)
        imports = [e for e in log.entries() if e.action == "assessment.import"]
        assert sorted(e.new or "" for e in imports) == [
            f"revision 1 from dtm batch {p.name}" for p in Q3[:2]
        ]
        assert all(e.username and e.username.startswith("cli") for e in imports)
        first = log.count()
        assert log.count("answer") == first - 2 > 0
    changed = revised(Q3[0], tmp_path)  # another assessor: same answers, a new revision
    doc = yaml.safe_load(changed.read_text("utf-8"))
    qid = "digital_spend"
    doc["answers"][qid] = doc["answers"][qid] + 1
    (folder / Q3[0].name).write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    again = runner.invoke(app, [*args, "--no-render", "--db", str(db)])
    assert again.exit_code == 0, again.output
    with Store.open(db, create=False) as store:
        log = AuditLog(store)
        latest = log.entries(limit=log.count() - first)
        assert [e.action for e in latest] == ["assessment.import", "answer"]
        assert (
            latest[0].old == "revision 1"
            and latest[0].new == f"revision 2 from dtm batch {Q3[0].name}"
        )
        assert latest[1].question == qid
        assert store.check_rows() == []
    unchanged = runner.invoke(app, [*args, "--no-render", "--db", str(db)])
    assert unchanged.exit_code == 0
    with Store.open(db, create=False) as store:
        assert AuditLog(store).count() == first + 2


def test_dtm_import_writes_an_audit_line_per_firm(tmp_path: Path) -> None:
    sample = Path(__file__).parent.parent / "examples" / "wjx" / "park_quick_scan_answers.xlsx"
    db = tmp_path / "park.db"
    result = runner.invoke(app, ["import", str(sample), "--period", "2026Q3", "--db", str(db)])
    assert result.exit_code == 0, result.output
    with Store.open(db, create=False) as store:
        lines = [e for e in AuditLog(store).entries() if e.action == "assessment.import"]
        assert len(lines) == 12
        assert {e.new for e in lines} == {f"revision 1 from dtm import {sample.name}"}
        assert store.check_rows() == []


@pytest.fixture
def owned(postgres_server: PostgresServer) -> tuple[str, str, str]:
    """A database owned by an ordinary owner role, and an app role: (owner URL, app URL, app)."""
    tag = uuid.uuid4().hex[:8]
    owner, app_role, name = f"owner_{tag}", f"app_{tag}", f"t_roles_{tag}"
    engine = create_engine(postgres_server.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {app_role} LOGIN"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {owner}"))
    engine.dispose()
    base = make_url(postgres_server.url(name))
    as_owner = base.set(username=owner).render_as_string(hide_password=False)
    as_app = base.set(username=app_role).render_as_string(hide_password=False)
    Store.open(as_owner).close()
    return as_owner, as_app, app_role


def test_the_app_role_cannot_rewrite_the_audit_log(owned: tuple[str, str, str]) -> None:
    as_owner, as_app, app_role = owned
    granted = runner.invoke(app, ["db", "roles", app_role, "--db", as_owner])
    assert granted.exit_code == 0, granted.output
    assert f"{app_role} may now read and write the" in granted.output
    with Store.open(as_app, create=False) as store:  # the services' everyday work
        lines_written(store)
        store.save(assess(Q3[0]))
        for refused in (
            "ALTER TABLE audit_log DISABLE TRIGGER USER",
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
            "DROP TRIGGER audit_log_no_change ON audit_log",
            "UPDATE audit_log SET new = 'x' WHERE id = 1",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "UPDATE schema_version SET version = 99",
            "CREATE TABLE spare (id int)",
        ):
            with (
                pytest.raises(DBAPIError, match=r"must be owner|permission denied"),
                store.engine.begin() as conn,
            ):
                conn.execute(text(refused))
        assert store.check_rows() == []
    # The owner can, and is found out.
    with Store.open(as_owner, create=False) as store, store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE audit_log SET username = 'someone' WHERE id = 2"))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    checked = runner.invoke(app, ["check-store", "--db", as_app])
    assert checked.exit_code == 1
    assert checked.output.startswith("audit log line 2: its hash does not match")


@pytest.mark.parametrize(
    ("who", "role", "message"),
    [
        ("owner", "nobody_here", "there is no role nobody_here; create it first"),
        ("owner", "{owner}", "is the role running this command"),
        ("owner", "dtm", "is a superuser"),
        ("app", "{app}", "permission denied for table schema_version: this role may not do"),
        ("owner", "Robert'); DROP", "not a plain role name"),
    ],
)
def test_db_roles_mistakes_are_one_line(
    owned: tuple[str, str, str], who: str, role: str, message: str
) -> None:
    as_owner, as_app, app_role = owned
    url = as_owner if who == "owner" else as_app
    named = role.format(owner=make_url(as_owner).username, app=app_role)
    result = runner.invoke(app, ["db", "roles", named, "--db", url], env={"DTM_LANG": "en"})
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ") and message in line
    chinese = runner.invoke(app, ["db", "roles", named, "--db", url], env={"DTM_LANG": "zh"})
    assert chinese.exit_code == 2, chinese.output
    (line,) = chinese.output.strip().splitlines()
    assert line.startswith("错误：") and message not in line
    if who == "owner":  # the other names PostgreSQL's own words, which it says in English
        assert stray_english(line.replace(named, " ")) == [], line


def test_db_roles_on_sqlite_says_what_protects_it(tmp_path: Path) -> None:
    db = tmp_path / "dtm.db"
    Store.open(db).close()
    result = runner.invoke(app, ["db", "roles", "dtm_app", "--db", str(db)])
    assert result.exit_code == 2
    assert "a SQLite store is protected by its file's owner and mode" in result.output


def printed_head(output: str) -> str:
    """The `ID:HASH` that check-store's audit line tells to keep."""
    (line,) = [line for line in output.splitlines() if line.startswith("audit log: ")]
    return line.rsplit("--audit-head ", 1)[1].rstrip(")")


def without_triggers(conn: Connection) -> None:
    """What the owner of the tables (or of the SQLite file) can do."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    else:
        conn.execute(text("DROP TRIGGER audit_log_no_UPDATE"))
        conn.execute(text("DROP TRIGGER audit_log_no_DELETE"))


def test_check_store_prints_the_audit_head_to_keep(url: str) -> None:
    with Store.open(url) as store:
        empty = runner.invoke(app, ["check-store", "--db", url])
        assert (empty.exit_code, empty.output) == (
            0,
            "audit log: 0 lines\n0 assessments stored, 0 damaged\n",
        )
        lines_written(store)
        with store.engine.connect() as conn:
            last, chain = conn.execute(
                text("SELECT id, chain FROM audit_log ORDER BY id DESC LIMIT 1")
            ).one()
    checked = runner.invoke(app, ["check-store", "--db", url])
    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines() == [
        f"audit log: 4 lines, the last is line {last} with chain {chain} "
        f"(keep it to check later: dtm check-store --audit-head {last}:{chain})",
        "0 assessments stored, 0 damaged",
    ]
    again = runner.invoke(app, ["check-store", "--db", url, "--audit-head", f"{last}:{chain}"])
    assert (again.exit_code, again.output) == (0, checked.output)
    zh = runner.invoke(app, ["check-store", "--db", url], env={"DTM_LANG": "zh"})
    assert zh.output.splitlines()[0].startswith(f"审计日志：共 4 行，最后一行为第 {last} 行")
    assert printed_head(checked.output) == f"{last}:{chain}"


def test_removed_last_lines_are_caught_against_a_kept_head(url: str) -> None:
    with Store.open(url) as store:
        lines_written(store)
        AuditLog(store).append(*(AuditEntry("answer", "li", new=str(n)) for n in range(5)))
        kept = printed_head(runner.invoke(app, ["check-store", "--db", url]).output)
        with store.engine.begin() as conn:
            without_triggers(conn)
            conn.execute(text("DELETE FROM audit_log WHERE id > 6"))
    # the chain that is left is intact: only the kept head shows what went
    plain = runner.invoke(app, ["check-store", "--db", url])
    assert plain.exit_code == 0
    assert printed_head(plain.output) != kept
    checked = runner.invoke(app, ["check-store", "--db", url, "--audit-head", kept])
    assert checked.exit_code == 1
    line = kept.split(":")[0]
    assert checked.output.splitlines()[0] == (
        f"audit log line {line}: the kept head is no longer in the log (lines were removed "
        "from its end)"
    )
    summary = "0 assessments stored, 0 damaged; 1 other problems (above)"
    assert checked.output.splitlines()[-1] == summary
    args = ["check-store", "--db", url, "--audit-head", kept]
    zh = runner.invoke(app, args, env={"DTM_LANG": "zh"})
    assert zh.exit_code == 1
    assert stray_english(zh.output.splitlines()[0].replace(url, " ")) == []


def test_a_recomputed_chain_is_caught_against_a_kept_head(url: str) -> None:
    from assessment.store.chain import _FIELDS, GENESIS, line_hash

    with Store.open(url) as store:
        lines_written(store)
        kept = printed_head(runner.invoke(app, ["check-store", "--db", url]).output)
        with store.engine.begin() as conn:
            without_triggers(conn)
            conn.execute(text("UPDATE audit_log SET username = 'someone' WHERE id = 2"))
            columns = ", ".join(("id", "at", *_FIELDS))
            rows = conn.execute(text(f"SELECT {columns} FROM audit_log ORDER BY id")).mappings()
            previous = GENESIS
            for row in rows.all():
                previous = line_hash(previous, row["at"], dict(row))
                conn.execute(
                    text("UPDATE audit_log SET chain = :c WHERE id = :i"),
                    {"c": previous, "i": row["id"]},
                )
    plain = runner.invoke(app, ["check-store", "--db", url])
    assert plain.exit_code == 0  # the chain was made to follow again
    checked = runner.invoke(app, ["check-store", "--db", url, "--audit-head", kept])
    assert checked.exit_code == 1
    line, chain = kept.split(":")
    assert checked.output.splitlines()[0] == (
        f"audit log line {line}: its chain is no longer the kept {chain} (the log was "
        "rewritten and its chain recomputed)"
    )


@pytest.mark.parametrize(
    "value", ["", "4", "x:" + "a" * 64, "4:abc", "4:" + "g" * 64, "-1:" + "a" * 64]
)
def test_a_malformed_audit_head_is_one_line(tmp_path: Path, value: str) -> None:
    db = tmp_path / "dtm.db"
    Store.open(db).close()
    for lang, start in (("en", "Error: --audit-head"), ("zh", "错误：--audit-head")):
        result = runner.invoke(
            app, ["check-store", "--db", str(db), "--audit-head", value], env={"DTM_LANG": lang}
        )
        assert result.exit_code == 2, result.output
        (line,) = result.output.strip().splitlines()
        assert line.startswith(start), line
