"""The protocols and publication screens of one scheme (R-PRO, R-RES-2)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class PubAction(StrEnum):
    LIST = "list"  # the scheme's protocols
    PUB = "pub"  # the publication screen
    RESULTS = "results"  # issue the results protocol
    ASK = "ask"  # confirm the publication
    GO = "go"  # publish


class PubCb(CallbackData, prefix="pb"):
    scheme_id: int
    action: PubAction


__all__ = ["PubAction", "PubCb"]
