# issue #16: the Mini App's server side (bot/webapp) and its button; the page's own texts
# (webapp-*) are in webapp.ftl
cli-setting-webapp-bad-url = WEBAPP_URL must be an https:// address without a path, e.g. https://bot.example.ru
sco-btn-webapp = 📋 Score sheet (Mini App)
err-webapp-unauthorized = Access denied: open the score sheet again with the button in the bot's chat (the sign-in data failed the check or expired).
err-webapp-bad-request = Request not understood: JSON of the expected form was expected.
err-webapp-too-large = The request is too large.
err-webapp-too-many-marks = From 1 to { $limit } marks may be sent at once.
err-webapp-bad-input = Wrong data in the request: { $field }.
err-webapp-not-found = No such page.
