## Webhook mode (python -m bot with WEBHOOK_URL): refusals to start and the start line

webhook-needs-redis = Режим webhook (задан WEBHOOK_URL) требует Redis: задайте REDIS_URL. Несколько экземпляров бота должны хранить состояние диалогов в Redis и не обрабатывать обновления одного пользователя одновременно. Для одного экземпляра без Redis уберите WEBHOOK_URL — бот будет работать через long polling.
webhook-needs-secret = Режим webhook (задан WEBHOOK_URL) требует секрета: задайте WEBHOOK_SECRET (от 1 до 256 символов: латинские буквы, цифры, «_» и «-»), например: openssl rand -hex 32
webhook-bad-secret = WEBHOOK_SECRET может содержать только латинские буквы, цифры, «_» и «-», от 1 до 256 символов.
webhook-bad-url = WEBHOOK_URL должен быть адресом вида https://bot.example.ru (без пути: путь задаёт WEBHOOK_PATH).
