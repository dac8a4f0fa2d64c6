# Prompts a person can always leave (bot/prompts.py, issue #12)
btn-prompt-cancel = ✖️ Cancel
btn-prompt-confirm = ✅ Confirm
btn-prompt-change = ✏️ Change
btn-prompt-back = ↩️ Back
prompt-cancelled = Cancelled — nothing was changed.
prompt-cancelled-short = Cancelled
err-stale-button = This button is out of date or damaged — nothing was changed. Open the screen again with a command.
