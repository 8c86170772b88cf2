"""Turns a question's `when:` condition into an Excel formula over one row's cells.

The workbook greys the cells of a question while its condition is false, so the person filling
it sees what to skip. Only the simple forms are translated — a question compared with a literal,
`in` a list, `count()` of a multiple choice, joined by `and`/`or`/`not`; anything else gives
None and the cells stay white (the import checks every condition anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..engine.expr import Node, parse
from ..engine.labels import choice_index
from ..models.common import Lang, TextValue
from ..models.questionnaire import Question, Questionnaire

# How the workbook shows yes/no answers; labels.py reads these back (and many other spellings).
YES_NO_LABELS = {"yes": TextValue(zh="是", en="Yes"), "no": TextValue(zh="否", en="No")}
_OPS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
MARK = "Y"


@dataclass(frozen=True)
class RowCells:
    """Where each question sits in a row: one column, or one column per choice (multi)."""

    row: int
    single: Mapping[str, str] = field(default_factory=dict)
    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def cell(self, qid: str) -> str:
        return f"${self.single[qid]}{self.row}"

    def choice_range(self, qid: str) -> str:
        letters = list(self.choices[qid].values())
        return f"${letters[0]}{self.row}:${letters[-1]}{self.row}"


class Untranslatable(Exception):
    """The condition uses something a spreadsheet formula here cannot say."""


def grey_formula(q: Questionnaire, question: Question, cells: RowCells, lang: Lang) -> str | None:
    """A formula true when the question is skipped (every cell it reads filled, the condition
    false), or None when the condition cannot be translated."""
    if question.when is None:
        return None
    tree = parse(question.when).tree
    try:
        condition = _Translator(q, cells, lang).formula(tree)
    except Untranslatable:
        return None
    filled = [_filled(q, cells, qid) for qid in sorted(_names(tree))]
    return f"AND({', '.join([*filled, f'NOT({condition})'])})"


def _names(tree: Node) -> set[str]:
    return {n.value for n in tree.walk() if n.kind == "name"}


def _filled(q: Questionnaire, cells: RowCells, qid: str) -> str:
    if qid in cells.choices:
        return f'COUNTIF({cells.choice_range(qid)},"{MARK}")>0'
    if qid in cells.single:
        return f'{cells.cell(qid)}<>""'
    raise Untranslatable(qid)


class _Translator:
    def __init__(self, q: Questionnaire, cells: RowCells, lang: Lang) -> None:
        self.q = q
        self.cells = cells
        self.lang = lang

    def formula(self, node: Node) -> str:
        kind = node.kind
        if kind in ("and", "or"):
            return f"{kind.upper()}({', '.join(self.formula(c) for c in node.children)})"
        if kind == "not":
            return f"NOT({self.formula(node.children[0])})"
        if kind == "compare":
            return self.compare(node.value, *node.children)
        if kind == "bool":
            return "TRUE" if node.value else "FALSE"
        raise Untranslatable(kind)

    def compare(self, op: str, left: Node, right: Node) -> str:
        if op in ("in", "not in"):
            found = self.membership(left, right)
            return found if op == "in" else f"NOT({found})"
        if left.kind != "name" and right.kind == "name":
            left, right = right, left
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        return f"{self.operand(left, right)}{_OPS[op]}{self.operand(right, left)}"

    def membership(self, left: Node, right: Node) -> str:
        if left.kind == "str" and right.kind == "name" and right.value in self.cells.choices:
            letter = self.cells.choices[right.value].get(left.value)
            if letter is None:
                raise Untranslatable(left.value)
            return f'UPPER(${letter}{self.cells.row})="{MARK}"'
        if left.kind == "name" and right.kind == "list":
            items = [self.compare("==", left, item) for item in right.children]
            return f"OR({', '.join(items)})"
        raise Untranslatable("in")

    def operand(self, node: Node, other: Node) -> str:
        """A cell, or a literal written as the cell shows it (a choice by its label)."""
        if node.kind == "num":
            return f"{node.value:g}"
        if node.kind == "neg" and node.children[0].kind == "num":
            return f"-{node.children[0].value:g}"
        if node.kind == "call" and node.value == "count" and len(node.children) == 1:
            arg = node.children[0]
            if arg.kind == "name" and arg.value in self.cells.choices:
                return f'COUNTIF({self.cells.choice_range(arg.value)},"{MARK}")'
        if node.kind == "name" and node.value in self.cells.single:
            return self.cells.cell(node.value)
        if node.kind in ("str", "bool") and other.kind == "name":
            return _quoted(self.label(other.value, node))
        raise Untranslatable(node.kind)

    def label(self, qid: str, literal: Node) -> str:
        question = self.q.question_map[qid]
        value = literal.value
        if question.type == "yesno":
            word = "yes" if value in (True, "yes") else "no"
            return YES_NO_LABELS[word].get(self.lang)
        if question.type in ("single", "multi") and isinstance(value, str):
            for choice in self.q.choices_of(question):
                if choice.id == value:
                    return choice.label.get(self.lang)
            if choice_index(self.q, question).match(value) is None:
                raise Untranslatable(value)
        if isinstance(value, str):
            return value
        raise Untranslatable(str(value))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
