## Оценивание (R-SCH-1…4, R-SCO-1…7): эксперты, главный эксперт, эксперты-наставники

cmd-scoring = Оценивание: ведомости, блокировка, корректировки
cmd-scheme = Загрузить схему оценки (главный эксперт)
help-expert =
    <b>Эксперту</b>
    /scoring — ваши ведомости: оценить участников, подтвердить оценки; наставнику — ведомость своего участника
    /scheme — главному эксперту: загрузить схему оценки (YAML или XLSX)
    /protocols — главному эксперту: протоколы номинации, кто не подписал, отказы
    /dispute — главному эксперту: вынести решение спора на голосование экспертов площадки
    /appeal — эксперту-наставнику: подать апелляцию по своему участнику

sco-no-schemes = Вы не участвуете в оценивании ни одной номинации. Если это ошибка, обратитесь к главному эксперту.
sco-choose-scheme = Выберите схему оценки:
sco-menu-title = <b>Оценивание: { $title }</b> · { $stage }
sco-state-draft = Схема ещё не заблокирована главным экспертом — оценивать пока нельзя.
sco-state-scheme-locked = Схема заблокирована, идёт оценивание.
sco-state-scores-locked = Оценки заблокированы главным экспертом.

sco-btn-my-sheet = 📝 Мои ведомости
sco-btn-mentor-sheets = 👤 Ведомость моего участника
sco-btn-chief = ⚙️ Управление оцениванием
sco-btn-progress = 📊 Ход оценивания
sco-btn-back = « К списку участников
sco-btn-confirm = ✅ Подтвердить оценки
sco-btn-confirm-yes = Да, подтвердить оценки
sco-btn-cancel = Отмена
sco-btn-continue = Продолжить оценивание
sco-btn-rescore = Оценить заново
sco-btn-open-sheet = Открыть ведомость
sco-btn-mentor-confirm = ✅ Подтверждаю ведомость
sco-btn-allow = Разрешаю
sco-btn-deny = Не разрешаю
sco-btn-correction = Открыть корректировку

sco-kind-judgement = судейская оценка 0–3
sco-kind-binary = измеримая: да/нет
sco-kind-discrete = измеримая: по таблице
sco-yes = Да
sco-no = Нет
sco-status-competence_manager = (менеджер компетенции)
sco-status-mentor = (наставник)
sco-status-industrial = (индустриальный)
sco-status-methodist = (методист)
sco-state-incomplete = не все оценки
sco-state-scored = оценено
sco-state-rescore = ⚠️ разброс больше 1 — переоценка
sco-state-tie = ⚠️ голоса разделились — повторное голосование

sco-worklist-title = <b>Ведомости: { $title }</b>
sco-progress = Оценено { $scored } из { $total }.
sco-worklist-confirmed = ✅ Вы подтвердили свои оценки.
sco-worklist-empty = Участников для оценки пока нет: главный эксперт ещё не сформировал список.
sco-item-target = <b>{ $target }</b>
sco-item-subcriterion = Субкритерий { $subcriterion }
sco-item-aspect = Аспект <b>{ $code }</b> { $title }
sco-item-kind = { $kind }, до { $points } { $points ->
    [one] балла
    [other] балла
   *[many] баллов
}
sco-judgement-scale = 0 — ниже требований, 1 — соответствует, 2 — превосходит в некоторой степени, 3 — превосходно.
sco-item-rescore = ⚠️ Нужна повторная оценка: оценки группы разошлись. Ваша прежняя оценка: { $current }.
sco-item-current = Ваша оценка: { $current }. Нажмите другую, чтобы изменить.
sco-saved = Сохранено.
sco-saved-rescore = Сохранено. ⚠️ Оценки группы по этому аспекту расходятся больше чем на 1 — аспект нужно оценить заново; группа уведомлена.
sco-saved-tie = Сохранено. ⚠️ Голоса группы разделились поровну — это не результат; группа голосует заново.
sco-confirm-ask =
    Подтвердить оценки по схеме «{ $title }»? Всего оценок: { $scored }.
    После подтверждения изменить оценку можно будет только при повторной оценке или через корректировку.
sco-confirmed = ✅ Оценки подтверждены. Главный эксперт увидит это в ходе оценивания.

sco-mentor-title = Ведомости вашего участника (доступны после блокировки оценок):
sco-sheet-title = <b>Ведомость: { $target }</b>
sco-sheet-total = <b>Итого: { $total }</b>
sco-mentor-confirmed-at = ✅ Вы подтвердили эту ведомость.
sco-mentor-confirmed = ✅ Ведомость подтверждена. Главный эксперт уведомлён.
sco-allow-voted = Ваш голос учтён: { $allow ->
    [yes] разрешаю
   *[no] не разрешаю
}. { $outcome ->
    [allowed] Все эксперты разрешили — наставник может оценивать своего участника.
    [denied] Разрешение не получено: наставник не оценивает своего участника.
   *[waiting] Ждём голосов остальных экспертов.
}

sco-chief-title = <b>Главный эксперт: { $title }</b> · { $stage }
sco-chief-scheme = Схема: критериев — { $criteria }, аспектов — { $aspects }, сумма — { $total } ({ $kinds }).
sco-chief-targets = Участников в списке оценки: { $count }.
sco-chief-locked = 🔒 Схема заблокирована { $at }.
sco-chief-not-locked = Схема не заблокирована: её можно заменить, отправив файл командой /scheme.
sco-chief-scores-locked = 🔒 Оценки заблокированы { $at }.
sco-chief-groups = Группы оценки:
sco-chief-group = • { $code } «{ $name }»: экспертов — { $size }; субкритерии: { $subcriteria }
sco-chief-unassigned = ⚠️ Субкритерии без группы оценки: { $codes }.
sco-btn-new-group = ➕ Создать группу оценки
sco-btn-assign = Закрепить субкритерии за группами
sco-btn-build-targets = Сформировать список участников
sco-btn-mentors = Эксперты-наставники
sco-btn-lock-scheme = 🔒 Заблокировать схему
sco-btn-lock-scores = 🔒 Заблокировать оценки
sco-btn-corrections = Корректировки оценок
sco-btn-yes-lock = Да, заблокировать
sco-lock-scheme-ask = Заблокировать схему оценки? После блокировки схему нельзя изменить (R-SCH-3); дата и время блокировки будут записаны в протокол.
sco-scheme-locked = 🔒 Схема заблокирована { $at }. Эксперты могут оценивать.
sco-lock-scores-ask = Заблокировать оценки по схеме «{ $title }» (участников: { $targets })? После блокировки оценку можно изменить только через корректировку, подписанную всеми (R-SCO-6).
sco-scores-locked = 🔒 Оценки заблокированы. Наставникам отправлены ведомости их участников: { $mentors }.
sco-targets-built = Добавлено в список оценки: { $added }.
sco-group-pick = Отметьте ровно четырёх экспертов группы оценки (выбрано: { $count }). Первый отмеченный станет руководителем группы.
sco-btn-create-group = Создать группу ({ $count } из 4)
sco-group-created = Группа оценки { $code } создана: экспертов — { $size }. Теперь закрепите за ней субкритерии.
sco-assign-pick-sub = Выберите субкритерий (справа — его группа):
sco-assign-pick-group = Какая группа оценивает этот субкритерий?
sco-assign-no-groups = Сначала создайте группу оценки.
sco-assigned = Субкритерий { $sub } закреплён за группой { $group }.
sco-no-targets = В списке оценки пока нет участников. Нажмите «Сформировать список участников».
sco-mentors-title = Участники и их эксперты-наставники (наставник не оценивает своего участника, R-ROLE-3):
sco-mentor-pick = Выберите эксперта-наставника участника:
sco-btn-no-mentor = Без наставника
sco-btn-ask-allowance = Спросить экспертов: разрешить наставнику оценивать
sco-mentor-set = Наставник назначен.
sco-mentor-cleared = Наставник снят.
sco-allow-asked = Вопрос отправлен экспертам компетенции: { $count }. Разрешение действует, только если все ответят «Разрешаю».

sco-progress-title = <b>Ход оценивания: { $title }</b> · участников: { $targets }
sco-progress-groups = Группы (аспектов с итогом группы):
sco-progress-group = • { $code } «{ $name }»: { $scored } из { $total }
sco-progress-experts = Эксперты:
sco-progress-expert = • { $name }: { $scored } из { $total }{ $confirmed ->
    [yes] , ✅ подтвердил(а)
   *[no] , не подтвердил(а)
}
sco-progress-flagged = ⚠️ Ждут повторной оценки: { $count }
sco-progress-locked = 🔒 Оценки заблокированы.
sco-progress-mentors = Наставники ещё не подтвердили ведомости: { $names }
sco-progress-corrections = Корректировок в работе: { $count }

sco-corr-title = <b>Корректировка №{ $id }</b>: { $target }, субкритерий { $subcriterion }
sco-corr-reason = Причина: { $reason }
sco-corr-status-approval = Статус: ждём согласия всех подписантов — после этого субкритерий будет разблокирован.
sco-corr-status-open = Статус: субкритерий разблокирован, главный эксперт вносит исправления.
sco-corr-status-signing = Статус: исправления внесены и заблокированы, подписанты проверяют исправленную ведомость.
sco-corr-status-done = Статус: корректировка завершена.
sco-corr-status-cancelled = Статус: отменена.
sco-corr-short-approval = согласование
sco-corr-short-open = исправление
sco-corr-short-signing = подписание
sco-corr-short-done = завершена
sco-corr-short-cancelled = отменена
sco-corr-approved = Согласовали: { $done } из { $total }.
sco-corr-confirmed = Подписали исправленную ведомость: { $done } из { $total }.
sco-corr-list = Корректировок: { $count }.
sco-btn-new-correction = ➕ Открыть корректировку
sco-corr-pick-target = Чью ведомость нужно исправить?
sco-corr-pick-sub = Какой субкритерий?
sco-corr-ask-reason = Опишите причину корректировки одним сообщением (её увидят все подписанты):
sco-corr-opened = Корректировка №{ $id } открыта. Подписантам отправлен запрос: { $count }.
sco-btn-sign-correction = ✍️ Согласен(а) с корректировкой
sco-btn-sign-corrected = ✍️ Подписываю исправленную ведомость
sco-btn-relock = 🔒 Заблокировать исправленную ведомость
sco-btn-correct-aspect = Исправить { $code }
sco-btn-correct-mark = { $expert }: { $value }
sco-corr-pick-mark = Аспект { $code } { $title }: чью оценку исправить?
sco-corr-pick-value = Оценка эксперта { $expert } по аспекту { $code } ({ $kind }): { $current }. Новая оценка:
sco-corr-mark-saved = Исправление сохранено ({ $state }).
sco-corr-signed = ✍️ Подпись сохранена.
sco-corr-relocked = 🔒 Исправленная ведомость заблокирована; подписанты проверяют её.

sco-scheme-send = Отправьте файл схемы оценки: YAML или Excel (XLSX). Образцы — examples/scheme.yaml и examples/scheme.xlsx.
sco-scheme-need-file = Нужен файл схемы оценки (YAML или XLSX). Отправьте его как документ.
sco-scheme-too-large = Файл слишком большой — схема оценки занимает не больше 4 МБ.
sco-scheme-loading = ⏳ Проверяю схему оценки…
sco-scheme-loaded = ✅ Схема оценки загружена: критериев — { $criteria }, аспектов — { $aspects }, групп оценки — { $groups }. Проверьте группы и заблокируйте схему.
sco-scheme-unchanged = Эта схема уже загружена — ничего не изменилось (критериев — { $criteria }, аспектов — { $aspects }).

## Уведомления (через outbox)
sco-note-rescore = ⚠️ «{ $scheme }»: оценки группы по аспекту { $aspect } ({ $target }) разошлись больше чем на 1 ({ $marks }). Оцените аспект заново (R-SCO-1).
sco-note-tie = ⚠️ «{ $scheme }»: голоса группы по аспекту { $aspect } ({ $target }) разделились ({ $marks }). Проголосуйте заново (R-SCO-2).
sco-note-allowance-ask = «{ $scheme }»: главный эксперт спрашивает, разрешаете ли вы эксперту-наставнику участника { $target } оценивать своего участника. Разрешение действует только при единогласии всех экспертов компетенции.
sco-note-allowance-allowed = Все эксперты разрешили наставнику участника { $target } оценивать своего участника.
sco-note-allowance-denied = Разрешение не получено: наставник участника { $target } не оценивает своего участника.
sco-note-mentor-sheet = 🔒 «{ $scheme }»: оценки заблокированы. Проверьте ведомость вашего участника { $target } и подтвердите её.
sco-note-mentor-confirmed = Наставник подтвердил ведомость участника { $target }.
sco-note-correction-approve = ✍️ Главный эксперт открыл корректировку ведомости { $target }, субкритерий { $subcriterion }. Причина: { $reason }. Нужно ваше согласие.
sco-note-correction-open = Все подписанты согласовали корректировку ({ $target }): субкритерий разблокирован, внесите исправления.
sco-note-correction-confirm = ✍️ Исправления по ведомости { $target } (субкритерий { $subcriterion }) внесены и заблокированы. Проверьте и подпишите исправленную ведомость.
sco-note-correction-done = ✅ Корректировка по ведомости { $target } подписана всеми.

## Отказы
err-not-chief = Это может сделать только главный эксперт этой номинации.
err-not-expert = Это доступно только экспертам конкурса.
err-not-group-member = Вы не входите ни в одну группу оценки этой схемы.
err-not-in-scheme = Вы не участвуете в оценивании по этой схеме.
err-scheme-not-found = Схема оценки не найдена.
err-target-not-found = Участник не найден в списке оценки.
err-aspect-not-found = Аспект не найден в этой схеме.
err-subcriterion-not-found = Субкритерий не найден.
err-group-not-found = Группа оценки не найдена.
err-scheme-already-locked = Схема уже заблокирована { $at }.
err-scheme-not-locked = Схема оценки ещё не заблокирована главным экспертом — оценивать пока нельзя (R-SCH-3).
err-subcriteria-without-group = Нельзя заблокировать схему: у субкритериев { $codes } нет группы оценки (R-SCH-4).
err-scores-locked = Оценки уже заблокированы главным экспертом. Изменить оценку можно только через корректировку (R-SCO-6).
err-scores-already-locked = Оценки уже заблокированы.
err-scores-not-locked = Ведомости открываются после блокировки оценок главным экспертом (R-SCO-5).
err-group-size = В группе оценки должно быть ровно { $size } { $size ->
    [one] эксперт
    [few] разных эксперта
    [other] разных эксперта
   *[many] разных экспертов
}, а выбрано { $count } (R-SCH-4).
err-group-member-not-expert = В группу оценки можно включить только действующих экспертов конкурса.
err-leader-not-member = Руководитель группы должен быть её членом.
err-subcriterion-has-marks = По этому субкритерию уже выставлены оценки — сменить группу нельзя.
err-not-a-mentor = Этот эксперт не имеет статуса эксперта-наставника.
err-mentor-has-participant = Этот наставник уже представляет другого участника (R-ROLE-3).
err-no-mentor = У участника нет эксперта-наставника.
err-not-a-voter = Вас не спрашивали об этом разрешении.
err-already-voted = Вы уже проголосовали.
err-mentor-conflict = Вы эксперт-наставник этого участника и не оцениваете его: все эксперты компетенции единогласно этого не разрешали (R-ROLE-3).
err-not-your-aspect = Этот аспект оценивает другая группа оценки.
err-no-open-correction = По этой ведомости нет разблокированной корректировки.
err-evaluation-closed = Срок оценивания истёк { $deadline } — оценки больше не принимаются (R-APP-7).
err-mark-out-of-range = Недопустимая оценка: допускаются значения от 0 до { $high }.
err-sheet-confirmed = Вы уже подтвердили свои оценки — изменить их можно только при повторной оценке или через корректировку.
err-sheet-incomplete = Подтвердить пока нельзя: не оценено аспектов — { $missing } (оцениваются все аспекты, R-SCO-4).
err-no-targets = В списке оценки нет участников.
err-already-confirmed = Вы уже подтвердили.
err-cannot-lock-scores = Заблокировать оценки пока нельзя: без итога группы — { $unscored }, ждут повторной оценки — { $flagged }, экспертов не подтвердили оценки — { $unconfirmed }.
err-not-your-participant = Ведомость доступна только эксперту-наставнику этого участника и главному эксперту (R-SCO-5).
err-correction-in-progress = По этой ведомости идёт корректировка — подтвердите её после завершения.
err-correction-not-found = Корректировка не найдена.
err-not-a-signer = Вы не подписант этой корректировки.
err-results-published = Результаты уже опубликованы — корректировка невозможна.
err-correction-exists = По этой ведомости и субкритерию уже есть незавершённая корректировка.
err-correction-not-signable = Эту корректировку сейчас не нужно подписывать.
err-already-signed = Вы уже подписали.
err-correction-not-open = Корректировка не разблокирована.
err-correction-unresolved = Нельзя заблокировать: аспектов без итога группы — { $count }.
err-no-next-stage-scheme = Для следующего этапа этой номинации ещё нет схемы оценки — сначала загрузите её.
err-no-contests = Нет ни одного конкурса.
sco-mentor-allowed = (разрешено оценивать)
def-err-duplicate-scheme = { $place }: для этой номинации и этапа схема оценки уже указана выше.

## Итоги (координатор; R-RES-1, R-APP-8)
sco-btn-results = 🏅 Итоги
sco-btn-export = 📥 Выгрузить ведомости и итоги в Excel
sco-btn-promote = ➡️ Перевести победителей на федеральный этап
sco-btn-promote-yes = Да, перевести
sco-results-not-locked = Итоги будут после того, как главный эксперт заблокирует оценки (R-SCO-5). Пока доступен ход оценивания.
sco-results-title = <b>Итоги: { $title }</b> (не публикуются до награждения, R-RES-2)
sco-results-line = { $place }. { $label } — { $total } { $medal }
sco-medal-gold = 🥇 золото
sco-medal-silver = 🥈 серебро
sco-medal-bronze = 🥉 бронза
sco-advances = → федеральный этап
sco-promote-ask = Перевести заявки победителей регионального этапа ({ $count }) в список оценки федерального этапа? Материалы повторно не загружаются (R-APP-8).
sco-promoted = ✅ В список оценки следующего этапа добавлено: { $count }.
sco-export-ready = Ведомости и итоги: «{ $title }».
sco-btn-briefing = 📄 Протокол ознакомления с заданием
sco-briefing-issued = Протокол ознакомления с конкурсным заданием сформирован: участники получат его на подпись в чате.
sco-lock-late = ⚠️ Схему блокируют не позднее чем за 2 дня до начала этапа ({ $start }) (R-SCH-3); блокировка будет записана с фактическими датой и временем.
