"""Dagster side of the warehouse: dbt models as assets, dbt tests as checks, publishing."""
