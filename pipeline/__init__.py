"""Construisons Ensemble production and distribution pipeline."""

__version__ = "0.1.0"
