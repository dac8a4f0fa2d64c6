## Напоминания (R-REM-1, R-REM-2, R-VER-4)

remind-deadline =
    ⏰ Приём заявок на конкурс «{ $contest }» заканчивается { $deadline }.
    Чтобы участвовать, осталось:
    { $missing }
gap-form-full-name = указать ФИО в анкете верификации
gap-form-snils = указать СНИЛС в анкете верификации
gap-form-region = выбрать регион в анкете верификации
gap-form-organisation = выбрать организацию в анкете верификации
gap-form-send = отправить анкету верификации на проверку
gap-form-resend = исправить отклонённую анкету и отправить её снова
gap-nomination = выбрать номинацию
gap-submit = всё готово — нажать «Отправить» в заявке
btn-fill-form = Заполнить анкету
btn-gap-field = Заполнить: { $title }
btn-gap-file = Загрузить: { $title }

remind-coord-backlog =
    Заявки на верификацию ждут проверки дольше { $after } { $after ->
    [one] дня
   *[other] дней
} (конкурс «{ $contest }»): { $count }. Самая давняя ждёт { $days } дн.
    Проверка должна занимать 3–5 дней.
btn-open-queue = Открыть очередь
remind-federal-escalation =
    ⚠️ Заявки на верификацию ждут дольше { $after } { $after ->
    [one] дня
   *[other] дней
} (конкурс «{ $contest }»):
    { $regions }
remind-escalation-region = { $region }: { $count }, самая давняя — { $days } дн.

## /settings

settings-title = <b>Настройки уведомлений</b>
settings-reminders-on = Напоминания включены. Напоминания о сроках подачи заявок и об апелляциях приходят всегда.
settings-reminders-off = Необязательные напоминания выключены. Напоминания о сроках подачи заявок и об апелляциях всё равно придут.
btn-mute = Выключить необязательные напоминания
btn-unmute = Включить напоминания
