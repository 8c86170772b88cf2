"""`python -m assessment` runs the dtm command line."""

from .cli.app import main

main()
