"""The package version, in one place for the package and the store's migrations table."""

__version__ = "0.1.0"
