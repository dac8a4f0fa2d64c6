"""Domain errors carry a catalogue key (``err-<code>``) and its arguments, never a text:
the front end renders them in the person's language."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused action. Nothing was changed when it is raised."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args


class Forbidden(DomainError):
    """The actor lacks the role for the action (checked in the service, never only in the UI)."""

    def __init__(self, code: str = "forbidden", **args: Any) -> None:
        super().__init__(code, **args)


class NotFound(DomainError):
    def __init__(self, code: str = "not_found", **args: Any) -> None:
        super().__init__(code, **args)
