"""СНИЛС and names (R-VER-2): checked, formatted, masked.

Pure rules: plain functions over plain types, no database, no Telegram. Each rule cites
its id in ``../shared/SPEC.md``.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- СНИЛС (R-VER-2)

_SNILS_SHAPE = re.compile(r"^\s*([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{2})\s*$")
#: Numbers up to 001-001-998 were issued before the checksum existed and are not checked.
_SNILS_UNCHECKED_MAX = 1001998


def snils_digits(value: str) -> str | None:
    """The 11 digits of a СНИЛС written as ``XXX-XXX-XXX YY``, ``XXXXXXXXXXX`` or with
    spaces between the groups; ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    match = _SNILS_SHAPE.match(value)
    if match is None:
        return None
    return "".join(match.groups())


def snils_checksum(first_nine: str) -> int:
    """R-VER-2: sum of digit[i]·(9−i); < 100 → the sum; 100, 101 → 0; > 101 → sum mod 101
    (and a remainder of 100 → 0)."""
    total = sum(int(d) * (9 - i) for i, d in enumerate(first_nine))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    rest = total % 101
    return 0 if rest == 100 else rest


def snils_is_valid(value: str) -> bool:
    """R-VER-2: is ``value`` a well-formed СНИЛС with a correct checksum? Never raises."""
    try:
        digits = snils_digits(value)
        if digits is None:
            return False
        number = int(digits[:9])
        if number <= _SNILS_UNCHECKED_MAX:
            return number > 0
        return snils_checksum(digits[:9]) == int(digits[9:])
    except Exception:  # pragma: no cover - defensive: the contract is "never an exception"
        return False


def snils_format(digits: str) -> str:
    """``11223344595`` → ``112-233-445 95``."""
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


def snils_mask(digits: str) -> str:
    """R-PD-2: what a screen may show of a СНИЛС: ``***-***-*** 95``."""
    return f"***-***-*** {digits[-2:]}"


# --------------------------------------------------------------------------- names

_NAME_PART = re.compile(r"^[А-ЯЁA-Z][а-яёa-z]+(?:-[А-ЯЁA-Z][а-яёa-z]+)*$")


def normalize_full_name(value: str) -> str | None:
    """ФИО (R-VER-1): two to four words of letters (hyphenated parts allowed), each
    capitalised on return; ``None`` when it does not look like a name."""
    words = value.split()
    if not 2 <= len(words) <= 4:
        return None
    fixed = ["-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")) for w in words]
    if not all(_NAME_PART.match(w) for w in fixed):
        return None
    return " ".join(fixed)


def short_name(name: str) -> str:
    """«Орлов Дмитрий Игоревич» → «Орлов Д. И.» (a sheet line or a protocol's marks column
    names up to four experts, issue #16); a single word (or an id) stays as it is."""
    first, *rest = name.split() or [name]
    return " ".join([first, *(f"{w[0]}." for w in rest)]) if rest else first
