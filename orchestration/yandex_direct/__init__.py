"""Dagster side of the yandex_direct source: its resource and landing assets."""
