# A minor's parental consent and accompanying adult (R-ROLE-5; championship rules 002 §4.7, §5.3).

## The participant's screen

guardian-title = <b>Parental consent and accompanying adult</b>
guardian-why = On the stage date ({ $day }) you will be { $age } { $age ->
        [one] year
       *[other] years
    } old. A participant under 18 needs a parent's (legal representative's) consent to take part in the championship and to be accompanied, and an accompanying adult responsible for you during the whole championship.
guardian-state = Status: <b>{ $state }</b>
guardian-status-draft = not sent
guardian-status-pending = being checked by the coordinator
guardian-status-accepted = accepted
guardian-status-returned = returned for correction
guardian-who = Consent given by: { $name } ({ $relation })
guardian-form-line = Signed consent: { $form }
guardian-form-photo = photo
guardian-form-none = not uploaded
guardian-companion-line = Accompanying adult: { $name }, phone { $phone }
guardian-return-reason = Reason for return: { $reason }
guardian-pending-hint = Sent { $at }. The coordinator will check the consent; we will tell you the decision.
guardian-missing = Still needed before sending for checking:
guardian-status-line = Parental consent (the participant is { $age } { $age ->
        [one] year
       *[other] years
    } old on { $day }): { $state }

guardian-relation-mother = mother
guardian-relation-father = father
guardian-relation-guardian = guardian
guardian-relation-trustee = custodian
guardian-relation-other = other legal representative

guardian-gap-no-consent = no parental consent
guardian-gap-no-companion = no accompanying adult named
guardian-gap-pending = consent being checked
guardian-gap-returned = consent returned to the participant

btn-guardian-menu = { $state ->
        [pending] ⏳ Parental consent — being checked
        [accepted] ✅ Parental consent — accepted
        [returned] ❗ Parental consent — correct it
        [ready] ⬜ Parental consent — send for checking
       *[draft] ⬜ Parental consent and accompanying adult
    }
btn-guardian-who = Who gives the consent
btn-guardian-form = Upload the signed consent
btn-guardian-companion = Accompanying adult
btn-guardian-submit = Send for checking
btn-guardian-to-application = ‹ To the application
btn-guardian-open = Open the parental consent

guardian-ask-name = Enter the full name of the parent or legal representative giving the consent (e.g. Ivanova Maria Petrovna).
guardian-ask-relation = Who is this person to you?
guardian-ask-form = Send a scan (PDF) or a photo (JPEG, PNG) of the signed consent to a minor's participation in the championship and to being accompanied — as a document or a photo, up to 10 MB.
guardian-form-expected = A file is needed: a scan (PDF) or a photo of the signed consent. Send it as a document or a photo.
guardian-ask-companion = Enter the full name of the accompanying adult who will be with you at the championship.
guardian-ask-phone = The accompanying adult's phone, e.g. +7 900 123-45-67.
guardian-saved = Saved.
guardian-form-saved = Consent uploaded.
guardian-submitted = The consent has been sent to the coordinator for checking.

## The coordinator

guardian-card-title = <b>Minor</b>: { $age } { $age ->
        [one] year
       *[other] years
    } old on { $day }. Parental consent: { $state }
guardian-card-gaps = Missing: { $gaps }
guardian-card-pending = The parent's consent is waiting for your check: accept it or return it with a reason.
btn-guardian-show-form = 📄 Parental consent
btn-guardian-accept = Accept the consent
btn-guardian-return = Return the consent
btn-guardian-minors = Minor participants
btn-guardian-card = ‹ To the participant's card
guardian-form-caption = The signed consent of the parent (legal representative).
guardian-accept-confirm = Accept the parental consent and accompanying adult of { $name }? The participant will be able to send the application.
guardian-accepted = The parental consent of { $name } is accepted. The participant has been notified.
guardian-ask-reason = Write what to correct in the consent (the participant will see this text).
guardian-return-confirm = Return the consent of { $name } with the reason:
    { $reason }
guardian-returned = The consent of { $name } is returned. Reason: { $reason }
guardian-minor-item = { $name }, { $age } { $age ->
        [one] year
       *[other] years
    } — { $gaps }
guardian-queue-title = Minor participants without an accepted parental consent: { $total }, being checked: { $pending }.
btn-guardian-minors-count = Parental consents ({ $count })
guardian-minors-title = Minor participants: { $total }.
guardian-minors-more = …and { $more } more.
guardian-minors-empty = There are no minor participants.

## Notifications

guardian-notify-accepted = The parental consent for the contest «{ $contest }» is <b>accepted</b>. You can send the application now.
guardian-notify-returned =
    The parental consent for the contest «{ $contest }» is <b>returned</b>.
    Reason: { $reason }
    Correct it and send it again.

## Refusals

err-guardian-name-invalid = Enter the full name: surname, first name and, if any, patronymic — letters only, e.g. Ivanova Maria Petrovna.
err-guardian-relation-unknown = Choose who this person is to you with a button.
err-guardian-phone-invalid = This does not look like a phone number. Enter the full number, e.g. +7 900 123-45-67.
err-guardian-companion-is-participant = The accompanying adult must be another person — an adult who will be with you at the championship.
err-guardian-not-needed = A parental consent is needed only by championship participants under 18 on the stage date (the birth date is given when choosing the competence).
err-guardian-form-missing = The participant has not uploaded the signed consent yet.
err-guardian-not-submitted = The consent has not been sent for checking yet — there is nothing to decide.
err-guardian-already-submitted = The consent was already sent for checking { $at }. Wait for the coordinator's decision.
err-guardian-already-accepted = The consent was already accepted { $at }.
err-guardian-consent-frozen = { $state ->
        [accepted] The consent was accepted { $at } — it cannot be changed.
       *[pending] The consent has been being checked since { $at } — it can be changed if the coordinator returns it.
    }
err-guardian-incomplete = The consent is not complete: { $consent ->
        [1] say who gives the consent and upload the signed form{ $companion ->
            [1] ; name the accompanying adult.
           *[0] .
        }
       *[0] name the accompanying adult (full name and phone).
    }
err-guardian-already-decided = The consent was already decided: { $outcome ->
        [accepted] accepted
       *[returned] returned
    } { $by ->
        [you] by you
        [named] by coordinator { $name }
       *[other] by another coordinator
    }, { $at }.
err-guardian-reason-draft-stale = This reason for returning is no longer in effect. Open the participant's card and press «Return the consent» again.
err-guardian-resubmitted = The participant sent the consent again { $at }. Open the card again.
err-guardian-consent-required = The application cannot be sent yet: a participant under 18 ({ $age } { $age ->
        [one] year
       *[other] years
    } old on { $day }) needs a parental consent accepted by the coordinator. { $state ->
        [pending] The consent is being checked — the application can be sent after the coordinator's decision.
        [returned] The coordinator returned the consent: correct it and send it again.
        [draft] Send the consent for checking in the «Parental consent» section.
       *[missing] Fill in the «Parental consent» section: who gives the consent, the signed form and the accompanying adult.
    }

## Conversation steps

conv-step-guardian-guardian-name = the parent's full name
conv-step-guardian-form = the signed parental consent
conv-step-guardian-companion-name = the accompanying adult's full name
conv-step-guardian-companion-phone = the accompanying adult's phone
conv-step-guardiancoord-reason = the reason for returning the consent
