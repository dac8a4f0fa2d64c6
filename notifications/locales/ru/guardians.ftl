# Согласие родителя (законного представителя) несовершеннолетнего конкурсанта и сопровождающий
# (R-ROLE-5; Положение о чемпионате, 002 §4.7, §5.3). bot/handlers/guardians.py,
# models/services/guardians.py.

## Экран участника

guardian-title = <b>Согласие родителя и сопровождающий</b>
guardian-why = На дату этапа ({ $day }) вам будет { $age } { $age ->
        [one] год
        [few] года
       *[many] лет
    }. Участнику младше 18 лет нужны согласие родителя (законного представителя) на участие в чемпионате и на сопровождение, и сопровождающий — взрослый, который отвечает за вас всё время чемпионата.
guardian-state = Статус: <b>{ $state }</b>
guardian-status-draft = не отправлено
guardian-status-pending = на проверке у координатора
guardian-status-accepted = принято
guardian-status-returned = возвращено на исправление
guardian-who = Кто даёт согласие: { $name } ({ $relation })
guardian-form-line = Подписанное согласие: { $form }
guardian-form-photo = фото
guardian-form-none = не загружено
guardian-companion-line = Сопровождающий: { $name }, телефон { $phone }
guardian-return-reason = Причина возврата: { $reason }
guardian-pending-hint = Отправлено { $at }. Координатор проверит согласие; мы сообщим о решении.
guardian-missing = Чтобы отправить на проверку, осталось:
guardian-status-line = Согласие родителя (участнику { $age } { $age ->
        [one] год
        [few] года
       *[many] лет
    } на { $day }): { $state }

guardian-relation-mother = мать
guardian-relation-father = отец
guardian-relation-guardian = опекун
guardian-relation-trustee = попечитель
guardian-relation-other = иной законный представитель

guardian-gap-no-consent = нет согласия родителя
guardian-gap-no-companion = не указан сопровождающий
guardian-gap-pending = согласие на проверке
guardian-gap-returned = согласие возвращено участнику

btn-guardian-menu = { $state ->
        [pending] ⏳ Согласие родителя — на проверке
        [accepted] ✅ Согласие родителя — принято
        [returned] ❗ Согласие родителя — исправить
        [ready] ⬜ Согласие родителя — отправить на проверку
       *[draft] ⬜ Согласие родителя и сопровождающий
    }
btn-guardian-who = Кто даёт согласие
btn-guardian-form = Загрузить подписанное согласие
btn-guardian-companion = Сопровождающий
btn-guardian-submit = Отправить на проверку
btn-guardian-to-application = ‹ К заявке
btn-guardian-open = Открыть согласие родителя

guardian-ask-name = Введите ФИО родителя или законного представителя, который даёт согласие (например, Иванова Мария Петровна).
guardian-ask-relation = Кем он(а) вам приходится?
guardian-ask-form = Пришлите скан (PDF) или фото (JPEG, PNG) подписанного согласия на участие несовершеннолетнего в чемпионате и на сопровождение — документом или фотографией, до 10 МБ.
guardian-form-expected = Нужен файл: скан (PDF) или фото подписанного согласия. Пришлите его документом или фотографией.
guardian-ask-companion = Введите ФИО сопровождающего — взрослого, который будет с вами на чемпионате.
guardian-ask-phone = Телефон сопровождающего, например +7 900 123-45-67.
guardian-saved = Сохранено.
guardian-form-saved = Согласие загружено.
guardian-submitted = Согласие отправлено координатору на проверку.

## Координатор

guardian-card-title = <b>Несовершеннолетний</b>: { $age } { $age ->
        [one] год
        [few] года
       *[many] лет
    } на { $day }. Согласие родителя: { $state }
guardian-card-gaps = Не хватает: { $gaps }
guardian-card-pending = Согласие родителя на проверке: примите его или верните с причиной.
btn-guardian-show-form = 📄 Согласие родителя
btn-guardian-accept = Принять согласие
btn-guardian-return = Вернуть согласие
btn-guardian-minors = Несовершеннолетние участники
btn-guardian-card = ‹ К карточке участника
guardian-form-caption = Подписанное согласие родителя (законного представителя).
guardian-accept-confirm = Принять согласие родителя и сопровождающего участника { $name }? Участник сможет отправить заявку.
guardian-accepted = Согласие родителя участника { $name } принято. Участник получил уведомление.
guardian-ask-reason = Напишите, что исправить в согласии (участник увидит этот текст).
guardian-return-confirm = Вернуть согласие участника { $name } с причиной:
    { $reason }
guardian-returned = Согласие участника { $name } возвращено. Причина: { $reason }
guardian-minor-item = { $name }, { $age } { $age ->
        [one] год
        [few] года
       *[many] лет
    } — { $gaps }
guardian-queue-title = Несовершеннолетние участники без принятого согласия родителя: { $total }, из них на проверке: { $pending }.
btn-guardian-minors-count = Согласия родителей ({ $count })
guardian-minors-title = Несовершеннолетние участники: { $total }.
guardian-minors-more = …и ещё { $more }.
guardian-minors-empty = Несовершеннолетних участников нет.

## Уведомления

guardian-notify-accepted = Согласие родителя для конкурса «{ $contest }» <b>принято</b>. Теперь можно отправить заявку.
guardian-notify-returned =
    Согласие родителя для конкурса «{ $contest }» <b>возвращено</b>.
    Причина: { $reason }
    Исправьте и отправьте его снова.

## Отказы

err-guardian-name-invalid = Введите ФИО полностью: фамилию, имя и, если есть, отчество — только буквы, например Иванова Мария Петровна.
err-guardian-relation-unknown = Выберите, кем приходится вам этот человек, кнопкой.
err-guardian-phone-invalid = Не похоже на номер телефона. Введите номер полностью, например +7 900 123-45-67.
err-guardian-companion-is-participant = Сопровождающим должен быть другой человек — взрослый, который будет с вами на чемпионате.
err-guardian-not-needed = Согласие родителя нужно только участникам чемпионата младше 18 лет на дату этапа (дата рождения указывается при выборе компетенции).
err-guardian-form-missing = Участник ещё не загрузил подписанное согласие.
err-guardian-not-submitted = Согласие ещё не отправлено на проверку — решать пока нечего.
err-guardian-already-submitted = Согласие уже отправлено на проверку { $at }. Дождитесь решения координатора.
err-guardian-already-accepted = Согласие уже принято { $at }.
err-guardian-consent-frozen = { $state ->
        [accepted] Согласие уже принято { $at } — изменить его нельзя.
       *[pending] Согласие на проверке с { $at } — изменить его можно, если координатор вернёт его.
    }
err-guardian-incomplete = Согласие ещё не заполнено: { $consent ->
        [1] укажите, кто даёт согласие, и загрузите подписанное согласие{ $companion ->
            [1] ; укажите сопровождающего.
           *[0] .
        }
       *[0] укажите сопровождающего (ФИО и телефон).
    }
err-guardian-already-decided = Решение по согласию уже принято: { $outcome ->
        [accepted] принято
       *[returned] возвращено
    } { $by ->
        [you] вами
        [named] координатором { $name }
       *[other] другим координатором
    }, { $at }.
err-guardian-reason-draft-stale = Эта причина возврата больше не действует. Откройте карточку участника и нажмите «Вернуть согласие» ещё раз.
err-guardian-resubmitted = Участник отправил согласие заново { $at }. Откройте карточку ещё раз.
err-guardian-consent-required = Заявку пока нельзя отправить: участнику младше 18 лет (на { $day } — { $age } { $age ->
        [one] год
        [few] года
       *[many] лет
    }) нужно согласие родителя, принятое координатором. { $state ->
        [pending] Согласие на проверке — заявку можно будет отправить после решения координатора.
        [returned] Координатор вернул согласие: исправьте и отправьте его снова.
        [draft] Отправьте согласие на проверку в разделе «Согласие родителя».
       *[missing] Заполните раздел «Согласие родителя»: кто даёт согласие, подписанное согласие и сопровождающий.
    }

## Шаги разговора

conv-step-guardian-guardian-name = ФИО родителя
conv-step-guardian-form = подписанное согласие родителя
conv-step-guardian-companion-name = ФИО сопровождающего
conv-step-guardian-companion-phone = телефон сопровождающего
conv-step-guardiancoord-reason = причина возврата согласия
