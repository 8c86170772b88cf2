"""Build the API reference from the docstrings with pdoc; any pdoc warning fails the build.

.venv/bin/python docs/apidocs.py [OUT]      # default: site/api (make apidocs)
"""

from __future__ import annotations

import functools
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import pdoc
import pdoc.doc
import pdoc.render

import assessment

MODULES = [
    "assessment",
    "assessment.engine.pipeline",
    "assessment.models",
    "assessment.report.render",
    "assessment.store",
    "assessment.export",
    "assessment.errors",
]


# What pdoc would print of pydantic's internals: a required field's "default" (pydantic's sentinel
# for none) and validator functions with their memory address, which changes on every run. Cleaned
# where pdoc makes the strings, so the pages and the search index are the same bytes on every build.
_ADDRESS = re.compile(r"<function ([\w.<>]+) at 0x[0-9a-f]+>")
_NO_INPUT_TYPE = ", json_schema_input_type=PydanticUndefined"


def _tidy_annotation(text: str) -> str:
    return _ADDRESS.sub(r"\1", text.replace(_NO_INPUT_TYPE, ""))


def _tidy_default(text: str) -> str:
    return "" if text == "PydanticUndefined" else _ADDRESS.sub(r"\1", text)


def _tidy_pdoc() -> None:
    variable = pdoc.doc.Variable
    for name, tidy in (("annotation_str", _tidy_annotation), ("default_value_str", _tidy_default)):
        made = getattr(variable, name).func

        def tidied(self: pdoc.doc.Variable, made: Any = made, tidy: Any = tidy) -> str:
            return str(tidy(made(self)))

        replacement = functools.cached_property(tidied)
        replacement.__set_name__(variable, name)
        setattr(variable, name, replacement)


def build(out: Path) -> list[str]:
    """Write the reference into `out`; return pdoc's warnings (none is the aim)."""
    for name in assessment.__all__:  # the package loads its names lazily; pdoc reads __dict__
        getattr(assessment, name)
    _tidy_pdoc()
    pdoc.render.configure(docformat="markdown", show_source=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*MODULES, output_directory=out)
    return [f"{w.filename}:{w.lineno}: {w.message}" for w in caught if "pdoc" in w.filename]


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "site/api")
    problems = build(out)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
