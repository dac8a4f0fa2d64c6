"""Operations: health and readiness endpoints, Prometheus metrics and structured logs for
the bot, the worker and the scheduler (issue 8, item 4). Nothing here holds a business rule
or personal data."""
