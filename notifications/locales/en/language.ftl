## /language — the bot's language (Russian by default)

cmd-language = Language
lang-choose = Choose the bot's language:
btn-lang-ru = Русский
btn-lang-en = English
lang-set = Done: the bot now speaks English to you. Notifications will be in English too.
