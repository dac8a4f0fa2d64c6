## Приглашения сотрудников и меню команд по ролям (R-ROLE-1)

cmd-tasks = Задания
cmd-queue = Заявки на верификацию
cmd-applications = Поданные заявки
cmd-broadcast = Объявление участникам или сотрудникам
cmd-progress = Ход конкурса и выгрузка в Excel
cmd-remote = График дистанционных подключений
cmd-protocols = Протоколы номинации
cmd-publish = Опубликовать итоги
cmd-verify = Проверить PDF протокола
cmd-dispute = Спор: голосование экспертов
cmd-appeal = Апелляция по участнику
cmd-commission = Апелляционная комиссия
cmd-load_contest = Загрузить файл конкурса
cmd-invite = Пригласить сотрудников
cmd-staff = Сотрудники: роли и приглашения

inv-role-coordinator = координатор региона
inv-role-federal_coordinator = федеральный координатор
inv-role-expert = эксперт
inv-role-commission_member = член апелляционной комиссии
inv-status-competence_manager = менеджер компетенции
inv-status-mentor = эксперт-наставник
inv-status-industrial = индустриальный эксперт
inv-status-methodist = эксперт-методист
inv-commission-chair = председатель комиссии
inv-commission-secretary = секретарь комиссии
inv-commission-member = член комиссии

inv-choose-contest = В какой конкурс пригласить сотрудников?
inv-start =
    <b>Приглашение сотрудников</b> · { $contest }
    Выберите роль — или пришлите файл CSV или XLSX со списком: столбцы «ФИО», «роль», «регион», «e-mail», для экспертов — «статус». В ответ придёт файл со ссылкой для каждого.
inv-ask-region = В каком регионе будет работать координатор?
inv-ask-status = Статус эксперта:
inv-ask-chief = Роль эксперта на мероприятии:
inv-btn-not-chief = Эксперт (не главный)
inv-btn-chief = Главный эксперт: { $nomination }
inv-ask-commission-role = Роль в апелляционной комиссии:
inv-ask-name = Напишите <b>ФИО</b> приглашённого полностью — человек увидит его и подтвердит, что это он.
inv-created =
    Приглашение для <b>{ $name }</b> ({ $role }) готово. Перешлите человеку ссылку — она одноразовая и действует до { $expires }:
    { $link }
inv-btn-revoke-invitation = Отменить приглашение
inv-invitation-revoked = Приглашение для { $name } отменено: ссылка больше не действует.
inv-bulk-done = Приглашения созданы: { $created }. Строк с ошибками: { $failed }.
inv-bulk-failed-rows = Ошибки в строках: { $rows } — см. столбец «Ошибка» в файле.
inv-bulk-caption = Ссылки для приглашённых: каждая одноразовая, действует до { $expires }.
inv-col-link = Ссылка
inv-col-expires = Действует до
inv-col-error = Ошибка
inv-row-error = Строка { $row }: { $error }
inv-send-file-type = Пришлите список файлом CSV или XLSX.

inv-offer =
    <b>Приглашение</b>
    Конкурс: «{ $contest }»
    Роль: { $role }{ $details }
    ФИО: <b>{ $name }</b>

    Если это вы — подтвердите. Роль будет привязана к этому аккаунту Telegram.
inv-offer-regions = , регионы: { $regions }
inv-offer-chief = , главный эксперт: { $nominations }
inv-btn-yes = Да, это я
inv-btn-no = Нет, это не я
inv-declined = Приглашение не принято. Если ссылка пришла вам по ошибке, сообщите тому, кто её прислал.
inv-bound = Готово: вы — { $role } в конкурсе «{ $contest }». Ваши команды:

inv-staff-title = <b>Сотрудники</b> · { $contest }
inv-staff-role = • { $name } — { $role }{ $details }
inv-staff-none = Ролей пока нет.
inv-staff-pending = <b>Ожидают принятия приглашения</b>
inv-staff-pending-item = • { $name } — { $role }{ $link }
inv-staff-pending-no-link = , ссылка ещё не выдана (из файла конкурса)
inv-staff-pending-expires = , ссылка до { $expires }
inv-btn-revoke-role = Отозвать: { $name }
inv-btn-issue-link = Ссылка: { $name }
inv-btn-prev = « Назад
inv-btn-next = Дальше »
inv-revoke-confirm = Отозвать роль «{ $role }» у { $name }? Доступ пропадёт сразу, в том числе у кнопок, уже показанных человеку.
inv-btn-revoke-yes = Да, отозвать
inv-btn-cancel = Отмена
inv-revoked = Роль «{ $role }» у { $name } отозвана.
inv-cancelled = Ничего не изменено.
# the sheet of the workbook of issued invitations
inv-sheet-title = Приглашения

err-inv-unknown = Ссылка-приглашение не найдена. Проверьте, что она скопирована целиком, или попросите новую.
err-inv-used = Это приглашение уже использовано другим аккаунтом ({ $at }). Если это ошибка, попросите у координатора новую ссылку.
err-inv-already-yours = Вы уже приняли это приглашение ({ $at }) — роль привязана к вашему аккаунту.
err-inv-expired = Срок действия приглашения истёк. Попросите у координатора новую ссылку.
err-inv-revoked = Это приглашение отменено { $who ->
        [none] при обновлении файла конкурса ({ $at })
       *[other] ({ $who }, { $at })
    }. Если это ошибка, обратитесь к координатору.
err-inv-not-allowed = Приглашать сотрудников могут координаторы, федеральные координаторы и администраторы конкурса.
err-inv-staff-only = Список сотрудников и отзыв ролей доступны администратору и федеральному координатору.
err-inv-role-not-allowed = Координатор региона может пригласить только координатора своего региона, эксперта, представителя команды или волонтёра.
err-inv-region-out-of-scope = Можно приглашать только в регионы, которые вы координируете.
err-inv-bad-name = Укажите ФИО полностью (от 3 до 200 символов).
err-inv-bad-role = Неизвестная роль. Допустимо: координатор, федеральный координатор, эксперт, член комиссии (председатель комиссии, секретарь комиссии).
err-inv-bad-status = Неизвестный статус эксперта «{ $status }». Допустимо: менеджер компетенции, эксперт-наставник, индустриальный эксперт, эксперт-методист.
err-inv-bad-email = Неверный адрес e-mail.
err-inv-unknown-region = Регион «{ $region }» не найден в конкурсе.
err-inv-unknown-nomination = Номинация «{ $nomination }» не найдена в конкурсе.
err-inv-needs-region = Для координатора укажите регион.
err-inv-needs-status = Для эксперта укажите статус: менеджер компетенции, эксперт-наставник, индустриальный эксперт или эксперт-методист.
err-inv-status-needs-expert = Статус и роль на мероприятии указываются только для эксперта.
err-inv-bad-file = Не удалось прочитать файл. Пришлите таблицу CSV (UTF-8) или XLSX.
err-inv-bad-file-type = Пришлите список файлом CSV или XLSX.
err-inv-file-too-large = Файл слишком большой: не больше 2 МБ.
err-inv-bad-header = В первой строке файла должны быть заголовки столбцов: «ФИО», «роль», «регион», «e-mail», «статус».
err-inv-too-many-rows = В файле больше { $limit } { $limit ->
    [one] строки
   *[other] строк
} — разделите список на части.
err-inv-role-not-found = Эта роль уже отозвана или не найдена.

inv-help =
    <b>Сотрудники</b>
    /invite — пригласить сотрудника по ссылке (координатора своего региона, эксперта, представителя команды, волонтёра) или списком из файла CSV/XLSX
    /staff — администратору и федеральному координатору: сотрудники, ссылки-приглашения, отзыв роли
