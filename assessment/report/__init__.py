"""PDF reports: charts, HTML templates and rendering.

Each module is imported on first use, so `assessment.report.render.write_reports` works after a
plain `import assessment` without loading WeasyPrint before it is needed.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
