# issue #16: paper backup sheets for the chief expert (seed 002 §6.7)

## the chat
paper-btn-open = 🖨 Бумажные ведомости
paper-menu-title = 🖨 <b>Бумажные ведомости</b> — { $title }
paper-menu-help = Чистая ведомость — по субкритерию, одна страница на участника: аспекты с пустыми клетками, столбец на каждого эксперта группы и строки для подписей. Заполненная ведомость группы — оценки, внесённые на этот момент, для подписи группой и главным экспертом.
paper-menu-not-locked = Чистые ведомости печатаются после блокировки схемы оценки: до неё аспекты ещё могут измениться.
paper-menu-no-targets = Список участников ещё не сформирован — сначала «Сформировать список участников».
paper-menu-no-groups = В схеме ещё нет групп оценки.
paper-btn-blank-all = 📄 Чистые: все субкритерии
paper-btn-group = ✍️ Заполненная: группа { $code }
paper-menu-blank = <b>Чистые ведомости</b> (выберите субкритерий):
paper-menu-groups = <b>Заполненные ведомости групп</b> (выберите группу):
paper-preparing-blank = ⏳ Готовлю PDF: { $count } { $count ->
    [one] ведомость
    [few] ведомости
   *[other] ведомостей
}…
paper-preparing-group = ⏳ Готовлю PDF ведомости группы { $code }…
paper-blank-ready = 📄 Чистые ведомости: { $what } — { $count } { $count ->
    [one] ведомость
    [few] ведомости
   *[other] ведомостей
}.
paper-blank-all = все субкритерии
paper-blank-one = субкритерий { $code }
paper-group-ready = ✍️ Заполненная ведомость группы { $code } — на подпись.
paper-btn-back = ⬅️ К бумажным ведомостям

## refusals
err-paper-not-locked = Бумажные ведомости печатаются после блокировки схемы оценки: до неё аспекты ещё могут измениться (R-SCH-3).
err-paper-no-targets = Список участников ещё не сформирован — сначала «Сформировать список участников», потом печатайте ведомости.
err-paper-no-group = У субкритериев { $codes } нет группы оценки — назначьте группу, потом печатайте ведомости.
err-paper-subcriterion-not-found = Такого субкритерия в этой схеме нет.
err-paper-group-not-found = Такой группы оценки в этой схеме нет.

## the PDF
paper-doc-nomination = Компетенция: { $nomination } · Этап: { $stage } · Схема оценки: { $scheme }
paper-doc-blank-title = Рукописная ведомость оценки
paper-doc-criterion-group = Критерий { $criterion } · Группа оценки: { $code } — { $name }
paper-doc-subcriterion = Субкритерий { $code } { $title }
paper-doc-target = Участник: { $label }
paper-doc-date-line = Дата оценки: «____» ______________ 20____ г.
paper-doc-excluded = { $names } — эксперт-наставник этого участника и его не оценивает (R-ROLE-3): клетки зачёркнуты.
paper-doc-col-code = Код
paper-doc-col-aspect = Аспект
paper-doc-col-kind = Вид и шкала
paper-doc-col-max = Макс.
paper-doc-col-result = Результат группы
paper-doc-col-points = Баллы
paper-doc-kind-judgement = судейская: 0 / 1 / 2 / 3
paper-doc-kind-binary = измеримая: да / нет
paper-doc-kind-discrete = по таблице: { $options }
paper-doc-yes-no = ☐ Да   ☐ Нет
paper-doc-yes = Да
paper-doc-no = Нет
paper-doc-struck = —
paper-doc-judgement-scale = Судейская оценка (0–3): 0 — ниже требований; 1 — соответствует требованиям; 2 — частично превосходит требования; 3 — отлично. Если оценки экспертов расходятся больше чем на 1, аспект оценивается заново (R-SCO-1).
paper-doc-correction-rule = Каждое исправление в ведомости подписывают все эксперты группы оценки — напротив исправления, через дефис (002 §6.7).
paper-doc-signatures = Подписи
paper-doc-sign-name = ФИО
paper-doc-sign-here = Подпись
paper-doc-sign-date = Дата
paper-doc-role-leader = Руководитель группы оценки
paper-doc-role-member = Эксперт группы оценки
paper-doc-role-chief = Главный эксперт
paper-doc-group-title = Ведомость оценки группы { $code } — { $name }
paper-doc-made-at = Сформирована { $at } по оценкам, внесённым на этот момент. Подписывается всеми экспертами группы оценки и главным экспертом.
paper-doc-not-locked = Оценки ещё не заблокированы главным экспертом (R-SCO-5) и могут измениться.
paper-doc-locked = Оценки заблокированы главным экспертом (R-SCO-5).
paper-doc-part = { $code } { $title } · { $label }
paper-doc-state-scored = оценено
paper-doc-state-rescore = повторная оценка
paper-doc-state-tie = голоса разделились — голосовать заново
paper-doc-state-incomplete = не оценено
paper-doc-total = Итого: { $total } из { $max }
paper-doc-legend = «—» — оценки нет; в скобках — оценка, отложенная повторной оценкой и ещё не выставленная заново.
paper-doc-empty-group = У этой группы нет субкритериев.
paper-doc-page = стр. { $page } из { $pages }
