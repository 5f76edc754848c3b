"""Vendor connectors: pure Python HTTP clients that yield the records of docs/CONTRACTS.md §2.

Shared layer: `http` (HttpSettings, make_session, HttpClient), `errors` (typed errors,
redaction), `retry` (the one retry policy), `pagination` (page strategies), `ratelimit`,
`auth`, `records` (record helpers). One module per vendor: `calltouch`, `yandex_direct`,
`yandex_metrika`, `amocrm`. No Dagster or dbt imports here.
"""
