# Staff transitions happen once (issue #12): what a late or second press is told.
# Broadcasts (R-COO-1)
err-broadcast-dropped = Черновик рассылки №{ $id } уже удалён ({ $who }, { $at }). Ничего не отправлено — чтобы отправить объявление, начните заново: /broadcast.
err-broadcast-was-cancelled = Рассылка №{ $id } уже отменена ({ $who }, { $at }). Неотправленные сообщения не уйдут.
err-broadcast-finished = Рассылка №{ $id } уже завершена ({ $at }) — изменить или отменить её нельзя.
err-broadcast-not-started = Рассылка №{ $id } ещё не запущена — это черновик.
err-broadcast-already-paused = Рассылка №{ $id } уже на паузе ({ $who }, { $at }).
err-broadcast-already-running = Рассылка №{ $id } уже идёт ({ $who }, { $at }).
# Invitations and roles (R-ROLE-1)
err-inv-already-accepted = Приглашение уже принято: { $name }, { $at }. Чтобы забрать роль, отзовите её в /staff.
err-inv-role-revoked = Роль «{ $name }» уже отозвана ({ $who }, { $at }).
# Task texts (R-COO-4)
err-task-already-published = Задание «{ $title }» с этим файлом уже опубликовано ({ $who }, { $at }). Участники уже получили уведомление.
