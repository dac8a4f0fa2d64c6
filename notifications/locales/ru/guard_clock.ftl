## Rehearsal clock (CLOCK_START, issue 12 §4): the refusal to start and the line of /help for admins

clock-refused-production = Часы для репетиции (CLOCK_START={ $start }) не запускаются с рабочей базой: DATABASE_URL указывает на PostgreSQL. Со сдвинутыми часами бот разослал бы настоящие напоминания о сроках, отклонил бы настоящие апелляции как поданные поздно и закрыл бы приём заявок. Для репетиции используйте копию базы; если это и есть копия, задайте CLOCK_START_ALLOW_PRODUCTION=true. Иначе уберите CLOCK_START.
clock-no-database = Часы для репетиции (CLOCK_START) не запущены: не удалось прочитать или записать начало репетиции в базе данных ({ $error }). Примените миграции (python -m bot migrate) или задайте CLOCK_START_AT — момент реального времени, когда часы бота показывают CLOCK_START.
clock-help-admin = 🕒 Репетиция: часы бота идут с { $start }, сейчас по часам бота { $now }. Все сроки, напоминания и автоматические отказы следуют этим часам (настройка CLOCK_START).
