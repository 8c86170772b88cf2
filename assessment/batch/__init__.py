"""A park's quarter in one run: take in the answers, store them, render every firm and the park.

`run_batch` is `dtm batch`; the queue's planner and workers share its intake (`take_in`), its
per-period inputs (`period_inputs`) and its park outputs (`write_park_outputs`).
"""

from .intake import BatchResult, Failure, load_all, source_hash, take_in
from .run import run_batch, write_park_outputs

__all__ = [
    "BatchResult",
    "Failure",
    "load_all",
    "run_batch",
    "source_hash",
    "take_in",
    "write_park_outputs",
]
