## Печатные документы (R-PRO-1…3, R-RES-3): протоколы, сертификаты, дипломы, благодарственные письма

doc-kind-scheme_lock = Протокол блокировки схемы оценки
doc-kind-task_briefing = Протокол ознакомления с конкурсным заданием
doc-kind-score_lock = Протокол блокировки оценок
doc-kind-mentor_sheet = Протокол подтверждения ведомости экспертом-наставником
doc-kind-correction = Протокол корректировки оценок
doc-kind-results = Протокол результатов работы экспертной комиссии
doc-kind-pre_appeal = Протокол решения по преапелляции
doc-kind-appeal = Протокол решения апелляционной комиссии

doc-protocol-title = Протокол № { $number } — { $title }
doc-contest = Конкурс: { $contest }
doc-stage = Этап: { $stage }
doc-subject = Компетенция (номинация): { $subject }
doc-created-at = Дата и время составления: { $created_at }

doc-signatures = Подписи
doc-sign-role = Роль
doc-sign-name = ФИО
doc-sign-mark = Подпись
doc-signed-at = подписано { $time } в Telegram
doc-sign-line = ______________________________

doc-page = стр. { $page } из { $pages }
doc-version = Версия { $version }
doc-version-sha = Версия { $version } · SHA-256 содержания: { $sha }

doc-award-certificate = Сертификат участника
doc-award-diploma = Диплом
doc-award-thanks = Благодарственное письмо
doc-medal-gold = Золотая медаль
doc-medal-silver = Серебряная медаль
doc-medal-bronze = Бронзовая медаль
doc-award-issued = Дата выдачи: { $date }
doc-award-number = № { $number }
doc-award-event = { $stage } · { $subject }

## Роли подписантов
doc-role-chief = Главный эксперт
doc-role-group_member = Эксперт группы оценки
doc-role-expert = Эксперт
doc-role-mentor = Эксперт-наставник
doc-role-participant = Участник
doc-role-coordinator = Координатор
doc-role-commission = Член комиссии
doc-role-chair = Председатель комиссии
doc-signing-note = Протокол подписывается в Telegram кнопкой «Подписать»; каждая подпись привязана к SHA-256 этого файла. Проверка: python -m bot verify-protocol ФАЙЛ.pdf или отправьте файл боту.

## Слова протоколов (R-PRO-1): службы передают ключи и аргументы (models/phrases.py), текст
## составляется здесь. Содержание протокола хэшируется и подписывается — менять эти тексты
## значит менять содержание будущих версий протоколов.

doc-pro-col-criterion = Критерий
doc-pro-col-subcriterion = Субкритерий
doc-pro-col-aspects = Аспектов
doc-pro-col-points = Баллов
doc-pro-col-group = Группа
doc-pro-col-aspect = Аспект
doc-pro-col-title = Название
doc-pro-col-max = Макс.
doc-pro-col-marks = Оценки экспертов
doc-pro-col-score = Баллы
doc-pro-col-place = Место
doc-pro-col-participant = Участник
doc-pro-col-region = Регион
doc-pro-col-medal = Медаль
doc-pro-col-number = №
doc-pro-col-expert = Эксперт
doc-pro-col-vote = Голос
doc-pro-col-member = Член комиссии

# R-SCH-3
doc-pro-scheme-lock-title = Блокировка схемы оценки «{ $scheme }»
doc-pro-scheme-lock-locked = Схема оценки заблокирована главным экспертом { $at }. После блокировки схема не изменяется (R-SCH-3).
doc-pro-scheme-lock-sha = SHA-256 содержания схемы: { $sha }.
doc-pro-table-subcriteria = Субкритерии и группы оценки

# R-SCO-5, R-PRO-4
doc-pro-score-lock-title = Блокировка оценок «{ $scheme }»
doc-pro-score-lock-locked = Оценки заблокированы главным экспертом { $at }. Участников в списке оценки: { $targets }.
doc-pro-score-lock-rules = Изменить заблокированную оценку можно только по протоколу корректировки (R-SCO-6). Демонтаж конкурсных работ — после подписания этого протокола всеми экспертами (R-PRO-4).
doc-pro-table-locked = Заблокированные субкритерии

# R-SCO-5: ведомость участника
doc-pro-sheet-title = Ведомость оценок: { $target }
doc-pro-sheet-total = Участник: { $target }. Итого баллов: { $total }.
doc-pro-sheet-confirmed = Эксперт-наставник сверил ведомость и подтверждает её (R-SCO-5).

# R-SCO-6
doc-pro-correction-title = Корректировка №{ $id }: { $target }, субкритерий { $subcriterion }
doc-pro-correction-reason = Причина: { $reason }
doc-pro-correction-after = Исправленная ведомость (после повторной блокировки).
doc-pro-correction-before = Ведомость до исправления; после согласования всех подписантов субкритерий будет разблокирован.
doc-pro-correction-points = Баллы по субкритерию: { $points }.

# R-RES-1, R-RES-2
doc-pro-results-title = Результаты «{ $scheme }»
doc-pro-results-rules = Места — по сумме баллов; равные суммы делят место и медаль (R-RES-1). Имена победителей не разглашаются до награждения (R-RES-2).
doc-pro-table-ranking = Рейтинг
doc-pro-medal = { $medal ->
    [gold] золото
    [silver] серебро
   *[bronze] бронза
}
doc-pro-advances = → следующий этап

# R-PRO-1: ознакомление с заданием
doc-pro-briefing-title = Ознакомление с конкурсным заданием «{ $scheme }»
doc-pro-briefing-text = Составлен { $at }. Участники ознакомлены с конкурсным заданием, критериями оценки и правилами; подписывая протокол, участник подтверждает ознакомление.
doc-pro-table-participants = Участники

# R-APL-1: доапелляционное рассмотрение
doc-pro-pre-title = Доапелляционное рассмотрение №{ $id }
doc-pro-pre-situation = Ситуация: { $situation }
doc-pro-pre-proposal = Предложение: { $proposal }
doc-pro-pre-penalty = Штрафные санкции: { $penalty }
doc-pro-pre-penalty-none = Штрафные санкции: нет
doc-pro-pre-count = Аккредитовано экспертов: { $accredited }; проголосовали: { $voted } (за — { $yes }, против — { $no }). Кворум — не менее 80 %, решение — больше половины голосов (R-APL-1).
doc-pro-pre-outcome = Итог: { $outcome ->
    [accepted] принято
    [rejected] отклонено
   *[no_quorum] кворума нет
}.
doc-pro-table-votes = Голоса
doc-pro-pre-vote = { $vote ->
    [yes] за
   *[no] против
}

# R-APL-6…8: решение апелляционной комиссии
doc-pro-appeal-title = Решение по апелляции №{ $id }
doc-pro-appeal-case = Участник: { $target }. Вид нарушения: { $kind ->
    [scoring_procedure] нарушение процедуры оценивания
    [unfair_advantage] несправедливое преимущество
   *[removed_from_task] отстранение от выполнения задания
}. Спорная ситуация: { $at }.
doc-pro-appeal-description = Описание: { $text }
doc-pro-appeal-demands = Требования: { $text }
doc-pro-appeal-decision = Решение: { $decision ->
    [upheld] апелляция удовлетворена
   *[rejected] в удовлетворении отказано
}. { $text }
doc-pro-appeal-deduction = Вычет баллов: { $points }.
doc-pro-appeal-deduction-other = Вычет баллов у участника { $target } (несправедливое преимущество): { $points }.
doc-pro-appeal-disqualified = Участник дисквалифицирован.
doc-pro-appeal-disqualified-other = Участник { $target } дисквалифицирован.
doc-pro-appeal-restored = Восстановлено баллов участнику { $target } (ошибка оценивания не в его пользу): { $points }.
doc-pro-appeal-no-deduction = Вычета баллов нет.
doc-pro-appeal-deputy = Решение записал заместитель председателя { $name }: председатель не участвует в рассмотрении (R-APL-6).
doc-pro-appeal-final = Решение апелляционной комиссии окончательное и обжалованию не подлежит (R-APL-8).
doc-pro-table-commission-votes = Голоса членов комиссии
doc-pro-appeal-vote = { $vote ->
    [uphold] удовлетворить
   *[reject] отказать
}

## Переизданный диплом или сертификат (R-APL-9)
doc-award-replaces = Выдан взамен документа № { $number }

## Лист «Инструкция» шаблона схемы оценки (models/scheme_xlsx/writer.py). Названия листов,
## столбцов и параметров — часть формата файла (models/scheme_xlsx/layout.py), не текст.
doc-xlsx-param-header = Параметр
doc-xlsx-kind-error = Вид аспекта: судейская, бинарная или дискретная
doc-xlsx-help-title = Схема оценки: как заполнить
doc-xlsx-help-params = Лист «Параметры»: номинация и этап — коды из файла конкурса; «Места»: «общий» или «по регионам».
doc-xlsx-help-scheme = Лист «Схема»: по строке на аспект. Критериев от 3 до 9, аспектов от 50 до 200, аспект — не больше 2 баллов,
doc-xlsx-help-sum = сумма всех баллов — ровно 100.
doc-xlsx-help-titles = Названия критерия и субкритерия достаточно указать в первой строке с этим кодом.
doc-xlsx-help-kinds = Вид: судейская (оценки 0–3 четырёх экспертов), бинарная (да/нет), дискретная (по таблице баллов).
doc-xlsx-help-discrete = Дискретная таблица: «балл: описание» через точку с запятой, например «0: не выполнено; 0,5: частично; 1: полностью»;
doc-xlsx-help-discrete-max = наибольший балл таблицы равен максимальному баллу аспекта.
doc-xlsx-help-group = Группа: код группы оценки с листа «Группы», которая оценивает субкритерий.
doc-xlsx-help-groups = Лист «Группы»: ровно четыре разных эксперта (Telegram ID); руководитель — один из них.
doc-xlsx-help-upload = Загрузка: отправьте файл боту командой /scheme или python -m bot load-scheme ФАЙЛ --contest КОД.
