## Тексты заданий (R-COO-4)

task-published =
    📄 Опубликовано задание «{ $title }» (конкурс «{ $contest }»).{ $limit ->
        [0] {""}
       *[other] {" "}На выполнение — { $limit } мин с момента, как вы его откроете.
    }
    Время первого открытия записывается.
task-btn-open = Открыть задание

## /tasks — участник

task-list-title = <b>Задания</b>
task-list-empty = Заданий пока нет.
task-item = • { $title }{ $state }
task-state-new = — не открыто
task-state-open = — открыто { $opened }
task-state-deadline = , ответ до { $deadline }
task-state-closed = , время вышло { $deadline }
task-state-answered = , ответ отправлен { $at }
task-btn-open-item = Открыть: { $title }
task-btn-answer = Отправить ответ: { $title }
task-opened =
    Задание «{ $title }». Время первого открытия: { $opened }.
task-opened-deadline = Ответ принимается до { $deadline }.
task-opened-closed = Время на выполнение вышло { $deadline }: ответ больше не принимается.
task-opened-answer = Когда ответ будет готов, нажмите кнопку ниже и отправьте файл.
task-opened-limit = Ограничение: { $limit } мин с момента первого открытия.
task-ask-answer = Отправьте файл с ответом на задание «{ $title }» документом.{ $deadline }
task-ask-answer-deadline = {" "}Срок — до { $deadline }.
task-answer-need-file = Жду файл с ответом документом.
task-answer-saved = ✅ Ответ на задание «{ $title }» принят { $at }. Можно отправить исправленный файл до окончания срока — учитывается последний.

## /tasks — координатор

task-admin-title = <b>Задания конкурса «{ $contest }»</b>
task-admin-item = • { $title }{ $limit } — открыли: { $opened }, ответили: { $answered }
task-admin-limit = {" "}({ $limit } мин)
task-btn-publish = ➕ Опубликовать задание
task-ask-file = Отправьте файл задания документом.
task-need-file = Жду файл задания документом.
task-ask-title = Название задания (как его увидят участники):
task-ask-limit = Ограничение по времени в минутах с момента первого открытия (число) или «-», если без ограничения:
task-bad-limit = Нужно целое число минут или «-».
task-published-ok = ✅ Задание «{ $title }» опубликовано. Участникам с подтверждённым правом на участие отправлено уведомление с кнопкой «Открыть задание».

## Ошибки

err-task-closed = Время на выполнение задания вышло { $deadline }. Ответ не принят.
err-task-not-opened = Сначала откройте задание — время первого открытия записывается.
err-task-not-participant = Задания доступны участникам, чьё право на участие подтверждено.
err-task-not-found = Задание не найдено.
err-task-federal-only = Публиковать задания для всего конкурса может федеральный координатор.
err-task-bad-title = Нужно название задания, не длиннее { $limit } { $limit ->
    [one] символа
   *[other] символов
}.
err-task-bad-limit = Ограничение — от 1 до { $limit } { $limit ->
    [one] минуты
   *[other] минут
}.
err-task-no-file = Нужен файл задания.
err-task-closes-in-past = Срок { $at } уже прошёл.
