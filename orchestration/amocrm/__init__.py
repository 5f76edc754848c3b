"""Dagster side of the amocrm source: its resource and landing assets."""
