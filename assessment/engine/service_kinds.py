"""The kinds of support a park records in its services register (服务台账).

They are data (`service_kinds.yaml` beside this module): the register's `kind` cells are read as
one of them, and a catalogue's support route names one as its `service_kind`, so that what the
register shows given to a firm lowers the costs of the route's scenarios. The catalogue's check
(`catalogue_checks`) and the register's reader (`collect.services`) read the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import N_, UsageError
from ..models.common import TextValue

T = TextValue
KINDS_FILE = Path(__file__).with_name("service_kinds.yaml")


@dataclass(frozen=True)
class ServiceKind:
    """A kind of support (free diagnosis, software package, …) as the kinds file names it."""

    id: str
    label: TextValue
    visit: bool = False
    aliases: tuple[str, ...] = ()


def load_kinds(path: Path | None = None) -> list[ServiceKind]:
    """The kinds of support, from `path` or the shipped `service_kinds.yaml`."""
    source = path or KINDS_FILE
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            N_("%(path)s: cannot be read (%(reason)s)"), path=source, reason=exc.strerror
        ) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UsageError(
            N_("%(path)s:%(line)s: not valid YAML; fix the file at this line"),
            path=source,
            line=mark.line + 1 if mark is not None else 1,
        ) from exc
    items = data.get("kinds") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise UsageError(
            N_(
                "%(path)s: lists no service kinds; under kinds: give each an id and a label "
                "with zh and en"
            ),
            path=source,
        )
    found = []
    for number, item in enumerate(items, start=1):
        try:
            found.append(
                ServiceKind(
                    str(item["id"]),
                    T(zh=str(item["label"]["zh"]), en=str(item["label"]["en"])),
                    bool(item.get("visit", False)),
                    tuple(str(a) for a in item.get("aliases", ())),
                )
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise UsageError(
                N_("%(path)s: kind %(number)s needs an id and a label with zh and en"),
                path=source,
                number=number,
            ) from exc
    return found
