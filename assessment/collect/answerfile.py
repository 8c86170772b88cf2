"""Writes an answer sheet as the canonical answer file, the same YAML a person would write."""

from __future__ import annotations

from typing import Any

import yaml

from ..models.answers import AnswerSheet


class _Dumper(yaml.SafeDumper):
    """Lists of plain values on one line (`[a, b]`), everything else in block style."""

    def represent_sequence(
        self, tag: str, sequence: Any, flow_style: Any = None
    ) -> yaml.SequenceNode:
        flat = all(not isinstance(item, dict | list) for item in sequence)
        return super().represent_sequence(tag, sequence, flow_style=flat)


_Dumper.add_representer(list, _Dumper.represent_list)


def answer_document(sheet: AnswerSheet) -> dict[str, Any]:
    """The answer file as plain data, keys in the order people read them."""
    ref = sheet.questionnaire.model_dump(exclude_none=True)
    firm = sheet.firm.model_dump(exclude_none=True)
    answers: dict[str, Any] = {}
    for qid, answer in sheet.answers.items():
        if answer.note is None and not answer.evidence:
            answers[qid] = answer.value
        else:
            entry: dict[str, Any] = {"value": answer.value}
            if answer.note is not None:
                entry["note"] = answer.note
            if answer.evidence:
                entry["evidence"] = list(answer.evidence)
            answers[qid] = entry
    return {
        "questionnaire": ref,
        "firm": firm,
        "period": sheet.period,
        "assessor": sheet.assessor,
        "assessed_on": sheet.assessed_on.isoformat(),
        "answers": answers,
    }


def dump_answers(sheet: AnswerSheet) -> str:
    """The canonical answer file text: it passes `dtm validate` and reads back as `sheet`."""
    return yaml.dump(
        answer_document(sheet),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
