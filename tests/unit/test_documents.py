"""The document renderer (R-PRO-3, R-RES-3): every protocol kind and every award renders to
a PDF whose extracted text carries the Cyrillic content; rendering is byte-reproducible."""

from __future__ import annotations

import dataclasses
import io
import re
from functools import cache

import pytest
from pypdf import PdfReader

from notifications import documents
from notifications.documents import (
    AwardDocument,
    DocTable,
    FontNotFound,
    ProtocolDocument,
    Signer,
    render_award,
    render_protocol,
)
from notifications.i18n import t

try:
    documents.find_font_dir()
except FontNotFound:  # pragma: no cover - the project installs fonts-dejavu-core
    pytest.skip("DejaVu fonts are not installed (fonts-dejavu-core)", allow_module_level=True)

SHA = "ab12" + "0f" * 30
LONG_ASPECT = (
    "Соблюдение требований охраны труда и техники безопасности при выполнении "
    "всех этапов конкурсного задания, включая подготовку рабочего места, "
    "использование средств индивидуальной защиты и уборку «ёмкостей» после работы"
)


def pages_text(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() or "" for page in reader.pages]


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces folded to one space, so a wrapped
    cell or paragraph can be looked for as one string."""
    return re.sub(r"\s+", " ", text)


def score_table(rows: int = 60) -> DocTable:
    return DocTable(
        title="Итоговые оценки участников",
        header=("№", "Участник", "Аспект", "Баллы"),
        rows=tuple(
            (
                str(i),
                f"Участник № {i:02d} — Алёна Фёдорова-{i}",
                LONG_ASPECT if i % 7 == 0 else f"Аспект «Качество шва» № {i}",
                f"{(i * 37) % 100 / 10:.2f}".replace(".", ","),
            )
            for i in range(1, rows + 1)
        ),
        widths=(0.08, 0.32, 0.48, 0.12),
    )


SIGNERS = (
    Signer(
        name="Ёлкина Мария Семёновна", role="Главный эксперт", signed_at="12.03.2027 14:20 (МСК)"
    ),
    Signer(name="Громов Пётр Ильич", role="Эксперт", signed_at=None),
    Signer(
        name="Щукина Анна Юрьевна", role="Эксперт-наставник", signed_at="12.03.2027 15:02 (МСК)"
    ),
)


def protocol(kind: str = "score_lock", **changes: object) -> ProtocolDocument:
    doc = ProtocolDocument(
        kind=kind,
        number="7/2027",
        title=t(f"doc-kind-{kind}", "ru"),
        contest="«Лучший по профессии» — 2027",
        stage="Региональный этап",
        subject="Сварщик (ручная дуговая сварка)",
        created_at="12.03.2027 14:05 (МСК)",
        paragraphs=(
            "Экспертная группа в составе главного эксперта и экспертов заблокировала оценки "
            "участников. Изменение оценок после блокировки возможно только через корректировку.",
            "Ёмкость для отходов «№ 3» проверена; замечаний нет.",
        ),
        tables=(score_table(),),
        signers=SIGNERS,
        version=2,
        content_sha256=SHA,
    )
    return dataclasses.replace(doc, **changes)


@cache
def rendered(kind: str) -> bytes:
    return render_protocol(protocol(kind))


@pytest.mark.parametrize("kind", documents.PROTOCOL_KINDS)
def test_every_protocol_kind_renders_its_russian_text(kind: str) -> None:
    data = rendered(kind)
    assert data.startswith(b"%PDF-")
    pages = pages_text(data)
    assert len(pages) >= 2, "60 score rows must break the table over pages"
    text = flat("\n".join(pages))
    kind_title = t(f"doc-kind-{kind}", "ru")
    assert f"Протокол № 7/2027 — {kind_title}" in text
    for expected in (
        "Конкурс: «Лучший по профессии» — 2027",
        "Этап: Региональный этап",
        "Компетенция (номинация): Сварщик (ручная дуговая сварка)",
        "Дата и время составления: 12.03.2027 14:05 (МСК)",
        "Ёмкость для отходов «№ 3» проверена; замечаний нет.",
        "Итоговые оценки участников",
        "Участник № 01 — Алёна Фёдорова-1",
        "Участник № 60 — Алёна Фёдорова-60",
        "Аспект «Качество шва» № 59",
        "Подписи",
        "Ёлкина Мария Семёновна",
        "Главный эксперт",
        "подписано 12.03.2027 14:20 (МСК) в Telegram",
        "Громов Пётр Ильич",
        "Щукина Анна Юрьевна",
        f"Версия 2 · SHA-256 содержания: {SHA}",
    ):
        assert expected in text, expected
    # A long aspect title wraps inside its cell but nothing of it is lost.
    assert flat(LONG_ASPECT) in text or all(word in text for word in LONG_ASPECT.split())
    assert "ёмкостей" in text


def test_page_numbers_and_repeated_table_header() -> None:
    pages = pages_text(rendered("score_lock"))
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"стр. {number} из {total}" in flat(page)
        assert "SHA-256 содержания" in page
    assert "стр. 2 из" in flat(pages[1])
    # The score table continues on page 2 under a repeated header row.
    assert "Участник" in pages[1] and "Аспект" in pages[1] and "Баллы" in pages[1]
    assert "Протокол № 7/2027" in pages[1]  # the running header


def test_unsigned_signer_gets_a_line() -> None:
    text = flat("\n".join(pages_text(rendered("score_lock"))))
    assert t("doc-sign-line", "ru") in text
    assert text.count("в Telegram") == 2


def test_rendering_is_deterministic_and_content_sensitive() -> None:
    first = render_protocol(protocol("results"))
    assert render_protocol(protocol("results")) == first
    assert first == rendered("results")
    # Any change in the content changes the file.
    changed_cell = score_table()
    rows = list(changed_cell.rows)
    rows[10] = (*rows[10][:3], "9,99")
    changed = protocol("results", tables=(dataclasses.replace(changed_cell, rows=tuple(rows)),))
    assert render_protocol(changed) != first
    assert render_protocol(protocol("results", version=3)) != first
    signed = tuple(
        dataclasses.replace(s, signed_at=s.signed_at or "12.03.2027 16:00 (МСК)") for s in SIGNERS
    )
    assert render_protocol(protocol("results", signers=signed)) != first


def test_small_protocol_without_tables_or_hash() -> None:
    doc = protocol(
        "task_briefing",
        tables=(),
        content_sha256=None,
        version=1,
        title="Ознакомление с заданием модуля «А»",
        signers=(Signer(name="Иванов Иван", role="Эксперт"),),
    )
    pages = pages_text(render_protocol(doc))
    assert len(pages) == 1
    text = flat(pages[0])
    assert "Версия 1" in text and "SHA-256" not in text
    assert "стр. 1 из 1" in text
    assert "Иванов Иван" in text
    # A title of its own gets the kind from the catalogue beneath it.
    assert "Протокол № 7/2027 — Ознакомление с заданием модуля «А»" in text
    assert t("doc-kind-task_briefing", "ru") in text


def test_invalid_documents_are_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        render_protocol(dataclasses.replace(protocol(), kind="unknown"))
    bad = DocTable(title="Т", header=("А", "Б"), rows=(("1",),))
    with pytest.raises(ValueError, match="cells"):
        render_protocol(protocol(tables=(bad,)))
    with pytest.raises(ValueError, match="widths"):
        render_protocol(
            protocol(tables=(DocTable(title=None, header=("А",), rows=(), widths=(0.5, 0.5)),))
        )


def award(kind: str, medal: str | None = None, **changes: object) -> AwardDocument:
    doc = AwardDocument(
        kind=kind,
        person="Фёдорова Алёна Сергеевна",
        contest="«Лучший по профессии» — 2027",
        stage="Региональный этап",
        subject="Сварщик (ручная дуговая сварка)",
        text="за высокий профессионализм, проявленный на конкурсе профессионального мастерства",
        medal=medal,
        issued_at="15.03.2027",
        number="Д-0042",
    )
    return dataclasses.replace(doc, **changes)


@pytest.mark.parametrize(
    ("kind", "medal", "titles"),
    [
        ("diploma", "gold", ("Диплом", "Золотая медаль")),
        ("diploma", "silver", ("Диплом", "Серебряная медаль")),
        ("diploma", "bronze", ("Диплом", "Бронзовая медаль")),
        ("certificate", None, ("Сертификат участника",)),
        ("thanks", None, ("Благодарственное письмо",)),
    ],
)
def test_awards(kind: str, medal: str | None, titles: tuple[str, ...]) -> None:
    data = render_award(award(kind, medal))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    text = flat(page.extract_text())
    for expected in (
        *titles,
        "Фёдорова Алёна Сергеевна",
        "за высокий профессионализм, проявленный на конкурсе профессионального мастерства",
        "«Лучший по профессии» — 2027",
        "Региональный этап · Сварщик (ручная дуговая сварка)",
        "Дата выдачи: 15.03.2027",
        "№ Д-0042",
    ):
        assert expected in text, expected
    if medal is None:
        assert "медаль" not in text
    assert render_award(award(kind, medal)) == data
    assert render_award(award(kind, medal, person="Фёдоров Алексей")) != data


def test_award_medal_rules() -> None:
    with pytest.raises(ValueError, match="medal"):
        render_award(award("certificate", "gold"))
    with pytest.raises(ValueError, match="medal"):
        render_award(award("diploma", "platinum"))
    with pytest.raises(ValueError, match="kind"):
        render_award(award("letter"))


def test_missing_font_directory_names_the_package(tmp_path, monkeypatch) -> None:
    with pytest.raises(FontNotFound, match="fonts-dejavu-core") as caught:
        render_protocol(protocol(), font_dir=str(tmp_path))
    assert str(tmp_path) in str(caught.value)
    with pytest.raises(FontNotFound, match="fonts-dejavu-core"):
        render_award(award("thanks"), font_dir=str(tmp_path / "nowhere"))
    # FONT_DIR is honoured, and an explicit argument wins over it.
    monkeypatch.setenv("FONT_DIR", str(tmp_path))
    with pytest.raises(FontNotFound, match="FONT_DIR"):
        render_award(award("thanks"))
    monkeypatch.delenv("FONT_DIR")
    real_dir = str(documents.find_font_dir())
    monkeypatch.setenv("FONT_DIR", str(tmp_path))
    assert render_award(award("thanks"), font_dir=real_dir).startswith(b"%PDF-")
    monkeypatch.setenv("FONT_DIR", real_dir)
    assert documents.find_font_dir() == documents.find_font_dir(real_dir)
