# Mini App (issue #16): тексты страницы оценок. Страница получает все ключи webapp-* в языке
# пользователя (GET /webapp/api/session); переменные приходят как {n}, {value}… и страница
# подставляет их сама (bot/webapp/render.py: page_texts).

webapp-title = Оценки
webapp-loading = Загрузка…
webapp-back = ‹ Назад
webapp-retry = Повторить
webapp-error = Не удалось загрузить данные. Проверьте связь и попробуйте ещё раз.
webapp-schemes = Выберите схему оценки
webapp-no-schemes = Вы не входите в группы оценки ни одной схемы. Если это ошибка, напишите главному эксперту.
webapp-worklist-hint = Выберите участника. Оценки сохраняются сразу после нажатия.
webapp-progress = Оценено { $scored } из { $total }
webapp-target-done = ✓ всё оценено
webapp-no-targets = Пока нет участников для оценки.
webapp-confirm = Подтвердить оценки
webapp-confirm-ask = Подтвердить все ваши оценки по схеме «{ $title }»? После подтверждения изменить их нельзя: исправление — только через главного эксперта с протоколом.
webapp-confirm-yes = Да, подтвердить
webapp-confirm-no = Отмена
webapp-confirm-wait = «Подтвердить оценки» появится, когда будут оценены все аспекты всех участников (осталось { $left }).
webapp-confirm-unsent = Сначала дождитесь отправки всех оценок (не отправлено: { $n }).
webapp-confirmed = ✅ Ваши оценки подтверждены. Изменить их больше нельзя.
webapp-locked = 🔒 Оценки закрыты главным экспертом: изменения только через корректировку.
webapp-readonly = Только просмотр: оценки подтверждены или закрыты.
webapp-missing = { $n } не оценено
webapp-all-done = всё оценено
webapp-prev = ‹
webapp-next = ›
webapp-sections = Субкритерии
webapp-help = ?
webapp-help-label = Шкала оценки
webapp-state-missing = не оценено
webapp-state-saving = сохраняю…
webapp-state-saved = сохранено
webapp-state-queued = не отправлено — сохранится при связи
webapp-state-conflict = конфликт: сейчас { $value }
webapp-conflict-hint = Оценку изменили в другом месте (в чате или на другом устройстве) — показана сохранённая. Нажмите нужную, чтобы изменить её.
webapp-flagged = ⚠️ Нужна повторная оценка: оценки группы разошлись.
webapp-group-marks = Оценки группы: { $marks }
webapp-offline = Нет связи. Оценки хранятся на телефоне и отправятся, когда связь вернётся.
webapp-unsent = Не отправлено: { $n }
webapp-sheet-done = ✅ Все ваши аспекты по этому участнику оценены. Проверьте таблицу: любую оценку можно изменить до подтверждения.
webapp-to-worklist = К списку участников
webapp-next-target = Следующий участник ›
webapp-kept = Неотправленные оценки ({ $n }) сохранены на этом телефоне и будут отправлены, когда вы снова откроете лист оценок.
