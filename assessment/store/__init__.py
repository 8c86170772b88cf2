"""The assessment store: firms and their assessments over time, in SQLite or any SQLAlchemy URL.

from assessment import assess
from assessment.store import Store

with Store.open("park.db") as store:
    outcome = store.save(assess("answers.yaml"))
    latest = store.get(outcome.credit_code, outcome.period)
"""

# `assessment.store.backup` is reached as an attribute after `import assessment` (docs/api.md).
from . import backup as backup
from .api import EVERY_PARK, Scope, Store
from .engine import DB_ENV, DEFAULT_FILE, resolve_url
from .errors import NewerStoreError, NoStoreError, StoreError
from .migrations import SCHEMA_VERSION
from .records import SaveAction, SaveOutcome, StoredAssessment

__all__ = [
    "DB_ENV",
    "DEFAULT_FILE",
    "EVERY_PARK",
    "SCHEMA_VERSION",
    "NewerStoreError",
    "NoStoreError",
    "SaveAction",
    "SaveOutcome",
    "Scope",
    "Store",
    "StoreError",
    "StoredAssessment",
    "resolve_url",
]
