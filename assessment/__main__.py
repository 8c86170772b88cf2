"""`python -m assessment` runs the dtm command line."""

from .cli import main

main()
