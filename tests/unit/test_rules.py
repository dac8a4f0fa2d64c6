"""Pure rules, no database (models/rules.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models import rules
from models.rules import (
    ConditionAnswers,
    Conditions,
    FileKind,
    FileRequirement,
    OfferedFile,
    check_conditions,
    check_file,
    snils_is_valid,
)


@pytest.mark.parametrize(
    "value",
    [
        "112-233-445 95",
        "11223344595",
        "112 233 445 95",
        " 112-233-445 95 ",
        "112-233-44595",
        "123-456-789 64",
    ],
)
def test_valid_snils_forms(value: str) -> None:
    assert snils_is_valid(value)  # R-VER-2


@pytest.mark.parametrize(
    "value",
    [
        "112-233-445 96",  # wrong checksum
        "112-233-445 9",  # 10 digits
        "112-233-445 955",  # 12 digits
        "112_233_445_95",
        "112-233-445-95x",
        "abc",
        "",
        "   ",
        "１１２２３３４４５９５",  # full-width digits are not accepted
        "000-000-000 00",  # zero is not a number
    ],
)
def test_invalid_snils_forms(value: str) -> None:
    assert not snils_is_valid(value)


@pytest.mark.parametrize("value", [None, 11223344595, b"11223344595", ["112"], 1.5])
def test_snils_check_never_raises(value: object) -> None:
    assert snils_is_valid(value) is False  # type: ignore[arg-type]


def test_snils_checksum_branches() -> None:
    # sum < 100 → the sum itself
    assert rules.snils_checksum("112233445") == 95

    # find numbers whose weighted sum is 100/101 (→ 00) and > 101 (→ mod 101)
    def weighted(n: str) -> int:
        return sum(int(d) * (9 - i) for i, d in enumerate(n))

    hundred = next(
        f"{n:09d}"
        for n in range(1_002_000, 999_999_999, 7919)
        if weighted(f"{n:09d}") in (100, 101)
    )
    assert rules.snils_checksum(hundred) == 0 and snils_is_valid(hundred + "00")
    big = "999999999"  # 9·45 = 405 → 405 mod 101 = 1
    assert rules.snils_checksum(big) == 1 and snils_is_valid("999-999-999 01")
    assert not snils_is_valid("999-999-999 00")


def test_old_numbers_are_not_checked() -> None:
    # R-VER-2: numbers up to 001-001-998 predate the checksum
    assert snils_is_valid("001-001-998 00") and snils_is_valid("001-001-998 77")
    # the first checked number: 0·9+0·8+1·7+0·6+0·5+1·4+9·3+9·2+9·1 = 65
    assert snils_is_valid("001-001-999 65") and not snils_is_valid("001-001-999 77")


def test_snils_mask_shows_only_last_two() -> None:
    assert rules.snils_mask("11223344595") == "***-***-*** 95"  # R-PD-2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("иванова анна петровна", "Иванова Анна Петровна"),
        ("Римский-Корсаков Николай Андреевич", "Римский-Корсаков Николай Андреевич"),
        ("Ли Мин", "Ли Мин"),
        ("Иванова", None),
        ("Иванова Анна 1990", None),
        ("a b c d e", None),
    ],
)
def test_full_name(raw: str, expected: str | None) -> None:
    assert rules.normalize_full_name(raw) == expected


def test_conditions() -> None:
    today = date(2027, 2, 1)
    young = Conditions(max_age=35)
    assert (
        check_conditions(young, ConditionAnswers(birth_date=date(1992, 2, 1)), today) == []
    )  # exactly 35
    assert [
        f.code
        for f in check_conditions(young, ConditionAnswers(birth_date=date(1991, 1, 31)), today)
    ] == ["too_old"]
    assert [f.code for f in check_conditions(young, ConditionAnswers(), today)] == [
        "birth_date_missing"
    ]
    exp = Conditions(min_experience_years=3, requires_practice=True)
    fails = check_conditions(exp, ConditionAnswers(experience_years=2, has_practice=False), today)
    assert [(f.code, f.limit) for f in fails] == [
        ("experience_too_short", 3),
        ("practice_required", None),
    ]
    assert (
        check_conditions(exp, ConditionAnswers(experience_years=3, has_practice=True), today) == []
    )


def test_birth_date_and_experience_parsing() -> None:
    today = date(2027, 2, 1)
    assert rules.parse_birth_date("05.03.1990", today) == date(1990, 3, 5)
    assert rules.parse_birth_date("31.02.1990", today) is None
    assert rules.parse_birth_date("01.01.2030", today) is None
    assert rules.parse_experience_years("4") == 4
    assert (
        rules.parse_experience_years("-1") is None and rules.parse_experience_years("сорок") is None
    )


def test_deadline() -> None:
    deadline = datetime(2027, 4, 1, 20, 59, 59, tzinfo=UTC)
    assert not rules.deadline_passed(deadline, deadline)
    assert rules.deadline_passed(deadline, deadline + timedelta(seconds=1))
    assert not rules.deadline_passed(None, deadline)


PRESENTATION = FileRequirement("presentation", FileKind.DOCUMENT, ("pdf", "pptx"), 20 * 1024 * 1024)
VIDEO = FileRequirement("video", FileKind.VIDEO, ("mp4", "mov"), 200 * 1024 * 1024)
CLOUD = 20 * 1024 * 1024


def test_file_checks() -> None:
    ok = OfferedFile("Презентация.PDF", "application/pdf", 5 * 1024 * 1024)
    assert check_file(PRESENTATION, ok, CLOUD) is None
    assert check_file(PRESENTATION, OfferedFile("a.docx", None, 10), CLOUD).code == "wrong_type"
    assert (
        check_file(PRESENTATION, OfferedFile(None, "application/pdf", 10), CLOUD) is None
    )  # type from MIME
    assert check_file(PRESENTATION, OfferedFile("a.pdf", None, None), CLOUD).code == "size_unknown"
    too_big = check_file(PRESENTATION, OfferedFile("a.pdf", None, 21 * 1024 * 1024), CLOUD)
    assert (too_big.code, too_big.limit) == ("too_large", 20 * 1024 * 1024)
    cloud = check_file(VIDEO, OfferedFile("v.mp4", "video/mp4", 50 * 1024 * 1024), CLOUD)
    assert cloud.code == "too_large_for_cloud"
    assert (
        check_file(VIDEO, OfferedFile("v.mp4", "video/mp4", 50 * 1024 * 1024), 2000 * 1024 * 1024)
        is None
    )
    assert rules.effective_size_limit(VIDEO, CLOUD) == CLOUD


def test_missing_for_submission_names_everything() -> None:
    missing = rules.missing_for_submission(
        [rules.FieldRequirement("position"), rules.FieldRequirement("note", required=False)],
        {"position": ""},
        [PRESENTATION, VIDEO],
        {"video": 1},
        consent_privacy=True,
        consent_transfer=False,
    )
    assert missing.fields == ("position",) and missing.files == ("presentation",)
    assert not missing.consent_privacy and missing.consent_transfer and not missing.nothing


def test_size_mb() -> None:
    assert rules.size_mb(20 * 1024 * 1024) == "20" and rules.size_mb(1536 * 1024) == "1,5"


def test_logs_mask_snils_shaped_numbers(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from models import logsafe

    handler = logging.StreamHandler()
    handler.setFormatter(logsafe.MaskingFormatter(logging.Formatter("%(message)s")))
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "input_value='%s' id=%d", ("123-456-789 64", 4242), None
    )
    out = handler.format(record)
    assert "123-456-789" not in out and "***-***-*** **" in out and "id=4242" in out
    assert logsafe.mask("12345678964 and 112 233 445 95") == "***-***-*** ** and ***-***-*** **"


def test_scheme_lock_late_two_days_before_start() -> None:
    """R-SCH-3: the scheme is locked at least 2 days before the start; later is late."""
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert not rules.scheme_lock_late(start, start - timedelta(days=3))
    assert not rules.scheme_lock_late(start, start - timedelta(days=2))
    assert rules.scheme_lock_late(start, start - timedelta(days=2) + timedelta(seconds=1))
    assert rules.scheme_lock_late(start, start + timedelta(hours=1))
    assert not rules.scheme_lock_late(None, start)
