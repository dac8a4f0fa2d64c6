## Напоминание экспертам о неоценённых аспектах до срока оценки (R-REM-3, R-APP-7)

remind-scoring-deadline =
    ⏰ Оценивание по схеме «{ $scheme }» (конкурс «{ $contest }») заканчивается { $deadline }.
    Не оценено аспектов: { $count }. Все аспекты нужно оценить до срока — после него оценки не принимаются.
# the button (sco-btn-continue) is the score-entry one, defined in scoring.ftl

## Выгрузка оценок в Excel (R-RES-1, R-SCO-5): листы и заголовки столбцов

sco-xlsx-title = Итоги оценивания «{ $scheme }»
sco-xlsx-sheet-results = Итоги
sco-xlsx-sheet-sheets = Ведомости
sco-xlsx-place = Место
sco-xlsx-number = №
sco-xlsx-participant = Участник
sco-xlsx-region = Регион
sco-xlsx-total = Баллы
sco-xlsx-medal = Медаль
sco-xlsx-advances = Следующий этап
sco-xlsx-advances-yes = → федеральный этап
sco-xlsx-no-region = Регион не указан
sco-xlsx-no-targets = участников нет
sco-xlsx-locked = Оценки заблокированы { $at } ({ $tz })
sco-xlsx-not-locked = Оценки ещё не заблокированы: итоги предварительные
sco-xlsx-criterion = Критерий
sco-xlsx-criterion-title = Название критерия
sco-xlsx-subcriterion = Субкритерий
sco-xlsx-subcriterion-title = Название субкритерия
sco-xlsx-group = Группа
sco-xlsx-aspect = Аспект
sco-xlsx-aspect-title = Название аспекта
sco-xlsx-kind = Вид
sco-xlsx-max-points = Макс. баллов
sco-xlsx-state = Состояние
sco-xlsx-points = Баллы группы
sco-xlsx-mark-note = Оценки экспертов: судейская — 0–3; да/нет — 1 или 0; по таблице — баллы выбранного варианта.

sco-xlsx-medal-gold = золото
sco-xlsx-medal-silver = серебро
sco-xlsx-medal-bronze = бронза

sco-xlsx-kind-judgement = судейская
sco-xlsx-kind-binary = измеримая (да/нет)
sco-xlsx-kind-discrete = измеримая (по таблице)

sco-xlsx-state-incomplete = не оценено
sco-xlsx-state-scored = оценено
sco-xlsx-state-rescore = повторная оценка
sco-xlsx-state-tie = ничья, повторное голосование
