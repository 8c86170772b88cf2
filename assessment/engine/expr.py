"""The small, safe condition language: parsed once at load time, evaluated as closures.

Grammar (docs/expressions.md)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | STRING | "true" | "false" | NAME | NAME "(" args? ")"
             | "(" expr ")" | "[" (expr ("," expr)*)? "]"

There is no attribute access, no indexing, no power operator and no way to name anything but the
ids of the questionnaire and the few functions below. Every name is checked when the file loads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import N_

MAX_LENGTH = 2000
MAX_DEPTH = 32
MAX_NODES = 400
MAX_LITERAL = 1e12

Value = Any  # float | str | bool | tuple[str, ...] | None
Env = Mapping[str, Value]
Compiled = Callable[["Context"], Value]


class ExprError(Exception):
    """A condition that cannot be accepted; `code` is one of EXPR001–EXPR004."""

    def __init__(self, code: str, message: str, column: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.column = column
        self.hint = hint


class Context:
    """What a condition can see: values by id, and node scores once scoring has run."""

    __slots__ = ("answered", "scores", "values")

    def __init__(
        self,
        values: Env,
        scores: Mapping[str, float | None] | None = None,
        answered: frozenset[str] = frozenset(),
    ) -> None:
        self.values = values
        self.scores = scores
        self.answered = answered


# Functions whose argument is an id, not a value; `score` needs the scores of a finished scoring.
REFERENCE_FUNCTIONS = {"score": 1, "answered": 1}
VALUE_FUNCTIONS: dict[str, tuple[int, int]] = {  # name -> (min args, max args)
    "count": (1, 64),
    "any": (1, 64),
    "all": (1, 64),
    "min": (1, 64),
    "max": (1, 64),
    "abs": (1, 1),
    "round": (1, 2),
}
KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_PYTHON_WORDS = {
    "lambda",
    "import",
    "exec",
    "eval",
    "def",
    "class",
    "for",
    "while",
    "if",
    "else",
    "global",
    "yield",
    "return",
    "del",
    "with",
    "as",
    "from",
    "is",
    "None",
    "True",
    "False",
    "open",
}

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<str>'[^'\\\n]*'|"[^"\\\n]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|\*\*|[-+*/<>()\[\],.=;{}@`:|&~^%!])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            column = len(text) - len(text[pos:].lstrip()) + 1
            raise ExprError(
                "EXPR001", N_("unexpected character %(char)s", char=repr(text[column - 1])), column
            )
        kind = match.lastgroup
        start = match.start(kind)
        tokens.append(Token(kind, match.group(kind), start + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


@dataclass(frozen=True)
class Node:
    kind: str  # num, str, bool, name, list, neg, not, arith, compare, and, or, call
    column: int
    value: Any = None
    children: tuple[Node, ...] = ()

    def walk(self) -> list[Node]:
        """This node and all below it, without recursion (chains can be long)."""
        found: list[Node] = []
        stack = [self]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(node.children))
        return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        if self.current.text != text or self.current.kind == "str":
            raise ExprError(
                "EXPR001",
                N_("expected '%(text)s' but found %(found)s", text=text, found=self._show()),
                self.current.column,
            )
        return self.take()

    def _show(self) -> str:
        if self.current.kind == "end":
            return N_("the end of the condition")
        return f"'{self.current.text}'"

    def parse(self) -> Node:
        node = self.parse_or()
        if self.current.kind != "end":
            self._unsafe_or_unexpected()
        return node

    def _unsafe_or_unexpected(self) -> None:
        token = self.current
        unsafe = {
            ".": N_("attribute access is not allowed"),
            "**": N_("the power operator is not allowed"),
            "[": N_("indexing is not allowed"),
            "=": N_("assignment is not allowed; compare with '=='"),
            ";": N_("only one condition is allowed"),
        }
        if token.text in unsafe and token.kind == "op":
            raise ExprError("EXPR002", unsafe[token.text], token.column)
        if token.kind == "end":
            raise ExprError("EXPR001", N_("the condition ends too early"), token.column)
        raise ExprError("EXPR001", N_("unexpected %(found)s", found=self._show()), token.column)

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(
                "EXPR003",
                N_("the condition nests deeper than %(depth)s", depth=MAX_DEPTH),
                self.current.column,
            )
        try:
            return parse()
        finally:
            self.depth -= 1

    def parse_or(self) -> Node:
        return self._chain("or", self.parse_and)

    def parse_and(self) -> Node:
        return self._chain("and", self.parse_not)

    def _chain(self, word: str, parse: Callable[[], Node]) -> Node:
        first = parse()
        items = [first]
        while self.current.kind == "name" and self.current.text == word:
            self.take()
            items.append(parse())
        return items[0] if len(items) == 1 else Node(word, first.column, children=tuple(items))

    def parse_not(self) -> Node:
        if self.current.kind == "name" and self.current.text == "not":
            token = self.take()
            return Node("not", token.column, children=(self.nested(self.parse_not),))
        return self.parse_compare()

    def parse_compare(self) -> Node:
        left = self.parse_sum()
        token = self.current
        op = (
            token.text
            if token.kind == "op" and token.text in {"==", "!=", "<", "<=", ">", ">="}
            else None
        )
        if token.kind == "name" and token.text == "in":
            op = "in"
        elif (
            token.kind == "name"
            and token.text == "not"
            and self.tokens[self.index + 1].text == "in"
        ):
            self.take()
            op = "not in"
        if op is None:
            return left
        self.take()
        right = self.parse_sum()
        return Node("compare", token.column, op, (left, right))

    def parse_sum(self) -> Node:
        return self._binary({"+", "-"}, self.parse_product)

    def parse_product(self) -> Node:
        return self._binary({"*", "/"}, self.parse_unary)

    def _binary(self, ops: set[str], parse: Callable[[], Node]) -> Node:
        left = parse()
        while self.current.kind == "op" and self.current.text in ops:
            token = self.take()
            left = Node("arith", token.column, token.text, (left, parse()))
        return left

    def parse_unary(self) -> Node:
        if self.current.kind == "op" and self.current.text == "-":
            token = self.take()
            return Node("neg", token.column, children=(self.nested(self.parse_unary),))
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.current
        if token.kind == "num":
            self.take()
            number = float(token.text)
            if not math.isfinite(number) or abs(number) > MAX_LITERAL:
                raise ExprError(
                    "EXPR002",
                    N_("the number %(number)s is too large", number=token.text[:20]),
                    token.column,
                    N_("numbers in conditions stay within ±%(limit)s", limit=f"{MAX_LITERAL:.0e}"),
                )
            return Node("num", token.column, number)
        if token.kind == "str":
            self.take()
            return Node("str", token.column, token.text[1:-1])
        if token.kind == "name":
            return self._name()
        if token.text == "(":
            self.take()
            node = self.nested(self.parse_or)
            self.expect(")")
            return node
        if token.text == "[":
            self.take()
            items = self._items("]")
            return Node("list", token.column, children=tuple(items))
        self._unsafe_or_unexpected()
        raise AssertionError("unreachable")  # pragma: no cover

    def _name(self) -> Node:
        token = self.take()
        word = token.text
        if word in ("true", "false"):
            return Node("bool", token.column, word == "true")
        if word in KEYWORDS:
            raise ExprError("EXPR001", N_("'%(word)s' cannot stand here", word=word), token.column)
        if "__" in word or word in _PYTHON_WORDS:
            raise ExprError(
                "EXPR002", N_("'%(word)s' is not allowed in a condition", word=word), token.column
            )
        if self.current.text == "(" and self.current.kind == "op":
            self.take()
            args = self._items(")")
            return Node("call", token.column, word, tuple(args))
        if self.current.kind == "op" and self.current.text in {".", "["}:
            self._unsafe_or_unexpected()
        return Node("name", token.column, word)

    def _items(self, closing: str) -> list[Node]:
        items: list[Node] = []
        if self.current.text == closing and self.current.kind == "op":
            self.take()
            return items
        while True:
            items.append(self.nested(self.parse_or))
            if self.current.text == "," and self.current.kind == "op":
                self.take()
                continue
            self.expect(closing)
            return items


@dataclass(frozen=True)
class Expression:
    """A parsed condition: its text, its syntax tree, the ids it reads and a compiled form."""

    text: str
    tree: Node
    run: Compiled

    @property
    def names(self) -> set[str]:
        """Ids whose values the condition reads (not those given to score() or answered())."""
        return set(self.names_in_order)

    @property
    def names_in_order(self) -> list[str]:
        """The same ids in the order the text first names them: `networked / total * 100`
        reads `networked` first."""
        found: dict[str, None] = {}

        def visit(node: Node) -> None:
            if node.kind == "name":
                found.setdefault(node.value)
            elif not (node.kind == "call" and node.value in REFERENCE_FUNCTIONS):
                for child in node.children:
                    visit(child)

        visit(self.tree)
        return list(found)

    @property
    def references(self) -> set[str]:
        """Ids given to `score(...)` or `answered(...)`."""
        found: set[str] = set()
        for node in self.tree.walk():
            if node.kind == "call" and node.value in REFERENCE_FUNCTIONS:
                found.update(c.value for c in node.children if c.kind == "name")
        return found

    @property
    def uses_scores(self) -> bool:
        return any(n.kind == "call" and n.value == "score" for n in self.tree.walk())

    def evaluate(self, context: Context) -> Value:
        return self.run(context)

    def truth(self, context: Context) -> bool:
        return _truth(self.run(context))


def parse(text: str) -> Expression:
    """Parse and compile a condition; raise ExprError with a column on anything wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("EXPR001", N_("the condition is empty"), 1)
    if len(text) > MAX_LENGTH:
        raise ExprError(
            "EXPR003", N_("the condition is longer than %(limit)s characters", limit=MAX_LENGTH), 1
        )
    tree = _Parser(text).parse()
    if len(tree.walk()) > MAX_NODES:
        raise ExprError(
            "EXPR003", N_("the condition has more than %(limit)s parts", limit=MAX_NODES), 1
        )
    _check_calls(tree)
    return Expression(text, tree, _compile(tree))


def _check_calls(tree: Node) -> None:
    for node in tree.walk():
        if node.kind != "call":
            continue
        name, count = node.value, len(node.children)
        if name in REFERENCE_FUNCTIONS:
            if count != 1 or node.children[0].kind != "name":
                raise ExprError(
                    "EXPR004",
                    N_("%(name)s() takes one id, like %(name)s(awareness)", name=name),
                    node.column,
                )
        elif name in VALUE_FUNCTIONS:
            low, high = VALUE_FUNCTIONS[name]
            if not low <= count <= high:
                takes = (
                    N_("%(name)s() takes 1 argument", name=name)
                    if low == high == 1
                    else N_(
                        "%(name)s() takes %(low)s to %(high)s arguments",
                        name=name,
                        low=low,
                        high=high,
                    )
                )
                raise ExprError("EXPR004", takes, node.column)
        else:
            known = sorted([*REFERENCE_FUNCTIONS, *VALUE_FUNCTIONS])
            raise ExprError(
                "EXPR004",
                N_("there is no function '%(name)s'", name=name),
                node.column,
                N_(
                    "known functions: %(known)s",
                    known=", ".join(known),
                    quoted="、".join(f"'{k}'" for k in known),
                ),
            )


def _truth(value: Value) -> bool:
    if isinstance(value, tuple):
        return len(value) > 0
    return bool(value) if value is not None else False


def _number(value: Value) -> float | None:
    """A finite number, or None: an overflow to infinity is no figure to compare or score."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _compare(op: str, left: Value, right: Value) -> bool:
    if op in ("in", "not in"):
        if left is None or right is None:
            return False
        if isinstance(right, tuple):
            found = left in right
        elif isinstance(right, str) and isinstance(left, str):
            found = left == right
        else:
            return False
        return found if op == "in" else not found
    if left is None or right is None:
        return False
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arith(op: str, left: Value, right: Value) -> float | None:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return None
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    else:
        if b == 0:
            return None
        result = a / b
    return result if math.isfinite(result) else None


def _call(name: str, args: Sequence[Value]) -> Value:
    if name == "count":
        if len(args) == 1 and not isinstance(args[0], bool):
            only = args[0]
            if isinstance(only, tuple):
                return float(len(only))
            return 0.0 if only is None else 1.0
        return float(sum(1 for a in args if _truth(a)))
    if name == "any":
        return any(_truth(a) for a in args)
    if name == "all":
        return all(_truth(a) for a in args)
    numbers = [n for n in (_number(a) for a in args) if n is not None]
    if name in ("min", "max"):
        if len(numbers) != len(args) or not numbers:
            return None
        return min(numbers) if name == "min" else max(numbers)
    if not numbers or len(numbers) != len(args):
        return None
    if name == "abs":
        return abs(numbers[0])
    digits = int(numbers[1]) if len(numbers) > 1 else 0
    return float(round(numbers[0], max(0, min(digits, 6))))


def _compile(node: Node) -> Compiled:
    kind = node.kind
    if kind in ("num", "str", "bool"):
        constant = node.value
        return lambda ctx: constant
    if kind == "name":
        key = node.value
        return lambda ctx: ctx.values.get(key)
    if kind == "list":
        parts = [_compile(c) for c in node.children]
        return lambda ctx: tuple(p(ctx) for p in parts)
    if kind == "neg":
        inner = _compile(node.children[0])
        return lambda ctx: _arith("-", 0.0, inner(ctx))
    if kind == "not":
        inner = _compile(node.children[0])
        return lambda ctx: not _truth(inner(ctx))
    if kind in ("and", "or"):
        parts = [_compile(c) for c in node.children]
        if kind == "and":
            return lambda ctx: all(_truth(p(ctx)) for p in parts)
        return lambda ctx: any(_truth(p(ctx)) for p in parts)
    if kind in ("arith", "compare"):
        left, right = (_compile(c) for c in node.children)
        op = node.value
        if kind == "arith":
            return lambda ctx: _arith(op, left(ctx), right(ctx))
        return lambda ctx: _compare(op, left(ctx), right(ctx))
    name = node.value
    if name == "score":
        target = node.children[0].value
        return lambda ctx: (ctx.scores or {}).get(target)
    if name == "answered":
        target = node.children[0].value
        return lambda ctx: target in ctx.answered
    parts = [_compile(c) for c in node.children]
    return lambda ctx: _call(name, [p(ctx) for p in parts])
