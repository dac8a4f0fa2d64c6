## The inbox (issue #13, items 1 and 5): an update that could not be handled, a second poller

# to the person whose update failed INBOX_MAX_ATTEMPTS times (bot/inbox.py)
inbox-gave-up = Не получилось, попробуйте ещё раз.
# python -m bot refuses to start: another process already polls this bot (bot/polling.py)
poller-busy = Бот не запущен: другой процесс ({ $holder }) уже получает обновления этого бота (блокировка: { $where }). Два процесса с одним токеном отвечали бы на одни и те же сообщения дважды. Остановите первый процесс или дождитесь, пока он завершится, и запустите бота снова.
# the running poller lost its lock (Redis expired it): it stops rather than poll beside another
poller-lost = Блокировка получения обновлений потеряна ({ $where }): этот процесс прекращает получать обновления, чтобы не работать одновременно с другим.
