"""Writes an answer sheet as an answer file, in the same layout `dtm blank` starts from."""

from __future__ import annotations

from typing import Any

import yaml

from .models.answers import Answer, AnswerSheet


class _Dumper(yaml.SafeDumper):
    """Mappings as blocks, lists of choices on one line: `[a, b]`, as in the sample files."""


def _flow_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(list, _flow_list)


def _answer(answer: Answer) -> Any:
    if answer.note is None and not answer.evidence:
        return answer.value
    found: dict[str, Any] = {"value": answer.value}
    if answer.note is not None:
        found["note"] = answer.note
    if answer.evidence:
        found["evidence"] = list(answer.evidence)
    return found


def dump_answers(sheet: AnswerSheet) -> str:
    """The sheet as YAML that `dtm validate` reads back into the same sheet."""
    firm = sheet.firm.model_dump(exclude_none=True)
    ref = sheet.questionnaire.model_dump(exclude_none=True)
    document = {
        "questionnaire": ref,
        "firm": firm,
        "period": sheet.period,
        "assessor": sheet.assessor,
        "assessed_on": sheet.assessed_on,
        "answers": {qid: _answer(a) for qid, a in sheet.answers.items()},
    }
    text: str = yaml.dump(
        document,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return text
