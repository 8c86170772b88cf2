"""Results as a table, one row per firm: CSV, an Excel workbook, or a pandas DataFrame.

The public face of `assessment.park.export` (docs/api.md lists this module as public): the same
functions, importable as `assessment.export` whatever the package's layout.
"""

from .park.export import *  # noqa: F403
from .park.export import __all__ as __all__
