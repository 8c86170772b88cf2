"""`dtm serve`: the local web form generated from a questionnaire, with drafts and evidence.

from assessment.serve import Settings, create_app
app = create_app(Settings(store=Store.open("park.db"), out=Path("assessments")))
"""

from .app import Settings, create_app
from .run import ServeError, plan, qr_text, serve, uses_accounts

__all__ = ["ServeError", "Settings", "create_app", "plan", "qr_text", "serve", "uses_accounts"]
