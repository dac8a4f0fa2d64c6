## Рассылки (R-COO-1)

broadcast-ask-text =
    Отправьте текст объявления одним сообщением — можно с форматированием, фото или документом (подпись к ним — до 1000 символов).
    Затем выберете, кому его отправить.
broadcast-audience =
    <b>Кому отправить объявление</b>
    Получатели: { $role }{ $filters }
    Получателей сейчас: <b>{ $count }</b>
broadcast-role-participants = участники
broadcast-role-coordinators = координаторы
broadcast-role-experts = эксперты
broadcast-filter-regions = ; регионы: { $regions }
broadcast-filter-nominations = ; номинации: { $nominations }
broadcast-filter-state = ; { $state }
broadcast-state-all = все
broadcast-state-verified_no_application = верифицированы, но заявка не подана
broadcast-state-submitted = заявка подана
btn-broadcast-role-participants = Участники
btn-broadcast-role-coordinators = Координаторы
btn-broadcast-role-experts = Эксперты
btn-broadcast-state-all = Все
btn-broadcast-state-verified_no_application = Без заявки
btn-broadcast-state-submitted = Заявка подана
btn-broadcast-next = Предпросмотр и отправка →
btn-broadcast-drop = Отменить черновик
broadcast-preview-title = Так объявление увидят получатели:
broadcast-confirm = Отправить объявление <b>{ $count }</b> { $count ->
    [one] получателю
   *[other] получателям
}? Отправка идёт со скоростью, которую разрешает Telegram: примерно { $eta }.
btn-broadcast-send = Отправить { $count } { $count ->
    [one] получателю
   *[other] получателям
}
btn-broadcast-edit = Изменить аудиторию
broadcast-dropped = Черновик рассылки удалён. Ничего не отправлено.
broadcast-started = Рассылка №{ $id } запущена.
broadcast-progress =
    📣 Рассылка №{ $id }: { $status }
    Отправлено: { $sent } из { $total }
    Заблокировали бота: { $blocked }
    Ошибки: { $failed }
    Осталось: { $left }
broadcast-eta = Осталось времени: примерно { $eta }
broadcast-eta-seconds = { $seconds } с
broadcast-eta-minutes = { $minutes } мин
broadcast-status-running = идёт
broadcast-status-paused = на паузе
broadcast-status-done = завершена
broadcast-status-cancelled = отменена
btn-broadcast-pause = ⏸ Пауза
btn-broadcast-resume = ▶️ Продолжить
btn-broadcast-cancel = ✖️ Отменить
broadcast-cancel-confirm = Отменить рассылку №{ $id }? Уже отправленные сообщения останутся у получателей, остальные отправлены не будут.
btn-broadcast-cancel-yes = Да, отменить рассылку
btn-broadcast-cancel-no = Нет, продолжить
broadcast-final =
    Рассылка №{ $id } закончена: доставлено { $sent } из { $total }; заблокировали бота — { $blocked }, ошибки — { $failed }, не отправлено после отмены — { $cancelled }.
broadcast-csv-telegram-id = Telegram id
broadcast-csv-name = ФИО
broadcast-csv-status = Статус
broadcast-csv-error = Ошибка
broadcast-undelivered-blocked = заблокировал бота
broadcast-undelivered-failed = ошибка доставки
broadcast-undelivered-expired = не отправлено вовремя
broadcast-undelivered-cancelled = отменено

err-broadcast-empty = Объявление пустое — отправьте текст, фото или документ.
err-broadcast-too-long = Слишком длинно: { $length } { $length ->
    [one] символ
    [few] символа
    [other] символа
   *[many] символов
}, можно не больше { $limit }. Сократите текст и отправьте снова.
err-broadcast-not-found = Рассылка не найдена.
err-not-your-broadcast = Эту рассылку создал другой координатор.
err-broadcast-started = Рассылка №{ $id } уже запущена ({ $who }, { $at }) — изменить или отправить её ещё раз нельзя.
err-broadcast-no-recipients = Для выбранной аудитории нет ни одного получателя. Измените условия.
err-broadcast-not-running = Рассылка не идёт — ставить на паузу или отменять нечего.
err-broadcast-not-paused = Рассылка не на паузе.
err-experts-federal-only = Обращаться к экспертам может только федеральный координатор.
