"""Many firms' results as one pandas DataFrame, for analysis in a notebook."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from ..engine.pipeline import Assessment, FailedFile
from ..models.common import Lang, check_lang
from ..models.results import ScoreCard

# This module is imported on first use of `results_frame`, which needs pandas anyway; at module
# level, `typing.get_type_hints(results_frame)` can resolve its return type. Without the `pandas`
# extra, calling it raises ModuleNotFoundError naming pandas.
with contextlib.suppress(ImportError):
    import pandas as pd


def results_frame(
    results: Iterable[Assessment | ScoreCard | FailedFile], lang: Lang = "zh"
) -> pd.DataFrame:
    """One row per firm and period (`ScoreCard.to_row(lang)`), in the order given.

    Takes assessments, score cards, or straight what `assess_many` yields: files that failed are
    left out (they carry their problems, not a result). Needs the `pandas` extra.
    """
    import pandas as pd

    check_lang(lang)
    rows = []
    for item in results:
        if isinstance(item, FailedFile):
            continue
        card = item.card if isinstance(item, Assessment) else item
        rows.append(card.to_row(lang))
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return pd.DataFrame.from_records(rows, columns=columns)
