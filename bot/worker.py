"""``dramatiq bot.worker`` — the worker processes: the actors of ``workers.actors`` with the
bot's button renderer installed, so the deliveries turn a notification's buttons into the
callback data this bot reads (``bot.callbacks.button_data``) while ``workers/`` and
``notifications/`` import nothing from ``bot/`` (issue #14, item 3)."""

from __future__ import annotations

from bot.callbacks import button_data
from workers.actors import broker
from workers.runtime import install_buttons

install_buttons(button_data)

__all__ = ["broker"]
