"""dtm: diagnose a small manufacturer's digital transformation and say what to do next.

The whole pipeline as a library::

    import assessment

    sheet = assessment.load_answers("examples/sample_park/2026Q3/91320594MA1A3K7R2A.yaml")
    questionnaire = assessment.questionnaire_for(sheet)
    card = assessment.score(questionnaire, sheet)
    catalogue = assessment.load_catalogue("park_quick_scan_scenarios", questionnaire)
    for rec in assessment.recommend(card, catalogue):
        print(rec.rank, rec.name.en, rec.slot)
"""

from .errors import CODES, DtmError, Location, Problem, UsageError, ValidationFailed
from .loader import (
    check_file,
    compile_questionnaire,
    load_answers,
    load_catalogue,
    load_questionnaire,
    questionnaire_for,
)
from .models.answers import NOT_APPLICABLE, UNKNOWN, Answer, AnswerSheet, Firm
from .models.catalogue import Catalogue, Scenario
from .models.questionnaire import Dimension, Indicator, Level, Question, Questionnaire
from .models.results import (
    DimensionResult,
    IndicatorResult,
    LevelCheck,
    LevelRef,
    QuestionResult,
    Recommendation,
    RuleCheck,
    ScoreCard,
)
from .recommend import recommend
from .scoring import score

__version__ = "0.1.0"

__all__ = [
    "CODES",
    "NOT_APPLICABLE",
    "UNKNOWN",
    "Answer",
    "AnswerSheet",
    "Catalogue",
    "Dimension",
    "DimensionResult",
    "DtmError",
    "Firm",
    "Indicator",
    "IndicatorResult",
    "Level",
    "LevelCheck",
    "LevelRef",
    "Location",
    "Problem",
    "Question",
    "QuestionResult",
    "Questionnaire",
    "Recommendation",
    "RuleCheck",
    "Scenario",
    "ScoreCard",
    "UsageError",
    "ValidationFailed",
    "__version__",
    "check_file",
    "compile_questionnaire",
    "load_answers",
    "load_catalogue",
    "load_questionnaire",
    "questionnaire_for",
    "recommend",
    "score",
]
