"""The words of the protocols moved from the services to the catalogue (issue #14, item 5):
every sentence, heading and column name a service now passes as a phrase is, in Russian,
character for character what the earlier code wrote — so a protocol issued now has the
same content and SHA-256 as the same protocol issued before (its signatures stay valid).

The expected texts are the earlier code's f-strings, copied as they were
(``models/services/scoring/protocols.py``, ``appeals/dispute.py``, ``appeals/decisions.py``
and ``scheme_xlsx/writer.py`` before the move); the service-level proof over whole
protocols is ``tests/services/test_protocols.py::test_protocol_content_hashes_as_before``."""

from __future__ import annotations

import pytest

from models.phrases import MissingPhrase, Phrase, phrase, say
from models.services.protocols import content_hash, table

SCHEME = "Социальная работа"
AT = "12.03.2027 14:05 (МСК)"
LABEL = "№3 Петрова М.И."  # a label with dots (see the «restored» sentence)
SHA = "ab" * 32


def old_texts() -> list[tuple[Phrase | list[Phrase], str]]:
    """(what the service passes now, what the earlier code wrote), for sample values."""
    pts, restored, targets = "1,5", "2.5", 4
    return [
        # scoring/protocols.py: scheme lock
        (
            phrase("doc-pro-scheme-lock-title", scheme=SCHEME),
            f"Блокировка схемы оценки «{SCHEME}»",
        ),
        (
            phrase("doc-pro-scheme-lock-locked", at=AT),
            f"Схема оценки заблокирована главным экспертом {AT}. "
            "После блокировки схема не изменяется (R-SCH-3).",
        ),
        (phrase("doc-pro-scheme-lock-sha", sha=SHA), f"SHA-256 содержания схемы: {SHA}."),
        (phrase("doc-pro-table-subcriteria"), "Субкритерии и группы оценки"),
        # score lock
        (phrase("doc-pro-score-lock-title", scheme=SCHEME), f"Блокировка оценок «{SCHEME}»"),
        (
            phrase("doc-pro-score-lock-locked", at=AT, targets=targets),
            f"Оценки заблокированы главным экспертом {AT}. Участников в списке оценки: {targets}.",
        ),
        (
            phrase("doc-pro-score-lock-rules"),
            "Изменить заблокированную оценку можно только по протоколу корректировки (R-SCO-6). "
            "Демонтаж конкурсных работ — после подписания этого протокола всеми экспертами (R-PRO-4).",
        ),
        (phrase("doc-pro-table-locked"), "Заблокированные субкритерии"),
        # mentor sheet
        (phrase("doc-pro-sheet-title", target=LABEL), f"Ведомость оценок: {LABEL}"),
        (
            phrase("doc-pro-sheet-total", target=LABEL, total="7,50"),
            f"Участник: {LABEL}. Итого баллов: 7,50.",
        ),
        (
            phrase("doc-pro-sheet-confirmed"),
            "Эксперт-наставник сверил ведомость и подтверждает её (R-SCO-5).",
        ),
        # correction
        (
            phrase("doc-pro-correction-title", id=7, target=LABEL, subcriterion="B2"),
            f"Корректировка №7: {LABEL}, субкритерий B2",
        ),
        (phrase("doc-pro-correction-reason", reason="опечатка"), "Причина: опечатка"),
        (
            phrase("doc-pro-correction-after"),
            "Исправленная ведомость (после повторной блокировки).",
        ),
        (
            phrase("doc-pro-correction-before"),
            "Ведомость до исправления; после согласования всех подписантов субкритерий будет разблокирован.",
        ),
        (phrase("doc-pro-correction-points", points="3,00"), "Баллы по субкритерию: 3,00."),
        # results
        (phrase("doc-pro-results-title", scheme=SCHEME), f"Результаты «{SCHEME}»"),
        (
            phrase("doc-pro-results-rules"),
            "Места — по сумме баллов; равные суммы делят место и медаль (R-RES-1). "
            "Имена победителей не разглашаются до награждения (R-RES-2).",
        ),
        (phrase("doc-pro-table-ranking"), "Рейтинг"),
        (phrase("doc-pro-medal", medal="gold"), "золото"),
        (phrase("doc-pro-medal", medal="silver"), "серебро"),
        (phrase("doc-pro-medal", medal="bronze"), "бронза"),
        (phrase("doc-pro-advances"), "→ следующий этап"),
        # task briefing
        (
            phrase("doc-pro-briefing-title", scheme=SCHEME),
            f"Ознакомление с конкурсным заданием «{SCHEME}»",
        ),
        (
            phrase("doc-pro-briefing-text", at=AT),
            f"Составлен {AT}. "
            "Участники ознакомлены с конкурсным заданием, критериями оценки и правилами; "
            "подписывая протокол, участник подтверждает ознакомление.",
        ),
        (phrase("doc-pro-table-participants"), "Участники"),
        # appeals/dispute.py: the pre-appeal
        (phrase("doc-pro-pre-title", id=5), "Доапелляционное рассмотрение №5"),
        (phrase("doc-pro-pre-situation", situation="шум"), "Ситуация: шум"),
        (phrase("doc-pro-pre-proposal", proposal="вычесть"), "Предложение: вычесть"),
        (phrase("doc-pro-pre-penalty", penalty="№2 −1 балл"), "Штрафные санкции: №2 −1 балл"),
        (phrase("doc-pro-pre-penalty-none"), f"Штрафные санкции: {None or 'нет'}"),
        (
            phrase("doc-pro-pre-count", accredited=8, voted=7, yes=5, no=2),
            "Аккредитовано экспертов: 8; проголосовали: 7 "
            "(за — 5, против — 2). "
            "Кворум — не менее 80 %, решение — больше половины голосов (R-APL-1).",
        ),
        (phrase("doc-pro-pre-outcome", outcome="accepted"), "Итог: принято."),
        (phrase("doc-pro-pre-outcome", outcome="rejected"), "Итог: отклонено."),
        (phrase("doc-pro-pre-outcome", outcome="no_quorum"), "Итог: кворума нет."),
        (phrase("doc-pro-table-votes"), "Голоса"),
        (phrase("doc-pro-pre-vote", vote="yes"), "за"),
        (phrase("doc-pro-pre-vote", vote="no"), "против"),
        # appeals/decisions.py: the appeal
        (phrase("doc-pro-appeal-title", id=9), "Решение по апелляции №9"),
        *(
            (
                phrase("doc-pro-appeal-case", target=LABEL, kind=kind, at=AT),
                f"Участник: {LABEL}. Вид нарушения: {title}. Спорная ситуация: {AT}.",
            )
            for kind, title in (
                ("scoring_procedure", "нарушение процедуры оценивания"),
                ("unfair_advantage", "несправедливое преимущество"),
                ("removed_from_task", "отстранение от выполнения задания"),
            )
        ),
        (phrase("doc-pro-appeal-description", text="д"), "Описание: д"),
        (phrase("doc-pro-appeal-demands", text=""), "Требования: "),
        *(
            (
                phrase("doc-pro-appeal-decision", decision=d, text=text),
                f"Решение: {'апелляция удовлетворена' if d == 'upheld' else 'в удовлетворении отказано'}. {text}",
            )
            for d in ("upheld", "rejected")
            for text in ("Преимущество подтверждено.", "")
        ),
        (
            [
                phrase("doc-pro-appeal-deduction-other", target=LABEL, points=pts),
                phrase("doc-pro-appeal-disqualified-other", target=LABEL),
                phrase(
                    "doc-pro-appeal-restored",
                    target=LABEL.replace(".", ","),
                    points=restored.replace(".", ","),
                ),
            ],
            " ".join(
                [
                    f"Вычет баллов у участника {LABEL} (несправедливое преимущество): {pts}.",
                    f"Участник {LABEL} дисквалифицирован.",
                    (
                        f"Восстановлено баллов участнику {LABEL} "
                        f"(ошибка оценивания не в его пользу): {restored}"
                    ).replace(".", ",")
                    + ".",
                ]
            ),
        ),
        (
            [phrase("doc-pro-appeal-deduction", points=pts), phrase("doc-pro-appeal-disqualified")],
            f"Вычет баллов: {pts}. Участник дисквалифицирован.",
        ),
        (phrase("doc-pro-appeal-no-deduction"), "Вычета баллов нет."),
        (
            phrase("doc-pro-appeal-deputy", name="Орлов Дмитрий Игоревич"),
            "Решение записал заместитель председателя Орлов Дмитрий Игоревич: "
            "председатель не участвует в рассмотрении (R-APL-6).",
        ),
        (
            phrase("doc-pro-appeal-final"),
            "Решение апелляционной комиссии окончательное и обжалованию не подлежит (R-APL-8).",
        ),
        (phrase("doc-pro-table-commission-votes"), "Голоса членов комиссии"),
        (phrase("doc-pro-appeal-vote", vote="uphold"), "удовлетворить"),
        (phrase("doc-pro-appeal-vote", vote="reject"), "отказать"),
    ]


@pytest.mark.parametrize(("said", "before"), old_texts())
def test_every_protocol_phrase_reads_as_the_earlier_text(said: Phrase, before: str) -> None:
    assert say(said) == before


def test_table_headers_read_as_before() -> None:
    col = {
        k: phrase(f"doc-pro-col-{k}")
        for k in (
            "criterion subcriterion aspects points group aspect title max marks score place "
            "participant region medal number expert vote member"
        ).split()
    }
    made = [
        table(
            None,
            [col[k] for k in ("criterion", "subcriterion", "aspects", "points", "group")],
            [],
        ),
        table(None, [col[k] for k in ("aspect", "title", "max", "marks", "score")], []),
        table(
            None,
            [*(col[k] for k in ("place", "participant", "region", "score", "medal")), ""],
            [],
        ),
        table(None, [col["number"], col["participant"]], []),
        table(None, [col["expert"], col["vote"]], []),
        table(None, [col["member"], col["vote"]], []),
    ]
    assert [m["header"] for m in made] == [
        ["Критерий", "Субкритерий", "Аспектов", "Баллов", "Группа"],
        ["Аспект", "Название", "Макс.", "Оценки экспертов", "Баллы"],
        ["Место", "Участник", "Регион", "Баллы", "Медаль", ""],
        ["№", "Участник"],
        ["Эксперт", "Голос"],
        ["Член комиссии", "Голос"],
    ]


def test_a_table_writes_phrases_and_keeps_data() -> None:
    made = table(
        phrase("doc-pro-table-ranking"),
        [phrase("doc-pro-col-place"), phrase("doc-pro-col-medal")],
        [[1, phrase("doc-pro-medal", medal="gold")], ["2", "—"]],
        [0.5, 0.5],
    )
    before = {
        "title": "Рейтинг",
        "header": ["Место", "Медаль"],
        "rows": [["1", "золото"], ["2", "—"]],
        "widths": [0.5, 0.5],
    }
    assert made == before and content_hash(made) == content_hash(before)


def test_english_words_and_a_missing_key() -> None:
    assert say(phrase("doc-pro-pre-outcome", outcome="accepted"), "en") == "Outcome: accepted."
    assert say(phrase("doc-pro-col-place"), "xx") == "Место"  # Russian when missing
    assert say("данные как есть") == "данные как есть"
    with pytest.raises(MissingPhrase):
        say(phrase("doc-pro-no-such-key"))
