"""PDF reports: charts, HTML templates and rendering."""
