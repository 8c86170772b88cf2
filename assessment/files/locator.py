"""Turns a key path inside a loaded file into a file:line:col location."""

from __future__ import annotations

from typing import Any

from ..errors import Location, Problem, ProblemList
from .yamlio import locate

KeyPath = tuple[int | str, ...]


class Locator:
    """Finds places in the data a model was read from; without data, names the key path."""

    def __init__(self, path: str, data: Any = None) -> None:
        self.path = path
        self.data = data

    def __call__(self, loc: KeyPath) -> Location:
        if self.data is not None:
            return locate(self.data, self.path, loc)
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
        return Location(f"{self.path}{dotted}")

    def problem(self, loc: KeyPath, code: str, message: str, hint: str = "") -> Problem:
        return Problem(self(loc), code, message, hint)


class Reporter:
    """A Locator and a ProblemList together: `report(loc, code, message, hint)`."""

    def __init__(self, locator: Locator, problems: ProblemList | None = None) -> None:
        self.locator = locator
        self.problems = problems if problems is not None else ProblemList()

    def __call__(self, loc: KeyPath, code: str, message: str, hint: str = "") -> None:
        self.problems.add(self.locator(loc), code, message, hint)
