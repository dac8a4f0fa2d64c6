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


def install() -> None:
    """Wrap the formatter of every root handler (call after logging is configured)."""
    for handler in logging.getLogger().handlers:
        if not isinstance(handler.formatter, MaskingFormatter):
            handler.setFormatter(MaskingFormatter(handler.formatter))
