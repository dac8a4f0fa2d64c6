# Buttons of messages sent before the redesign (bot/handlers/legacy.py)
legacy-button-moved = Эта кнопка из старого сообщения, такого шага больше нет — показываю, что здесь можно сделать сейчас.
