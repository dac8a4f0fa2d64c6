# Buttons of messages sent before the redesign (bot/handlers/legacy.py)
legacy-button-moved = This button is from an old message and that step no longer exists — here is what you can do now.
