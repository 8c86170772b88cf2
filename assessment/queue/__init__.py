"""Rendering a quarter on any number of machines: a procrastinate queue in the store's PostgreSQL.

from assessment.queue import queue_batch, queue_status, run_worker
from assessment.store import Store

with Store.open("postgresql+psycopg://dtm@db/park") as store:
    queued = queue_batch("answers/2026Q3", period="2026Q3", out="/srv/reports", store=store)
    # on each machine, with the store's URL and nothing else: run_worker(store)
    print(queue_status(store, "2026Q3"))
"""

from .plan import QueuedRun, queue_batch
from .status import QueueStatus, queue_status
from .tasks import run_worker

__all__ = ["QueueStatus", "QueuedRun", "queue_batch", "queue_status", "run_worker"]
