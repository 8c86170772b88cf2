"""Translates a condition of our expression language into the XPath of an XLSForm.

ODK Collect and KoboToolbox evaluate skip logic (`relevant`) and computed values (`calculate`)
themselves, in XPath. The translation walks the parsed tree of `assessment.expr`, so it sees
exactly what the engine sees; whatever has no faithful XPath form (`score()`, scenario-trigger
names, a list used as a value) raises `Untranslatable`, and the caller reports it.

The engine's rule "a question with no value makes every comparison false" is kept: blank,
`n/a` and `unknown` count as no value, so `!=` and `not in` also test that a value is present.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..engine.expr import Node, parse
from ..errors import N_
from ..models.questionnaire import Question, Questionnaire

# Names an XLSForm gives "not applicable" and "don't know" among a question's choices.
NA_CHOICE = "na"
UNKNOWN_CHOICE = "unknown"
FIRM_NAMES = {"industry": "industry", "employees": "employees", "revenue": "revenue"}
_COMPARE = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITH = {"+": "+", "-": "-", "*": "*", "/": "div"}


class Untranslatable(Exception):
    """A part of a condition that XPath cannot say the way the engine means it; its one
    argument is the reason, marked for the catalogues (`N_`)."""


def ref(name: str) -> str:
    return "${" + name + "}"


def literal(text: str) -> str:
    if "'" in text and '"' in text:
        raise Untranslatable(N_("the text %(text)s holds both kinds of quote", text=repr(text)))
    return f'"{text}"' if "'" in text else f"'{text}'"


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class Translator:
    """Translates conditions over one questionnaire's ids into XLSForm XPath."""

    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.computed = {c.id for c in q.computed}

    def translate(self, text: str) -> str:
        """The XPath of a condition; raises Untranslatable."""
        return self.expr(parse(text).tree)

    def truth(self, text: str) -> str:
        """The XPath of a condition used as a yes/no (a `relevant`)."""
        return self.boolean(parse(text).tree)

    # -- names --------------------------------------------------------------------------------
    def question(self, node: Node) -> Question | None:
        return self.q.question_map.get(node.value) if node.kind == "name" else None

    def name(self, node: Node) -> str:
        word = node.value
        if word in FIRM_NAMES:
            return ref(FIRM_NAMES[word])
        if word in self.q.question_map or word in self.computed:
            return ref(word)
        raise Untranslatable(N_("'%(word)s' has no field in the form", word=word))

    def present(self, node: Node) -> str:
        """True when the named value has an answer (not blank, n/a or unknown)."""
        question = self.question(node)
        field = self.name(node)
        if question is not None and question.type == "multi":
            parts = [f"count-selected({field}) > 0"]
            parts += [f"not(selected({field}, '{c}'))" for c in extras(question)]
            return " and ".join(parts)
        parts = [f"string-length({field}) > 0"]
        if question is not None and question.type in ("single", "yesno", "ordinal"):
            parts += [f"{field} != '{c}'" for c in extras(question)]
        return " and ".join(parts)

    # -- values -------------------------------------------------------------------------------
    def expr(self, node: Node) -> str:
        handler = self._handlers().get(node.kind)
        if handler is None:
            raise Untranslatable(N_("a %(kind)s cannot be a value in XPath", kind=node.kind))
        return handler(node)

    def _handlers(self) -> dict[str, Callable[[Node], str]]:
        return {
            "num": lambda n: number_text(n.value),
            "str": lambda n: literal(n.value),
            "bool": lambda n: "true()" if n.value else "false()",
            "name": self.value,
            "neg": lambda n: f"-{self.wrapped(n.children[0])}",
            "arith": self.arith,
            "not": self.boolean,
            "and": self.boolean,
            "or": self.boolean,
            "compare": self.boolean,
            "call": self.call,
        }

    def value(self, node: Node) -> str:
        question = self.question(node)
        if question is not None and question.type == "yesno":
            return self.boolean(node)
        if question is not None and question.type == "multi":
            raise Untranslatable(
                N_("the multiple choice '%(qid)s' used as one value", qid=node.value)
            )
        return self.name(node)

    def wrapped(self, node: Node) -> str:
        text = self.expr(node)
        return text if node.kind in ("num", "name", "call") else f"({text})"

    def arith(self, node: Node) -> str:
        left, right = (self.wrapped(c) for c in node.children)
        return f"{left} {_ARITH[node.value]} {right}"

    def call(self, node: Node) -> str:
        name, args = node.value, node.children
        if name == "count":
            if len(args) == 1 and (q := self.question(args[0])) and q.type == "multi":
                return self.count_selected(args[0])
            return " + ".join(f"if({self.boolean(a)}, 1, 0)" for a in args)
        if name in ("any", "all"):
            joined = f" {'or' if name == 'any' else 'and'} ".join(
                f"({self.boolean(a)})" for a in args
            )
            return f"({joined})"
        if name == "answered":
            return f"({self.present(args[0])})"
        if name in ("min", "max", "abs", "round"):
            return f"{name}({', '.join(self.expr(a) for a in args)})"
        raise Untranslatable(N_("%(name)s() has no XPath equivalent in a form", name=name))

    def count_selected(self, node: Node) -> str:
        question = self.question(node)
        assert question is not None
        field = self.name(node)
        marks = extras(question)
        if not marks:
            return f"count-selected({field})"
        status = " or ".join(f"selected({field}, '{c}')" for c in marks)
        return f"if({status}, 0, count-selected({field}))"

    # -- conditions ---------------------------------------------------------------------------
    def boolean(self, node: Node) -> str:
        kind = node.kind
        if kind in ("and", "or"):
            return f" {kind} ".join(f"({self.boolean(c)})" for c in node.children)
        if kind == "not":
            return f"not({self.boolean(node.children[0])})"
        if kind == "compare":
            return self.compare(node)
        if kind == "bool":
            return "true()" if node.value else "false()"
        if kind == "name":
            question = self.question(node)
            field = self.name(node)
            if question is not None and question.type == "yesno":
                return f"{field} = 'yes'"
            if question is not None and question.type == "multi":
                return self.count_selected(node) + " > 0"
            if question is not None and question.type in ("single", "text"):
                return self.present(node)
            return f"({field} > 0 or {field} < 0)"
        if kind == "call" and node.value in ("any", "all", "answered"):
            return self.call(node)
        return f"boolean({self.expr(node)})"

    def compare(self, node: Node) -> str:
        op = node.value
        left, right = node.children
        if op in ("in", "not in"):
            found = self.membership(left, right)
            if op == "in":
                return found
            return f"({self.guard(left, right)}) and not({found})"
        question = self.question(left) or self.question(right)
        if question is not None and question.type == "yesno":
            return self.yesno_compare(op, left, right)
        text = f"{self.expr(left)} {_COMPARE[op]} {self.expr(right)}"
        if op == "!=":
            return f"({self.guard(left, right)}) and {text}"
        return text

    def yesno_compare(self, op: str, left: Node, right: Node) -> str:
        if op not in ("==", "!=") or {left.kind, right.kind} != {"name", "bool"}:
            raise Untranslatable(
                N_("a yes/no question compared with something other than true/false")
            )
        name, flag = (left, right) if left.kind == "name" else (right, left)
        wanted = "yes" if flag.value == (op == "==") else "no"
        return f"{self.name(name)} = '{wanted}'"

    def guard(self, *nodes: Node) -> str:
        names = [n for n in nodes if n.kind == "name"]
        return " and ".join(f"({self.present(n)})" for n in names) or "true()"

    def membership(self, left: Node, right: Node) -> str:
        target = self.question(right)
        if target is not None and target.type == "multi":
            if left.kind != "str":
                raise Untranslatable(N_("only a choice written as text can be looked up in a list"))
            return f"selected({self.name(right)}, {literal(left.value)})"
        if right.kind == "list":
            return self.one_of(left, right.children)
        if right.kind == "str":
            return f"{self.expr(left)} = {literal(right.value)}"
        raise Untranslatable(N_("'in' needs a list, a text or a multiple choice on its right"))

    def one_of(self, left: Node, items: Sequence[Node]) -> str:
        if not items:
            return "false()"
        field = self.expr(left)
        return "(" + " or ".join(f"{field} = {self.expr(item)}" for item in items) + ")"


def extras(question: Question) -> list[str]:
    """The extra choices a question gets in a form: not applicable, don't know."""
    found = []
    if question.allow_na:
        found.append(NA_CHOICE)
    if question.allow_unknown:
        found.append(UNKNOWN_CHOICE)
    return found
