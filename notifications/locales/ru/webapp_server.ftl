# issue #16: the Mini App's server side (bot/webapp) and its button; the page's own texts
# (webapp-*) are in webapp.ftl
cli-setting-webapp-bad-url = WEBAPP_URL должен быть адресом https:// без пути, например https://bot.example.ru
sco-btn-webapp = 📋 Лист оценок (Mini App)
err-webapp-unauthorized = Доступ запрещён: откройте лист оценок заново кнопкой в чате с ботом (данные входа не прошли проверку или устарели).
err-webapp-bad-request = Запрос не понят: ожидался JSON нужного вида.
err-webapp-too-large = Запрос слишком большой.
err-webapp-too-many-marks = За один раз можно отправить от 1 до { $limit } оценок.
err-webapp-bad-input = Неверные данные в запросе: { $field }.
err-webapp-not-found = Такой страницы нет.
