"""Build the API reference from the docstrings with pdoc; any pdoc warning fails the build.

.venv/bin/python docs/apidocs.py [OUT]      # default: site/api (make apidocs)
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pdoc
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


def build(out: Path) -> list[str]:
    """Write the reference into `out`; return pdoc's warnings (none is the aim)."""
    for name in assessment.__all__:  # the package loads its names lazily; pdoc reads __dict__
        getattr(assessment, name)
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
