## Ход конкурса для координатора (R-COO-2): /progress и выгрузка в Excel

progress-title = <b>Ход конкурса</b> «{ $contest }»
progress-scope-all = Все регионы · данные на { $at }
progress-scope-regions = Регионы: { $regions } · данные на { $at }

progress-verification-title = <b>Верификация</b>
progress-verification-counts = На рассмотрении: { $pending } · подтверждено: { $accepted } · отказано: { $rejected }
progress-verification-more = Анкета не отправлена: { $draft } · согласие отозвано: { $withdrawn }
progress-oldest-pending = Самый давний запрос ждёт { $waiting } (отправлен { $since })
progress-oldest-pending-overdue = ⚠️ Самый давний запрос ждёт { $waiting } (отправлен { $since }) — срок проверки 3–5 дней
progress-no-pending = Запросов на рассмотрении нет.
progress-days = { $days ->
    [0] меньше дня
    [one] { $days } день
    [few] { $days } дня
   *[other] { $days } дней
}

progress-applications-title = <b>Заявки</b> — черновики / поданы: { $drafts } / { $submitted }
progress-applications-none = Заявок пока нет.
progress-region-line = { $region }: { $drafts } / { $submitted }
progress-region-no-application = { $region }: { $drafts } / { $submitted } · не выбрали номинацию: { $count }
progress-nomination-line = { "  " }· { $nomination }: { $drafts } / { $submitted }
progress-no-region = Регион не указан
progress-more-regions = …и ещё регионов: { $count } — полностью в выгрузке Excel.

progress-scoring-title = <b>Оценивание</b>
progress-scoring-none = оценивание ещё не начато
progress-scoring-line = { $region } · { $nomination }: оценено { $scored } из { $total } ({ $percent } %)

progress-signatures-title = <b>Подписи</b>
progress-signatures-none = неподписанных протоколов нет
progress-signature-line = { $protocol } — не подписал(а) { $signer } (ожидает с { $since })

progress-truncated = …полный отчёт — в выгрузке Excel.
progress-btn-export = Выгрузить в Excel
progress-export-caption = Ход конкурса «{ $contest }» на { $at }

## Выгрузка в Excel: листы и заголовки столбцов

progress-xlsx-title = Ход конкурса «{ $contest }»
progress-xlsx-sheet-verification = Верификация
progress-xlsx-sheet-applications = Заявки
progress-xlsx-sheet-scoring = Оценивание
progress-xlsx-sheet-signatures = Подписи
progress-xlsx-region = Регион
progress-xlsx-nomination = Номинация
progress-xlsx-draft = Анкета не отправлена
progress-xlsx-pending = На рассмотрении
progress-xlsx-oldest = Самый давний запрос отправлен
progress-xlsx-waiting = Ждёт, дней
progress-xlsx-accepted = Подтверждено
progress-xlsx-no-application = Подтверждено, номинация не выбрана
progress-xlsx-rejected = Отказано
progress-xlsx-withdrawn = Согласие отозвано
progress-xlsx-total = Всего
progress-xlsx-total-row = Итого
progress-xlsx-no-region = Регион не указан
progress-xlsx-drafts = Черновики
progress-xlsx-submitted = Поданы
progress-xlsx-applications-none = Заявок пока нет
progress-xlsx-to-score = Заявок к оценке
progress-xlsx-scored = Оценено
progress-xlsx-percent = Готовность, %
progress-xlsx-protocol = Протокол
progress-xlsx-signer = Кто не подписал
progress-xlsx-since = Ожидает с
progress-xlsx-generated = Сформировано { $at } ({ $tz })
progress-xlsx-scope-all = Все регионы конкурса
progress-xlsx-scope = Регионы: { $regions }
