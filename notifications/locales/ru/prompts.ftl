# Prompts a person can always leave (bot/prompts.py, issue #12)
btn-prompt-cancel = ✖️ Отмена
btn-prompt-confirm = ✅ Подтвердить
btn-prompt-change = ✏️ Изменить
btn-prompt-back = ↩️ Вернуться
prompt-cancelled = Отменено — ничего не изменено.
prompt-cancelled-short = Отменено
err-stale-button = Эта кнопка устарела или повреждена — ничего не изменено. Откройте экран заново командой.
