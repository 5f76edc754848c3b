"""Dagster side of the calltouch source: its resource and landing assets."""
