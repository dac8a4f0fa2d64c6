## Webhook mode (python -m bot with WEBHOOK_URL): refusals to start and the start line

webhook-needs-redis = Webhook mode (WEBHOOK_URL is set) requires Redis: set REDIS_URL. Several bot instances must keep the conversation state in Redis and must not handle one user's updates at the same time. For a single instance without Redis, remove WEBHOOK_URL — the bot will work through long polling.
webhook-needs-secret = Webhook mode (WEBHOOK_URL is set) requires a secret: set WEBHOOK_SECRET (1 to 256 characters: Latin letters, digits, «_» and «-»), for example: openssl rand -hex 32
webhook-bad-secret = WEBHOOK_SECRET may contain only Latin letters, digits, «_» and «-», 1 to 256 characters.
webhook-bad-url = WEBHOOK_URL must be an address like https://bot.example.ru (no path: the path is set by WEBHOOK_PATH).
