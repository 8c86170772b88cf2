"""dtm: diagnose a small manufacturer's digital transformation and say what to do next.

The whole pipeline in one call:

```python
import assessment

result = assessment.assess("examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml")
print(result.card.level_name.en, result.card.overall)
for rec in result.recommendations:
    print(rec.rank, rec.name.en, rec.slot)
```

Step by step, each stage a pure function over plain data:

```python
sheet = assessment.load_answers("examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml")
questionnaire = assessment.questionnaire_for(sheet)
card = assessment.score(questionnaire, sheet)
catalogue = assessment.load_catalogue("park_quick_scan_scenarios", questionnaire)
recs = assessment.recommend(card, catalogue)
```

A folder at a time, as a pandas DataFrame:

```python
results = assessment.assess_many("examples/sample_park/2026Q3")
frame = assessment.results_frame(results, lang="en")
```

What `__all__` lists is the public API; see docs/api.md for the stability promise. The names are
imported on first use, so `import assessment` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .models import _views

if TYPE_CHECKING:
    from .engine.loader import (
        Checked,
        check_file,
        compile_questionnaire,
        load_answers,
        load_catalogue,
        load_questionnaire,
        questionnaire_for,
    )
    from .engine.pipeline import Assessment, FailedFile, assess, assess_many, sample_park
    from .engine.recommend import recommend
    from .engine.scoring import score
    from .errors import (
        CODES,
        DtmError,
        FileMissing,
        Location,
        Message,
        NoSuchFile,
        Problem,
        ProblemList,
        UnknownLanguage,
        UsageError,
        ValidationFailed,
    )
    from .models._views import set_display_language
    from .models.answers import NOT_APPLICABLE, UNKNOWN, Answer, AnswerSheet, Firm
    from .models.catalogue import Catalogue, Scenario
    from .models.common import BilingualText, Lang, StrPath
    from .models.questionnaire import (
        Choice,
        Dimension,
        Indicator,
        Level,
        Question,
        Questionnaire,
    )
    from .models.results import (
        DimensionResult,
        Eligibility,
        IndicatorResult,
        LevelCheck,
        LevelRef,
        QuestionResult,
        Recommendation,
        RecommendationList,
        ResultDocument,
        RuleCheck,
        ScoreCard,
        SupportGiven,
        TriggerAnswer,
    )
    from .park.frames import results_frame
    from .park.peers import PeerAverages
    from .park.trends import FirmTrend

from ._version import __version__

# Where each public name lives; imported when first asked for (PEP 562).
_HOMES: dict[str, str] = {
    **dict.fromkeys(
        [
            "CODES",
            "DtmError",
            "FileMissing",
            "Location",
            "Message",
            "NoSuchFile",
            "Problem",
            "ProblemList",
            "UnknownLanguage",
            "UsageError",
            "ValidationFailed",
        ],
        "errors",
    ),
    "results_frame": "park.frames",
    "Checked": "engine.loader",
    "PeerAverages": "park.peers",
    "FirmTrend": "park.trends",
    **dict.fromkeys(
        [
            "check_file",
            "compile_questionnaire",
            "load_answers",
            "load_catalogue",
            "load_questionnaire",
            "questionnaire_for",
        ],
        "engine.loader",
    ),
    **dict.fromkeys(
        ["NOT_APPLICABLE", "UNKNOWN", "Answer", "AnswerSheet", "Firm"], "models.answers"
    ),
    **dict.fromkeys(["Catalogue", "Scenario"], "models.catalogue"),
    **dict.fromkeys(["BilingualText", "Lang", "StrPath"], "models.common"),
    **dict.fromkeys(
        ["Choice", "Dimension", "Indicator", "Level", "Question", "Questionnaire"],
        "models.questionnaire",
    ),
    **dict.fromkeys(
        [
            "DimensionResult",
            "Eligibility",
            "IndicatorResult",
            "LevelCheck",
            "LevelRef",
            "QuestionResult",
            "Recommendation",
            "RecommendationList",
            "ResultDocument",
            "RuleCheck",
            "ScoreCard",
            "SupportGiven",
            "TriggerAnswer",
        ],
        "models.results",
    ),
    **dict.fromkeys(
        ["Assessment", "FailedFile", "assess", "assess_many", "sample_park"], "engine.pipeline"
    ),
    "recommend": "engine.recommend",
    "score": "engine.scoring",
    "set_display_language": "models._views",
}


def _notebook_html(shown: object, lang: Lang) -> str:
    from .report.notebook import notebook_html

    return notebook_html(shown, lang)


# The models know nothing of views: the package hands them the notebook view, which is imported
# only when a notebook first shows a result.
_views.show_with(_notebook_html)

__all__ = [
    "CODES",
    "NOT_APPLICABLE",
    "UNKNOWN",
    "Answer",
    "AnswerSheet",
    "Assessment",
    "BilingualText",
    "Catalogue",
    "Checked",
    "Choice",
    "Dimension",
    "DimensionResult",
    "DtmError",
    "Eligibility",
    "FailedFile",
    "FileMissing",
    "Firm",
    "FirmTrend",
    "Indicator",
    "IndicatorResult",
    "Lang",
    "Level",
    "LevelCheck",
    "LevelRef",
    "Location",
    "Message",
    "NoSuchFile",
    "PeerAverages",
    "Problem",
    "ProblemList",
    "Question",
    "QuestionResult",
    "Questionnaire",
    "Recommendation",
    "RecommendationList",
    "ResultDocument",
    "RuleCheck",
    "Scenario",
    "ScoreCard",
    "StrPath",
    "SupportGiven",
    "TriggerAnswer",
    "UnknownLanguage",
    "UsageError",
    "ValidationFailed",
    "__version__",
    "assess",
    "assess_many",
    "check_file",
    "compile_questionnaire",
    "load_answers",
    "load_catalogue",
    "load_questionnaire",
    "questionnaire_for",
    "recommend",
    "results_frame",
    "sample_park",
    "score",
    "set_display_language",
]


# The stages, reachable as attributes after `import assessment` (`assessment.report.render`).
_SUBPACKAGES = frozenset(
    {
        "accounts", "batch", "cli", "collect", "display", "engine", "errors", "export", "files",
        "models", "park", "queue", "report", "resources", "serve", "store",
    }
)  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'assessment' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
