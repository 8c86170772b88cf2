"""Results as a table, one row per firm: CSV, an Excel workbook, or a pandas DataFrame.

The public face of `assessment.park.export` (docs/api.md lists this module as public): the same
functions, importable as `assessment.export` whatever the package's layout.
"""

from .park.export import (
    COLUMNS,
    SIZE_BANDS,
    Cohort,
    Row,
    column_labels,
    columns,
    dimension_columns,
    dimension_key,
    dimension_labels,
    industry_averages,
    industry_name,
    results_dataframe,
    results_table,
    scenario_cohorts,
    size_band,
    size_name,
    write_csv,
    write_results,
    write_xlsx,
)

__all__ = [
    "COLUMNS",
    "SIZE_BANDS",
    "Cohort",
    "Row",
    "column_labels",
    "columns",
    "dimension_columns",
    "dimension_key",
    "dimension_labels",
    "industry_averages",
    "industry_name",
    "results_dataframe",
    "results_table",
    "scenario_cohorts",
    "size_band",
    "size_name",
    "write_csv",
    "write_results",
    "write_xlsx",
]
