"""The message catalogue: every text a person sees, in Fluent (``locales/<lang>/*.ftl``).

Russian is the default and the reference; a missing key in another language falls back to
Russian. A key missing everywhere is a programming error and raises, so a test that renders
a screen catches it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import FluentNumber, fluent_number

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "ru"


class MissingMessage(KeyError):
    pass


@cache
def _bundle(language: str) -> FluentBundle | None:
    folder = LOCALES_DIR / language
    if not folder.is_dir():
        return None
    bundle = _Bundle([language], use_isolating=False)
    for path in sorted(folder.glob("*.ftl")):
        bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return bundle


#: A number already written out by the caller: an integer ("21") or points with a decimal comma
#: ("99,83"), as the outbox carries them (its arguments are JSON, so points travel as text).
_NUMBER_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:,[0-9]+)?")


def _fluent(value: int | float, **options: Any) -> FluentNumber:
    made = fluent_number(value, **options)
    if not isinstance(made, FluentNumber):  # only for values that are no numbers
        raise ValueError(f"not a number to show: {value!r}")
    return made


def number(value: int | float | Decimal | str) -> FluentNumber:
    """``value`` as a Fluent number, so ``{ $n -> [one] … [few] … [many] … *[other] … }`` picks
    the CLDR plural category of what is shown (issue #15: «21 балл», «99,83 балла», «5 баллов»).

    Shown without grouping («2027», not «2 027»: ids, years and counts read better as they are)
    and with exactly the fraction digits given («7,00» stays «7,00» — category "other", as the
    Russian rule for fractions wants — and «2,5» stays «2,5»)."""
    if isinstance(value, int):
        return _fluent(value, useGrouping=False)
    d = Decimal(value.replace(",", ".")) if isinstance(value, str) else Decimal(str(value))
    if not d.is_finite():
        raise ValueError(f"not a number to show: {value!r}")
    digits = max(0, -int(d.as_tuple().exponent))
    if digits == 0:
        return _fluent(int(d), useGrouping=False)
    # a float: fluent.runtime picks a plural category only for int and float (see _Bundle)
    return _fluent(
        float(d), useGrouping=False, minimumFractionDigits=digits, maximumFractionDigits=digits
    )


class _Bundle(FluentBundle):
    """A bundle whose plural category of a fraction follows the digits shown: a float forgets
    trailing zeros (7.00 == 7 → «one»/«many»), so a float shown with fraction digits («7,00») is
    classified as the Decimal it shows (v = 2 → "other": «7,00 балла», «1.00 points»)."""

    def __init__(self, locales: list[str], **kwargs: Any) -> None:
        super().__init__(locales, **kwargs)
        plural = self._plural_form

        def shown(n: Any) -> Any:
            digits = getattr(getattr(n, "options", None), "minimumFractionDigits", 0)
            if isinstance(n, float) and digits:
                n = Decimal(f"{n:.{digits}f}")
            return plural(n)

        self._plural_form = shown


def _argument(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, FluentNumber):
        try:
            return number(v)
        except (InvalidOperation, ValueError):  # nan, inf
            return str(v)
    if isinstance(v, str) and _NUMBER_TEXT.fullmatch(v):
        return number(v)
    return v if isinstance(v, (str, FluentNumber)) else str(v)


def _plain(args: dict[str, Any]) -> dict[str, Any]:
    # Every number — counts, points, and the points the outbox carries as «99,83» — goes in as a
    # Fluent number, so a plural selector sees its category; other values go in as text.
    return {k: _argument(v) for k, v in args.items()}


def _primary(language: str | None) -> str:
    # "en-GB", "en-x-set" (a /language choice, see Participants.set_language) → "en"
    return (language or DEFAULT_LANGUAGE).split("-")[0].lower()


def has(key: str, language: str = DEFAULT_LANGUAGE) -> bool:
    for lang in (_primary(language), DEFAULT_LANGUAGE):
        bundle = _bundle(lang)
        if bundle is not None and bundle.has_message(key):
            return True
    return False


def t(key: str, language: str = DEFAULT_LANGUAGE, /, **args: Any) -> str:
    """The text of ``key`` in ``language`` (Russian when missing there)."""
    for lang in (_primary(language), DEFAULT_LANGUAGE):
        bundle = _bundle(lang)
        if bundle is None or not bundle.has_message(key):
            continue
        message = bundle.get_message(key)
        if message.value is None:
            break
        text, errors = bundle.format_pattern(message.value, _plain(args))
        if errors or not isinstance(text, str):
            raise MissingMessage(f"{key}: {errors}")
        return text
    raise MissingMessage(key)
