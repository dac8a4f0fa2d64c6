## Reminders (R-REM-1, R-REM-2, R-VER-4)

remind-deadline =
    ⏰ Applications to the contest «{ $contest }» close on { $deadline }.
    To take part, you still need to:
    { $missing }
gap-form-full-name = give your full name in the verification form
gap-form-snils = give your SNILS in the verification form
gap-form-region = choose your region in the verification form
gap-form-organisation = choose your organisation in the verification form
gap-form-send = send the verification form for review
gap-form-resend = correct the refused form and send it again
gap-nomination = choose a nomination
gap-submit = everything is ready — press «Send» in the application
btn-fill-form = Fill in the form
btn-gap-field = Fill in: { $title }
btn-gap-file = Upload: { $title }

remind-coord-backlog =
    Verification requests have been waiting for review for more than { $after } { $after ->
    [one] day
   *[other] days
} (contest «{ $contest }»): { $count }. The oldest has been waiting { $days } d.
    The review should take 3–5 days.
btn-open-queue = Open the queue
remind-federal-escalation =
    ⚠️ Verification requests have been waiting for more than { $after } { $after ->
    [one] day
   *[other] days
} (contest «{ $contest }»):
    { $regions }
remind-escalation-region = { $region }: { $count }, the oldest — { $days } d.

## /settings

settings-title = <b>Notification settings</b>
settings-reminders-on = Reminders are on. Reminders about application deadlines and appeals always come.
settings-reminders-off = Optional reminders are off. Reminders about application deadlines and appeals will still come.
btn-mute = Turn off optional reminders
btn-unmute = Turn on reminders
