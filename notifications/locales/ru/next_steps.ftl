## Issue #15: голосование без кворума (R-APL-1) и «что дальше» после действия главного эксперта и
## экспертов — каждый экран результата предлагает следующий шаг и путь назад.
## Ключи — bot/handlers/appeals.py (доапелляционное голосование), bot/handlers/scoring.py,
## bot/handlers/protocols.py, bot/handlers/progress.py.

## Кворум доапелляционного голосования (R-APL-1): не менее 80 % аккредитованных экспертов
nxt-quorum-reached = Кворум есть: { $cast } из { $accredited } (нужно { $needed }).
nxt-quorum-missing = Кворума пока нет: { $cast } из { $accredited }, нужно { $needed } — ещё { $missing } { $missing ->
    [one] голос
    [few] голоса
   *[many] голосов
}.
nxt-pre-no-quorum-ask = Кворума нет: { $cast } из { $accredited }, нужно { $needed }. Закрыть голосование без решения?
err-pre-appeal-no-quorum = Кворума нет: { $cast } из { $accredited }, нужно { $needed }. Голосование не закрыто — чтобы закрыть его без решения, подтвердите это в карточке голосования.

## Общие кнопки
nxt-btn-confirm = Подтвердить
nxt-btn-back = ⬅️ Назад
nxt-btn-back-setup = ⬅️ К настройке
nxt-btn-back-menu = ⬅️ К оцениванию
nxt-btn-back-worklist = ⬅️ К моим ведомостям
nxt-btn-back-mentors = ⬅️ К наставникам
nxt-btn-back-corrections = ⬅️ К корректировкам
nxt-btn-back-correction = ⬅️ К корректировке
nxt-btn-back-results = ⬅️ К итогам
nxt-btn-back-protocol = ⬅️ К протоколу
nxt-btn-back-protocols = ⬅️ К протоколам
nxt-btn-back-publication = ⬅️ К публикации
nxt-btn-back-summary = ⬅️ К сводке
nxt-btn-refresh = 🔄 Обновить

## Следующий шаг настройки оценивания (главный эксперт)
nxt-btn-newgroup = Дальше: создать группу оценки
nxt-btn-assign = Дальше: закрепить субкритерии за группами
nxt-btn-build = Дальше: сформировать список участников
nxt-btn-mentors = Дальше: назначить экспертов-наставников
nxt-btn-lock = Дальше: заблокировать схему
nxt-btn-progress = Дальше: ход оценивания
nxt-btn-lockscores = Дальше: заблокировать оценки
nxt-btn-protocols = Дальше: протоколы на подпись
nxt-btn-correction = Дальше: открыть корректировку
nxt-btn-publication = Дальше: публикация итогов
