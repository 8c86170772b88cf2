"""The safe YAML reader: YAML 1.2 scalars, located values, and every way a file can be refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assessment.errors import ProblemList
from assessment.files.yamlio import MAX_FILE_BYTES, locate, parse_yaml, read_yaml


def parse(text: str) -> tuple[Any, list[str]]:
    """The data read from text, and each problem as the line `dtm validate` would print."""
    problems = ProblemList()
    data = parse_yaml(text, "f.yaml", problems)
    return data, [str(p) for p in problems.problems]


def read(path: Path) -> tuple[Any, list[str]]:
    problems = ProblemList()
    data = read_yaml(path, problems)
    return data, [str(p) for p in problems.problems]


def only_problem(text: str) -> str:
    data, problems = parse(text)
    assert data is None
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("NO", "NO"),
        ("Yes", "Yes"),
        ("y", "y"),
        ("true", True),
        ("false", False),
        ("True", True),
        ("FALSE", False),
        ("2026-09-15", "2026-09-15"),
        ("2026-09-15T10:00:00", "2026-09-15T10:00:00"),
        ("010", 10),
        ("07", 7),
        ("0o17", "0o17"),
        ("0x1F", "0x1F"),
        ("1" + "0" * 400, "1" + "0" * 400),
        ("+5", 5),
        ("1:30", "1:30"),
        ("1_000", "1_000"),
        ("3.50", 3.5),
        ("1e3", 1000.0),
        ("null", None),
        ("~", None),
        ('"true"', "true"),
        ("'010'", "010"),
        ("x # a comment", "x"),
        ('"#x"', "#x"),
        ("a#b", "a#b"),
    ],
)
def test_scalars_follow_yaml_1_2(text: str, expected: object) -> None:
    data, problems = parse(f"value: {text}\n")
    assert problems == []
    assert data == {"value": expected}
    assert type(data["value"]) is type(expected)


def test_a_comment_line_is_ignored() -> None:
    data, problems = parse("# the whole line\na: 1  # and the rest of this one\n# b: 2\n")
    assert problems == []
    assert data == {"a": 1}


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_document_reads_as_nothing(text: str) -> None:
    assert parse(text) == (None, [])


def test_aliases_and_merge_keys_within_limits_are_read() -> None:
    data, problems = parse("base: &b {x: 1}\ncopy: *b\nmerged:\n  <<: *b\n  y: 2\n")
    assert problems == []
    assert data == {"base": {"x": 1}, "copy": {"x": 1}, "merged": {"x": 1, "y": 2}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "f.yaml:2:1: YAML005 the key 'a' appears twice (keep one of them)"),
        (
            "top:\n  items:\n    - b: 1\n      c: 2\n      b: 3\n",
            "f.yaml:5:7: YAML005 the key 'b' appears twice (keep one of them)",
        ),
        ("{a: 1, a: 1}\n", "f.yaml:1:8: YAML005 the key 'a' appears twice (keep one of them)"),
    ],
)
def test_a_duplicate_key_is_reported_where_it_repeats(text: str, expected: str) -> None:
    assert only_problem(text) == expected


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: !!python/object:os.system x\n", "f.yaml:1:4"),
        ("a: !!python/object/apply:os.system [ls]\n", "f.yaml:1:4"),
        ("a: !!python/name:os.system\n", "f.yaml:1:4"),
        ("a:\n  b: !custom x\n", "f.yaml:2:6"),
    ],
)
def test_a_python_or_custom_tag_is_refused(text: str, where: str) -> None:
    problem = only_problem(text)
    assert problem.startswith(f"{where}: YAML004 ")
    assert "remove the '!tag'" in problem


@pytest.mark.parametrize(
    ("text", "where", "hint"),
    [
        ("a: 1\n b: 2\n", "f.yaml:2:3", "quote values that contain ': '"),
        ("a: b: c\n", "f.yaml:1:5", "quote values that contain ': '"),
        ("a: [1, 2\nb: 3\n", "f.yaml:2:2", "check the indentation and quoting on that line"),
        ("a: 1\n\tb: 2\n", "f.yaml:2:1", "indent with spaces, not tabs"),
        ("a: 1\n---\nb: 2\n", "f.yaml:2:1", "check the indentation and quoting on that line"),
    ],
)
def test_a_syntax_error_names_line_and_column(text: str, where: str, hint: str) -> None:
    problem = only_problem(text)
    assert problem.startswith(f"{where}: YAML001 ")
    assert problem.endswith(f"({hint})")


def test_a_tab_indented_block_gets_the_tab_hint() -> None:
    problem = only_problem("dimensions:\n\t- id: x\n")
    assert problem.startswith("f.yaml:2:1: YAML001 ")
    assert problem.endswith("(indent with spaces, not tabs)")


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(BILLION_LAUGHS, id="billion-laughs"),  # 9**9 values if expanded
        pytest.param("a: &a [*a]\n", id="list-contains-itself"),
        pytest.param("a: &a {b: *a}\n", id="mapping-contains-itself"),
        pytest.param("a: &x\n  b: &y [*x]\n", id="nested-self-reference"),
        pytest.param("[" * 70 + "]" * 70, id="nested-too-deep"),
    ],
)
def test_an_alias_bomb_is_refused_without_expanding_it(text: str) -> None:
    problem = only_problem(text)
    assert problem.startswith("f.yaml:1:1: YAML003 ")
    assert "write values out instead of chaining aliases" in problem


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" + "#" * MAX_FILE_BYTES, encoding="utf-8")
    assert read(path) == (
        None,
        [
            f"{path}: YAML002 the file is over the 2 MiB limit "
            "(split it or remove what is not needed)"
        ],
    )


def test_the_size_limit_counts_bytes_not_characters() -> None:
    text = "a: " + "数" * (MAX_FILE_BYTES // 3 + 1)  # three bytes each in UTF-8
    assert len(text) < MAX_FILE_BYTES
    assert only_problem(text).startswith("f.yaml: YAML002 ")


def test_a_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("a: 1\n" + "#" * (MAX_FILE_BYTES - 10), encoding="utf-8")
    assert read(path) == ({"a": 1}, [])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.yaml", "the file does not exist (check the path)"),
        (lambda tmp: tmp, "this is a folder, not a file (name a file)"),
        (
            lambda tmp: _write_bytes(tmp / "gbk.yaml", "名称: 示例".encode("gbk")),
            "the file is not UTF-8 text (save it as UTF-8)",
        ),
        (
            lambda tmp: _write_bytes(tmp / "latin.yaml", b"name: caf\xe9\n"),
            "the file is not UTF-8 text (save it as UTF-8)",
        ),
    ],
    ids=["missing", "folder", "gbk", "latin-1"],
)
def test_a_file_that_cannot_be_read_is_file001(tmp_path: Path, make: Any, message: str) -> None:
    path = make(tmp_path)
    assert read(path) == (None, [f"{path}: FILE001 {message}"])


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path / "bom.yaml", "\ufeffname: 示例\n".encode())
    assert read(path) == ({"name": "示例"}, [])


NESTED = """\
top:
  inner:
    key: 1
  items:
    - plain
    - {y: 2}
    -   z: 3
        w: 4
other: [a, b]
"""


@pytest.mark.parametrize(
    ("key_path", "where"),
    [
        ((), "f.yaml:1:1"),
        (("top",), "f.yaml:1:1"),
        (("top", "inner"), "f.yaml:2:3"),
        (("top", "inner", "key"), "f.yaml:3:5"),
        (("top", "items"), "f.yaml:4:3"),
        (("top", "items", 0), "f.yaml:5:7"),
        (("top", "items", 1), "f.yaml:6:7"),
        (("top", "items", 1, "y"), "f.yaml:6:8"),
        (("top", "items", 2, "w"), "f.yaml:8:9"),
        (("other", 1), "f.yaml:9:12"),
        # A key that is not there falls back to the nearest place that is.
        (("top", "inner", "nope"), "f.yaml:2:3"),
        (("top", "items", 9), "f.yaml:4:3"),
        (("other", "x"), "f.yaml:9:1"),
    ],
)
def test_locate_names_line_and_column(key_path: tuple[int | str, ...], where: str) -> None:
    data, problems = parse(NESTED)
    assert problems == []
    assert str(locate(data, "f.yaml", key_path)) == where


def test_an_error_at_the_end_of_the_file_is_located_without_a_crash() -> None:
    problems = ProblemList()
    assert parse_yaml("firm: [unclosed\n", "f.yaml", problems) is None
    assert [p.code for p in problems.problems] == ["YAML001"]
