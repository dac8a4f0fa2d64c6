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
