"""Metrics: platform statistics into one dated dataset (SQLite), and the evaluators' report."""
