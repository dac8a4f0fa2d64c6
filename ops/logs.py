"""Logging set-up for every process: text (default) or JSON lines (``LOG_FORMAT=json``,
python-json-logger). Either way the СНИЛС mask of ``models.logsafe`` wraps the formatter,
so personal data never reach the logs (R-PD-2)."""

from __future__ import annotations

import logging

from models import logsafe

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Configure the root logger (replacing handlers a CLI installed) and mask it."""
    logging.basicConfig(level=level.upper(), format=TEXT_FORMAT, force=fmt == "json")
    if fmt == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(json_formatter())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logsafe.install()


def apply_format(fmt: str) -> None:
    """Switch the root handlers a CLI already configured (``dramatiq``) to JSON, masked."""
    if fmt == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(json_formatter())
    logsafe.install()
