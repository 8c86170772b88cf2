"""Safe YAML reading that remembers where every value came from."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from ..errors import N_, Location, Message, ProblemList

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000
MAX_DEPTH = 64

_Base: type[yaml.SafeLoader]
try:  # libyaml composes about ten times faster; the constructor below stays in Python.
    _Base = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


Span = tuple[int, int]


class LocatedDict(dict[Any, Any]):
    """A mapping read from YAML; `where[key]` gives the (line, column) of each key, from 1.

    `spans[key]` is where the key's value lies in the text, as character offsets [start, end).
    """

    where: dict[Any, tuple[int, int]]
    spans: dict[Any, Span]
    start: tuple[int, int]


class LocatedList(list[Any]):
    """A sequence read from YAML; `where[i]` gives the (line, column) of each item, from 1."""

    where: list[tuple[int, int]]
    spans: list[Span]
    start: tuple[int, int]


def _span(node: yaml.Node) -> Span:
    return node.start_mark.index, node.end_mark.index


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _BadKey(yaml.MarkedYAMLError):
    pass


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """YAML 1.2 core scalars only: `yes`, `no`, `on`, `off` stay strings, dates stay strings."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LocatedDict:
        self.flatten_mapping(node)
        result = LocatedDict()
        result.where = {}
        result.spans = {}
        result.start = _pos(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                raise _BadKey(
                    None, None, N_("a key must be a plain word or number"), key_node.start_mark
                )
            if key in result:
                raise _DuplicateKey(
                    None, None, N_("the key '%(key)s' appears twice", key=key), key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.where[key] = _pos(key_node)
            result.spans[key] = _span(value_node)
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LocatedList:
        result = LocatedList(self.construct_object(child, deep=True) for child in node.value)
        result.where = [_pos(child) for child in node.value]
        result.spans = [_span(child) for child in node.value]
        result.start = _pos(node)
        return result


_CORE_RESOLVERS = {
    "tag:yaml.org,2002:bool": re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    # Decimal only: `0x28` or `0o17` as a head-count is a typo or a trick, so it stays text.
    "tag:yaml.org,2002:int": re.compile(r"^[-+]?[0-9]+$"),
    "tag:yaml.org,2002:float": re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
}
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx) for tag, rx in resolvers if tag not in _CORE_RESOLVERS and "timestamp" not in tag
    ]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
for _tag, _rx in _CORE_RESOLVERS.items():
    _Loader.add_implicit_resolver(_tag, _rx, list("-+0123456789.tTfF"))
_Loader.add_constructor(
    "tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node)
)
_Loader.add_constructor(
    "tag:yaml.org,2002:seq", lambda loader, node: loader.construct_sequence(node)
)


def _refuse(loader: yaml.SafeLoader, node: yaml.Node) -> None:
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag {node.tag} is not allowed", node.start_mark
    )


for _tag in ("binary", "set", "omap", "pairs", "timestamp"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)


def _int_1_2(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    text = str(loader.construct_scalar(node))
    # Python refuses to read integers of over 4,300 digits; none is a real figure anyway.
    return int(text) if len(text) <= 30 else text


_Loader.add_constructor("tag:yaml.org,2002:int", _int_1_2)


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """Nodes after aliases are expanded, and the deepest nesting, without expanding anything."""
    sizes: dict[int, tuple[int, int]] = {}
    active: set[int] = set()

    def visit(node: yaml.Node) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:  # an alias that contains itself never ends
            return MAX_EXPANDED_NODES + 1, MAX_DEPTH + 1
        active.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        total, depth = 1, 0
        for child in children:
            size, child_depth = visit(child)
            total += size
            depth = max(depth, child_depth)
            if total > MAX_EXPANDED_NODES or depth > MAX_DEPTH:
                break
        active.discard(key)
        sizes[key] = (total, depth + 1)
        return sizes[key]

    return visit(root)


# A key followed by a full-width colon, as a Chinese input method types it: `digital_staff：0`.
_IME_KEY = re.compile(r"^([ \t]*(?:-[ \t]+)?[A-Za-z_][A-Za-z0-9_]*)[ \t]*：[ \t]*", re.MULTILINE)


# What YAML refuses and a terminal may obey: C0 and C1 controls but tab and line ends.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")


def ime_keys(text: str) -> str:
    """The text with `key：value` lines read as `key: value` (keys are ASCII ids, never Chinese)."""
    return _IME_KEY.sub(r"\1: ", text)


def parse_yaml(text: str, path: str, problems: ProblemList) -> Any:
    """Parse YAML text safely; on failure add a problem and return None."""
    text = ime_keys(text)
    bad = _CONTROL.search(text)
    if bad is not None:
        at_line = text.count("\n", 0, bad.start()) + 1
        at_column = bad.start() - text.rfind("\n", 0, bad.start())
        problems.add(
            Location(path, at_line, at_column),
            "YAML001",
            N_("the file holds the control character %(char)s", char=f"U+{ord(bad.group()):04X}"),
            N_("remove it; it often comes with text copied out of another program"),
        )
        return None
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        problems.add(
            Location(path),
            "YAML002",
            _too_large(),
            N_("split it or remove what is not needed"),
        )
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size, depth = _expanded_size(node)
        if size > MAX_EXPANDED_NODES or depth > MAX_DEPTH:
            problems.add(
                Location(path, *_pos(node)),
                "YAML003",
                N_(
                    "the file expands to more than %(size)s values or nests deeper than %(depth)s",
                    size=MAX_EXPANDED_NODES,
                    depth=MAX_DEPTH,
                ),
                N_("write values out instead of chaining aliases"),
            )
            return None
        return loader.construct_document(node)
    except _DuplicateKey as exc:
        problems.add(_mark_location(path, exc), "YAML005", _said(exc), N_("keep one of them"))
    except _BadKey as exc:
        problems.add(_mark_location(path, exc), "YAML001", _said(exc), N_("write a name"))
    except yaml.constructor.ConstructorError as exc:
        problems.add(
            _mark_location(path, exc),
            "YAML004",
            _tag_problem(exc),
            N_("remove the '!tag'; only plain YAML is read"),
        )
    except yaml.YAMLError as exc:
        problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        where = _mark_location(path, exc)
        lines = text.splitlines()
        line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
        hint = _yaml_hint(problem + (" tab" if "\t" in line[: where.column] else ""))
        problems.add(where, "YAML001", _yaml_problem(problem), hint)
    finally:
        loader.dispose()
    return None


def _yaml_hint(problem: str) -> str:
    if "tab" in problem:
        return N_("indent with spaces, not tabs")
    if "mapping values" in problem:
        return N_("quote values that contain ': '")
    if "could not find expected ':'" in problem:
        return N_("check the indentation and that every key ends with ':'")
    return N_("check the indentation and quoting on that line")


def _said(exc: yaml.MarkedYAMLError) -> str:
    """The problem our loader raised, kept as the marked text it was raised with."""
    return exc.problem if isinstance(exc.problem, Message) else str(exc.problem)


def _tag_problem(exc: yaml.MarkedYAMLError) -> str:
    tag = re.search(r"tag '([^']*)'", str(exc.problem or ""))
    if tag:
        return N_("the tag '%(tag)s' is not allowed", tag=tag.group(1))
    return N_("a value cannot be read")


# PyYAML's words for what it could not parse, said in ours (shown in Chinese too); its other
# messages are rare and stay as PyYAML words them.
_YAML_WORDS: tuple[tuple[str, Message], ...] = (
    ("mapping values are not allowed", N_("a ': ' appears where no key can start")),
    ("could not find expected ':'", N_("a key has no ':' after it")),
    ("found character '\\t'", N_("a tab is used where YAML needs spaces")),
    ("found character", N_("a character that cannot start a value")),
    ("did not find expected key", N_("a line is indented differently from its neighbours")),
    ("did not find expected '-' indicator", N_("a list item is indented differently")),
    ("did not find expected node content", N_("a value is missing")),
    ("found unexpected end of stream", N_("the file ends inside a quoted value or a list")),
    ("found undefined alias", N_("an alias names no anchor")),
    ("expected ',' or ']'", N_("a list in [ ] is not closed")),
    ("expected ',' or '}'", N_("a mapping in { } is not closed")),
    ("found unknown escape character", N_("a backslash escape that YAML does not know")),
    ("found duplicate anchor", N_("an anchor is defined twice")),
    ("expected <document start>", N_("a second document or stray text after the first")),
    ("found unexpected ':'", N_("a ':' appears where no key can start")),
    ("while scanning", N_("a quoted value or a block is not closed")),
)


def _yaml_problem(problem: str) -> str:
    return next((words for found, words in _YAML_WORDS if found in problem), problem)


def _mark_location(path: str, exc: yaml.YAMLError) -> Location:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return Location(path)
    return Location(path, mark.line + 1, mark.column + 1)


def read_yaml(path: Path, problems: ProblemList) -> Any:
    """Read and parse one YAML (or JSON) file; problems are added, never raised."""
    name = str(path)
    try:
        # Opened without blocking, so a FIFO or a device is refused instead of waited on.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                problems.add(
                    Location(name), "FILE001", N_("not a regular file"), N_("name a YAML file")
                )
                return None
            # Sized by what is read, not by `stat`: a file may grow, or claim any size.
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            problems.add(
                Location(name),
                "YAML002",
                _too_large(),
                N_("split it or remove what is not needed"),
            )
            return None
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        if path.is_symlink():
            problems.add(
                Location(name),
                "FILE001",
                N_("a link to a file that does not exist"),
                N_("remove the link"),
            )
        else:
            problems.add(
                Location(name), "FILE001", N_("the file does not exist"), N_("check the path")
            )
            problems.missing = name
        return None
    except IsADirectoryError:
        problems.add(
            Location(name), "FILE001", N_("this is a folder, not a file"), N_("name a file")
        )
        return None
    except UnicodeDecodeError:
        problems.add(
            Location(name), "FILE001", N_("the file is not UTF-8 text"), N_("save it as UTF-8")
        )
        return None
    except OSError as exc:
        problems.add(
            Location(name),
            "FILE001",
            N_("the file cannot be read: %(reason)s", reason=exc.strerror),
        )
        return None
    return parse_yaml(text, name, problems)


def locate(data: Any, path: str, loc: tuple[int | str, ...]) -> Location:
    """The location of the value at `loc` (a key path) inside data read by `read_yaml`."""
    best = getattr(data, "start", (0, 0))
    node = data
    for part in loc:
        where = getattr(node, "where", None)
        found = where is not None and (
            (isinstance(node, dict) and part in node)
            or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        )
        if found:  # parts that name no key (a union tag, a model wrapper) are passed over
            assert where is not None
            best = where[part]
            node = node[part]
    return Location(path, *best)


def _too_large() -> Message:
    return N_("the file is over the %(limit)s MiB limit", limit=MAX_FILE_BYTES // (1024 * 1024))
