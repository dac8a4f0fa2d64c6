"""R-PD-2: personal data never reach the logs. Code does not log personal data; as a second
line, every handler of the root logger masks anything shaped like a СНИЛС in the formatted
record, tracebacks included (an exception can quote its input)."""

from __future__ import annotations

import logging
import re

_SNILS_LIKE = re.compile(r"(?<![0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{2}(?![0-9])")


def mask(text: str) -> str:
    return _SNILS_LIKE.sub("***-***-*** **", text)


class MaskingFormatter(logging.Formatter):
    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return mask(self.inner.format(record))


#: the database layers: at DEBUG/INFO they log every statement with its parameters (names,
#: encrypted or not, answers to the form). Kept at WARNING whatever LOG_LEVEL says (issue #13).
QUIET_LOGGERS = ("sqlalchemy", "aiosqlite", "asyncpg")


def quiet_database_loggers() -> None:
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET (inherits the root's DEBUG) included
            logger.setLevel(logging.WARNING)


def install() -> None:
    """Wrap the formatter of every root handler (call after logging is configured), and keep
    the database loggers quiet."""
    quiet_database_loggers()
    for handler in logging.getLogger().handlers:
        if not isinstance(handler.formatter, MaskingFormatter):
            handler.setFormatter(MaskingFormatter(handler.formatter))
