## /language — язык бота (русский по умолчанию)

cmd-language = Язык / Language
lang-choose = Выберите язык бота · Choose the language:
btn-lang-ru = Русский
btn-lang-en = English
lang-set = Готово: бот говорит с вами по-русски. Уведомления тоже будут на русском.
