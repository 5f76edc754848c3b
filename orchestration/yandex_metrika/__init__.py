"""Dagster side of the yandex_metrika source: its resource and landing assets."""
