"""The interface-string catalogues match what the templates and the code ask for."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

import assessment
from assessment.resources import templates_dir
from assessment.serve.pages import TEMPLATES as SERVE_TEMPLATES

OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def template_messages() -> set[str]:
    found: set[str] = set()
    paths = [*templates_dir().rglob("*.html"), *SERVE_TEMPLATES.rglob("*.html")]
    for path in sorted(paths):
        with path.open("rb") as handle:
            keywords = ["_", "ngettext"]
            for _line, _func, message, _comments in babel_extract(handle, keywords, [], OPTIONS):
                found.add(message if isinstance(message, str) else message[0])
    return found | code_messages()


def code_messages() -> set[str]:
    """What the CLI translates (`_`) and the library marks for it (`N_`)."""
    found: set[str] = set()
    for path in sorted(Path(assessment.__file__).parent.rglob("*.py")):
        with path.open("rb") as handle:
            for found_message in extract("python", handle, keywords={"_": None, "N_": None}):
                message = found_message[1]
                found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_cli_marks_its_messages_for_the_catalogue() -> None:
    assert {"Error: %(message)s", "%(option)s must look like 2026Q3, not %(value)s"} <= (
        code_messages()
    )


def catalogue(lang: str) -> dict[str, str]:
    """Each message by its (singular) id; a plural message counts as translated only when every
    plural form is."""
    path = templates_dir() / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        found = {}
        for m in read_po(handle):
            if not m.id:
                continue
            if isinstance(m.id, str):
                found[m.id] = m.string
            else:
                found[m.id[0]] = "\n".join(m.string) if all(m.string) else ""
        return found


def test_every_template_string_has_a_chinese_translation() -> None:
    """Report templates and the web form's templates share one catalogue per language."""
    zh = catalogue("zh")
    missing = sorted(m for m in template_messages() if not zh.get(m))
    assert missing == []


def test_no_catalogue_keeps_strings_the_templates_no_longer_use() -> None:
    used = template_messages()
    for lang in ("zh", "en"):
        assert sorted(set(catalogue(lang)) - used) == [], lang


@pytest.mark.parametrize("key", ["page-label-before", "page-label-middle", "page-label-after"])
def test_page_labels_are_spelled_out_in_both_languages(key: str) -> None:
    assert catalogue("zh")[key] and catalogue("en")[key]
    assert not key.startswith(catalogue("en")[key])


def test_the_catalogues_live_beside_the_templates() -> None:
    assert Path(templates_dir() / "locale").is_dir()
