"""The quarterly batch, the park summary and the demo, as a park officer runs them."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from assessment.batch import run_batch, write_park_outputs
from assessment.cli import app
from assessment.errors import UsageError
from assessment.models.common import TextValue
from assessment.models.results import Eligibility
from assessment.park.summary import read_register, register_park, summarise
from assessment.report.park_report import render_park_html
from assessment.resources import sample_park_dir
from assessment.store import Store

runner = CliRunner()
Q3 = sorted((sample_park_dir() / "2026Q3").glob("*.yaml"))
Q2 = sorted((sample_park_dir() / "2026Q2").glob("*.yaml"))


def folder_of(tmp_path: Path, name: str, files: list[Path]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture
def fresh_store(tmp_path: Path) -> Store:
    with Store.open(f"sqlite:///{tmp_path / 'park.db'}") as store:
        yield store


def test_bad_files_are_listed_and_the_good_firms_go_on(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "in", Q3[:2])
    (folder / "broken.yaml").write_text("firm: [unclosed\n", encoding="utf-8")
    wrong = Q2[2].read_text(encoding="utf-8")
    (folder / "last_quarter.yaml").write_text(wrong, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "batch",
            str(folder),
            "--period",
            "2026Q3",
            "--out",
            str(out),
            "--db",
            f"sqlite:///{tmp_path / 'park.db'}",
            "--workers",
            "2",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "2 stored, 2 rendered, 0 unchanged, 2 failed" in result.stdout
    assert f"failed {folder / 'broken.yaml'}" in result.stdout
    assert "YAML001" in result.stdout
    assert "is for 2026Q2, not 2026Q3" in result.stdout
    assert len(list((out / "firms").glob("*.pdf"))) == 4
    assert {p.name for p in out.iterdir()} >= {
        "park-2026Q3.pdf",
        "results-2026Q3.xlsx",
        "results-2026Q3.csv",
        "firms",
    }
    assert "Traceback" not in result.output


def test_a_second_run_skips_unchanged_firms_and_force_redoes_them(
    tmp_path: Path, fresh_store: Store
) -> None:
    folder = folder_of(tmp_path, "in", Q3[:1])
    out = tmp_path / "out"
    first = run_batch(folder, period="2026Q3", out=out, store=fresh_store, workers=1)
    pdf = next((out / "firms").glob("*.pdf"))
    stamp = pdf.stat().st_mtime_ns
    again = run_batch(folder, period="2026Q3", out=out, store=fresh_store, workers=1)
    assert (len(first.rendered), len(again.rendered), len(again.skipped)) == (1, 0, 1)
    assert pdf.stat().st_mtime_ns == stamp
    forced = run_batch(folder, period="2026Q3", out=out, store=fresh_store, workers=1, force=True)
    assert len(forced.rendered) == 1
    assert len(fresh_store.list(period="2026Q3")) == 1
    assert all(len(fresh_store.history(c)) == 1 for c in first.stored)


def test_a_changed_answer_file_is_rendered_again_and_its_old_result_kept(
    tmp_path: Path, fresh_store: Store
) -> None:
    folder = folder_of(tmp_path, "in", Q3[:1])  # one firm is enough to see it rendered again
    out = tmp_path / "out"
    run_batch(folder, period="2026Q3", out=out, store=fresh_store, workers=1)
    target = folder / Q3[0].name
    target.write_text(
        target.read_text(encoding="utf-8").replace("assessor:", "assessor: 新", 1), encoding="utf-8"
    )
    again = run_batch(folder, period="2026Q3", out=out, store=fresh_store, workers=1)
    code = Q3[0].stem
    assert code in again.rendered
    assert [r.revision for r in fresh_store.history(code)] == [1, 2]


@pytest.mark.skipif(sys.platform != "linux", reason="process groups and SIGKILL")
def test_a_batch_killed_midway_finishes_when_run_again(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "in", Q3[:4])
    out, db = tmp_path / "out", f"sqlite:///{tmp_path / 'park.db'}"
    command = [
        sys.executable,
        "-m",
        "assessment",
        "batch",
        str(folder),
        "--period",
        "2026Q3",
        "--out",
        str(out),
        "--db",
        db,
        "--workers",
        "1",
    ]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list((out / "firms").glob("*.pdf"))) < 2:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished_before = len(list((out / "firms").glob("*.pdf")))
    assert 0 < finished_before < 8, "the kill should land midway"
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "0 failed" in rerun.stdout
    skipped = int(rerun.stdout.split(" rendered, ")[1].split(" unchanged")[0])
    assert skipped >= 1
    assert len(list((out / "firms").glob("*.pdf"))) == 8
    assert list(out.rglob("*.part")) == []
    with Store.open(db) as store:
        assert len(store.list(period="2026Q3")) == 4
        assert all(len(store.history(p.stem)) == 1 for p in Q3[:4])


_kept: list[bytes] = []


def grow_and_tell(megabytes: int) -> int:
    """A render job that keeps `megabytes` of memory in its process; returns the process id."""
    _kept.append(b"x" * (megabytes << 20))
    return os.getpid()


@pytest.mark.parametrize(
    ("grow", "after", "same_process"),
    [
        ([0, 0, 0, 0, 0], 40, [True, True, True, True]),  # reused while it stays small
        ([0, 0, 400, 0, 0], 40, [True, True, False, True]),  # replaced after the job that grew it
        ([0, 0, 0, 0, 0], 2, [True, False, True, False]),  # replaced after `after` jobs
    ],
)
def test_a_batch_render_process_is_reused_and_replaced_once_it_grew(
    grow: list[int], after: int, same_process: list[bool]
) -> None:
    from assessment.batch.processes import run_all

    pids = [outcome for _, outcome in run_all(grow_and_tell, grow, 1, after=after, limit_mb=300.0)]
    assert all(isinstance(pid, int) and pid != os.getpid() for pid in pids)
    assert [a == b for a, b in itertools.pairwise(pids)] == same_process


def die_or_tell(job: int) -> int:
    """A render job whose process is killed on job 11 (as the kernel ends one out of memory)."""
    if job == 11:
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def test_a_batch_render_process_that_dies_fails_its_firm_alone() -> None:
    from concurrent.futures.process import BrokenProcessPool

    from assessment.batch.processes import run_all

    outcomes = dict(run_all(die_or_tell, [10, 11, 12, 13, 14], 2))
    assert sorted(outcomes) == [10, 11, 12, 13, 14]
    assert isinstance(outcomes.pop(11), BrokenProcessPool)
    assert all(isinstance(pid, int) for pid in outcomes.values())


@pytest.fixture(scope="module")
def park_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Path]:
    root = tmp_path_factory.mktemp("park")
    store = Store.open(f"sqlite:///{root / 'park.db'}")
    for period in ("2026Q2", "2026Q3"):
        run_batch(sample_park_dir() / period, period=period, out=root, store=store, render=False)
    return store, root


def test_the_park_report_and_the_workbook_agree_with_the_stored_results(
    park_store: tuple[Store, Path],
) -> None:
    store, root = park_store
    paths = write_park_outputs(store, "2026Q3", root, register=sample_park_dir() / "firms.csv")
    cards = store.cards("2026Q3")
    direct = {}
    for industry in sorted({c.firm.industry for c in cards}):
        group = [c.overall for c in cards if c.firm.industry == industry]
        direct[industry] = round(sum(group) / len(group), 2)
    book = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(first) - 1 == len(cards)
    codes = {row[1] for row in first[1:]}
    assert codes == {c.firm.credit_code for c in cards}
    industry_rows = list(book.worksheets[1].iter_rows(values_only=True))
    flat = [v for row in industry_rows for v in row if isinstance(v, float)]
    for value in direct.values():
        assert any(abs(v - value) < 0.006 for v in flat), (value, industry_rows)
    summary = summarise(
        cards,
        previous=store.cards("2026Q2"),
        recommendations=store.recommendations("2026Q3"),
        register=read_register(sample_park_dir() / "firms.csv"),
    )
    assert {k: round(v["overall"] or 0, 2) for k, v in summary.by_industry.items()} == direct
    html = render_park_html(summary, lang="en")
    for value in direct.values():
        assert f">{value:.1f}<" in html
    assert sum(count for _, _, count in summary.level_counts) == len(cards)
    assert len(summary.unassessed) == 2
    assert "2 of 30" not in html and "28 of 30 registered firms were assessed" in html


def test_the_shortlist_follows_its_documented_rules(park_store: tuple[Store, Path]) -> None:
    store, _ = park_store
    cards = store.cards("2026Q3")
    summary = summarise(cards, previous=store.cards("2026Q2"), tiers=(2, 2, 4))
    tiers = [p.tier for p in summary.shortlist]
    assert tiers.count("leading") == 2
    assert tiers.count("showcase") <= 2
    assert tiers.count("demonstration") <= 4
    codes = [p.card.firm.credit_code for p in summary.shortlist]
    assert len(codes) == len(set(codes))
    best = max(cards, key=lambda c: ((c.level.rank if c.level else 0), c.overall or 0))
    assert summary.shortlist[0].card.firm.credit_code == best.firm.credit_code
    demo_industries = [p.card.firm.industry for p in summary.shortlist if p.tier == "demonstration"]
    assert all(demo_industries.count(i) <= 2 for i in demo_industries)
    for pick in summary.shortlist:
        if pick.tier == "showcase":
            before = summary.previous[pick.card.firm.credit_code]
            assert (pick.card.overall or 0) > (before.overall or 0)


def test_migrations_count_every_firm_in_both_periods(park_store: tuple[Store, Path]) -> None:
    store, _ = park_store
    summary = summarise(store.cards("2026Q3"), previous=store.cards("2026Q2"))
    both = len(set(summary.previous) & {c.firm.credit_code for c in summary.cards})
    assert sum(summary.transitions.values()) == both
    rose = {b.firm.credit_code for _, b in summary.risers}
    fell = {b.firm.credit_code for _, b in summary.fallers}
    assert not rose & fell


def test_list_and_history_show_what_is_stored(park_store: tuple[Store, Path]) -> None:
    store, _ = park_store
    db = ["--db", store.url]
    listed = runner.invoke(app, ["list", "--period", "2026Q3", "--json", *db])
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)) == 28
    code = Q3[0].stem
    history = runner.invoke(app, ["history", code, *db])
    assert history.exit_code == 0
    assert "2026Q2" in history.stdout and "2026Q3" in history.stdout
    missing = runner.invoke(app, ["history", "91320594MA1000000X", *db])
    assert missing.exit_code == 2
    assert "no assessment of 91320594MA1000000X is stored" in missing.stderr


def test_list_piped_writes_whole_tab_separated_rows(park_store: tuple[Store, Path]) -> None:
    from assessment.cli.console import STORED_COLUMNS

    store, _ = park_store
    listed = runner.invoke(app, ["list", "--period", "2026Q3", "--db", store.url])
    assert listed.exit_code == 0, listed.output
    header, *rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert tuple(header) == STORED_COLUMNS
    assert sorted(r[0] for r in rows) == sorted(p.stem for p in Q3)  # every code whole
    assert all(len(r) == len(header) for r in rows)
    names = {c.firm.credit_code: c.firm.name for c in store.cards("2026Q3")}
    assert all(r[header.index("name")] == names[r[0]] for r in rows)


@pytest.mark.parametrize("command", [["list", "--period", "2026Q3"], ["history", Q3[0].stem]])
def test_list_and_history_write_csv_json_and_json_lines(
    park_store: tuple[Store, Path], command: list[str]
) -> None:
    store, _ = park_store
    db = ["--db", store.url]
    as_json = json.loads(runner.invoke(app, [*command, "--json", *db]).stdout)
    lines = runner.invoke(app, [*command, "--nl", *db]).stdout.splitlines()
    as_csv = list(csv.DictReader(io.StringIO(runner.invoke(app, [*command, "--csv", *db]).stdout)))
    assert as_json == [json.loads(line) for line in lines]
    assert [r["credit_code"] for r in as_csv] == [r["credit_code"] for r in as_json]
    assert [r["period"] for r in as_csv] == [r["period"] for r in as_json]
    both = runner.invoke(app, [*command, "--json", "--csv", *db])
    assert both.exit_code == 2
    assert "--json and --csv cannot be used together" in both.stderr


@pytest.mark.parametrize("period", ["2026-4", "2026Q5", "26Q3"])
def test_list_refuses_a_period_every_other_command_refuses(
    park_store: tuple[Store, Path], period: str
) -> None:
    store, _ = park_store
    listed = runner.invoke(app, ["list", "--period", period, "--db", store.url])
    assert listed.exit_code == 2
    assert listed.stderr == f"Error: --period must look like 2026Q3, not {period!r}\n"
    assert listed.stdout == ""


def test_the_terminal_table_never_cuts_a_credit_code(park_store: tuple[Store, Path]) -> None:
    from rich.console import Console

    from assessment.cli.console import print_stored

    store, _ = park_store
    records = store.list(period="2026Q3")
    console = Console(width=80, record=True, force_terminal=True)
    print_stored(records, title="Stored assessments", console=console)
    text = console.export_text()
    assert all(r.credit_code in text for r in records)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-3"], "--period must look like 2026Q3"),
        (["--period", "2026Q3", "--tiers", "3,3"], "--tiers must be three counts"),
        (["--period", "2026Q3", "--lang", "fr"], "--lang must be zh or en"),
    ],
)
def test_bad_batch_usage_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["batch", str(tmp_path), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_missing_input_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "batch",
            str(tmp_path / "nope"),
            "--period",
            "2026Q3",
            "--out",
            str(tmp_path / "o"),
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
        ],
    )
    assert result.exit_code == 2
    assert "no such folder of answer files" in result.stderr


def test_changes_between_periods_are_like_for_like(park_store: tuple[Store, Path]) -> None:
    store, _ = park_store
    previous = store.cards("2026Q2")
    kept = store.cards("2026Q3")[:10]
    newcomer = store.cards("2026Q3")[10]
    before = {
        c.firm.credit_code: c for c in previous if c.firm.credit_code != newcomer.firm.credit_code
    }
    summary = summarise([*kept, newcomer], previous=list(before.values()))
    c = summary.comparison
    assert c is not None and c.count == 10
    assert [n.firm.credit_code for n in c.new] == [newcomer.firm.credit_code]
    assert len(c.gone) == len(before) - 10
    then = sum(before[k.firm.credit_code].overall or 0 for k in kept) / 10
    now = sum(k.overall or 0 for k in kept) / 10
    assert c.change["overall"] == pytest.approx(now - then, abs=0.01)
    assert sum(c.levels_before.values()) == sum(c.levels_now.values()) == 10
    assert sum(c.share_now(level) or 0 for level in c.levels_now) == pytest.approx(1)
    html = render_park_html(summary, lang="en")
    assert "Change among the 10 firms assessed in both periods" in html
    assert "Firms assessed in both periods (10)" in html
    assert f"No longer assessed ({len(c.gone)})" in html and "Newly assessed (1)" in html
    naive = (summary.averages["overall"] or 0) - sum(b.overall or 0 for b in before.values()) / len(
        before
    )
    if round(naive, 1) != round(now - then, 1):
        assert f"{naive:+.1f}".replace("-", "−") not in html.split("cover-level-score")[1][:200]


def test_the_park_is_named_by_the_user_or_the_register_never_by_a_firm(
    park_store: tuple[Store, Path], tmp_path: Path
) -> None:
    store, _ = park_store
    cards = store.cards("2026Q3")
    firms_park = cards[0].firm.park
    assert firms_park
    unnamed = render_park_html(summarise(cards), lang="zh")
    assert "本园区" not in unnamed and firms_park not in unnamed
    named = summarise(cards, park="吴江示范园")
    html = render_park_html(named, lang="en")
    assert '<p class="cover-firm">吴江示范园</p>' in html
    assert len(named.other_park) == len(cards)
    assert "Firms that name another park" in html and firms_park in html
    same = summarise(cards, park=firms_park)
    assert same.other_park == []
    register = sample_park_dir() / "firms.csv"
    assert register_park(register, read_register(register)) == firms_park
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        "credit_code,name,industry,employees,park\nA,a,metal_processing,1,甲园\nB,b,machinery,2,乙园\n",
        encoding="utf-8",
    )
    with pytest.raises(UsageError, match=r"mixed\.csv: the park column names 2 parks"):
        register_park(mixed, read_register(mixed))


@pytest.mark.parametrize("command", [["list"], ["history", "91320594MA1A3K7R2A"]])
def test_reading_commands_never_create_a_store(tmp_path: Path, command: list[str]) -> None:
    where = tmp_path / "nowhere.db"
    result = runner.invoke(app, [*command, "--db", str(where)])
    assert result.exit_code == 2
    assert f"no store at {where}" in result.stderr
    assert "make one with `dtm batch" in result.stderr
    assert "Traceback" not in result.output
    assert not where.exists()


@pytest.mark.parametrize(
    ("industry", "hint"),
    [("metal", "did you mean 'metal_processing'?"), ("machinry", "did you mean 'machinery'?")],
)
def test_an_unknown_industry_gets_a_did_you_mean(
    park_store: tuple[Store, Path], industry: str, hint: str
) -> None:
    store, _ = park_store
    result = runner.invoke(app, ["list", "--industry", industry, "--db", store.url])
    assert result.exit_code == 2
    assert f"--industry {industry!r} is not an industry id; {hint}" in result.stderr


def test_history_finds_a_firm_by_part_of_its_name(park_store: tuple[Store, Path]) -> None:
    store, _ = park_store
    card = store.cards("2026Q3")[0]
    part = card.firm.name[2:6]
    result = runner.invoke(app, ["history", part, "--db", store.url])
    assert result.exit_code == 0, result.output
    assert card.firm.credit_code in result.stdout and "2026Q2" in result.stdout
    many = runner.invoke(app, ["history", "苏州", "--db", store.url])
    assert many.exit_code == 2
    assert "stored firms match '苏州'" in many.stderr


def test_batch_no_render_stores_a_past_quarter_without_pdfs(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, "in", Q2[:3])
    out = tmp_path / "out"
    db = f"sqlite:///{tmp_path / 'park.db'}"
    args = ["batch", str(folder), "--period", "2026Q2", "--out", str(out), "--db", db]
    result = runner.invoke(app, [*args, "--no-render"])
    assert result.exit_code == 0, result.output
    assert "2026Q2: 3 stored, not rendered, 0 failed" in result.stdout
    assert not out.exists()
    with Store.open(db) as store:
        assert len(store.cards("2026Q2")) == 3


def test_the_shortlist_keeps_to_the_questionnaires_eligibility_rules(
    park_store: tuple[Store, Path],
) -> None:
    store, _ = park_store
    cards = store.cards("2026Q3")
    unwilling = {c.firm.credit_code for c in cards if c.question("demo_willing").value is False}
    assert unwilling
    assert all(c.eligible("leading") is not None for c in cards)
    summary = summarise(cards, previous=store.cards("2026Q2"))
    minimum = {"leading": 4, "showcase": 3, "demonstration": 2}
    for pick in summary.shortlist:
        assert pick.card.firm.credit_code not in unwilling
        assert (pick.card.level.rank if pick.card.level else 0) >= minimum[pick.tier]
    # The best firm by the old rules says it will not host visits: it is named as left out, why.
    best = max(cards, key=lambda c: ((c.level.rank if c.level else 0), c.overall or 0))
    rule = TextValue(zh="企业愿意作为示范企业接受参观交流", en="willing to host visits")
    refused = best.model_copy(
        update={
            "demonstration": [
                Eligibility(tier=t, eligible=False, unmet=[rule])
                for t in ("leading", "showcase", "demonstration")
            ]
        }
    )
    others = [c for c in cards if c.firm.credit_code != best.firm.credit_code]
    again = summarise([refused, *others], previous=store.cards("2026Q2"))
    assert best.firm.credit_code not in {p.card.firm.credit_code for p in again.shortlist}
    miss = next(m for m in again.near_misses if m.tier == "leading")
    assert miss.card.firm.credit_code == best.firm.credit_code
    html = render_park_html(again, lang="en")
    assert "Left out by the eligibility rules" in html and rule.en in html


def test_demo_says_what_it_stored_for_every_quarter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment import resources

    sample = tmp_path / "sample"
    sample.mkdir()
    for period, files in (("2026Q2", Q2[:2]), ("2026Q3", Q3[:2])):
        folder_of(sample, period, files)
    shutil.copy(sample_park_dir() / "firms.csv", sample / "firms.csv")
    monkeypatch.setattr(resources, "sample_park_dir", lambda: sample)
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "2026Q2: 2 stored, not rendered, 0 failed" in lines
    assert "2026Q3: 2 stored, 2 rendered, 0 unchanged, 0 failed" in lines
