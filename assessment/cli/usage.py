"""Typer's own usage errors (a missing option, an unknown one, a value of the wrong kind) in the
CLI's language: one line naming the command and the fix, like every other `dtm` error."""

from __future__ import annotations

import re
from typing import IO, Any

import typer
from typer import core
from typer._click import exceptions  # Typer's own Click, whose errors the app raises

from ..errors import N_, printable
from .lang import _, cli_lang, forget_lang

_KINDS = {"integer": N_("a whole number"), "number": N_("a number"), "boolean": N_("yes or no")}


class _Translated(exceptions.UsageError):
    """A usage error shown as one translated line; the exit code stays 2."""

    def __init__(self, line: str, original: exceptions.UsageError) -> None:
        super().__init__(line, original.ctx)
        self.line = line

    def show(self, file: IO[Any] | None = None) -> None:
        typer.echo(printable(self.line), file=file, err=file is None)


def _reason(error: exceptions.UsageError) -> str:
    if isinstance(error, exceptions.MissingParameter):
        hint = error.param.get_error_hint() if error.param else ""
        if error.param is not None and error.param.param_type_name == "argument":
            return _("%(name)s is missing", name=hint)
        return _("the option %(name)s is missing", name=hint)
    if isinstance(error, exceptions.NoSuchOption):
        close = sorted(error.possibilities or ())
        if close:
            return _(
                "there is no option %(name)s (did you mean %(close)s?)",
                name=error.option_name,
                close=", ".join(close),
            )
        return _("there is no option %(name)s", name=error.option_name)
    if isinstance(error, exceptions.BadParameter):
        hint = error.param.get_error_hint() if error.param else ""
        found = re.match(r"Input should be a valid (integer|number|boolean)", error.message)
        if found:
            return _("%(name)s must be %(kind)s", name=hint, kind=_(_KINDS[found[1]]))
        return _("%(name)s: %(message)s", name=hint, message=error.message)
    command = re.fullmatch(r"No such command '(.*)'\.(?: Did you mean '(.*)'\?)?", error.message)
    if command:
        if command[2]:
            return _(
                "there is no command %(name)s (did you mean %(close)s?)",
                name=repr(command[1]),
                close=repr(command[2]),
            )
        return _("there is no command %(name)s", name=repr(command[1]))
    extra = re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", error.message)
    if extra:
        return _("%(words)s is not expected here", words=repr(extra[1]))
    return error.message


def translated(error: exceptions.UsageError) -> exceptions.UsageError:
    """The error as one line in Chinese when that is the CLI's language; English is Typer's own."""
    if cli_lang() == "en" or isinstance(error, _Translated | exceptions.NoArgsIsHelpError):
        return error
    where = error.ctx.command_path if error.ctx is not None else "dtm"
    line = _(
        "Error: %(message)s",
        message=_(
            "%(command)s: %(reason)s (%(command)s --help lists what it takes)",
            command=where,
            reason=_reason(error),
        ),
    )
    return _Translated(line, error)


class Group(core.TyperGroup):
    """The app's command group: usage errors of any command pass through `translated`."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        if parent is None:
            forget_lang()  # a new command line: no --lang given yet
        try:
            return super().make_context(info_name, args, parent, **extra)
        except exceptions.UsageError as error:
            raise translated(error) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except exceptions.UsageError as error:
            raise translated(error) from None
