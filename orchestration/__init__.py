"""Dagster orchestration: the only package that wires ingestion, dbt and publishing together."""
