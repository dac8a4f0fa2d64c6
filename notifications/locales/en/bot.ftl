## General

status-draft = Form not sent
status-pending = Under review
status-accepted = Confirmed
status-rejected = Refused
status-withdrawn = Participation ended (consent withdrawn)

app-status-none = not created
app-status-draft = draft, not sent
app-status-submitted = accepted { $at }

btn-back = ‹ Back
btn-cancel = Cancel
btn-prev = ‹
btn-next = ›
btn-yes = Yes
btn-no = No

no-contests = There are no open contests right now. Please check back later.
choose-contest = Choose a contest:
unknown-command = I don't understand this message. Commands: /start — continue, /status — status, /help — help.
session-expired = This button is out of date. Press /start to continue where you left off — everything you have entered is saved.
err-session-expired = This step of the form is no longer open. Press /start to continue where you left off — everything you have entered is saved.

staff-welcome = Hello! You are on the contest staff list. Your commands:
help-participant =
    <b>Commands</b>
    /start — continue taking part where you left off
    /status — verification and application status
    /withdraw — withdraw consent to the processing of personal data
    /settings — reminder settings
    /language — the bot's language (Russian / English)
    /tasks — tasks: open them and send your answer
    /help — this help
help-coordinator =
    <b>For coordinators</b>
    /queue — verification requests from your region
    /broadcast — an announcement to participants, coordinators or experts
    /applications — submitted applications (return for corrections)
    /remote — schedule of remote sessions (assign, cancel)
    /tasks — task texts (publish; who opened and answered)
    /progress — contest progress and Excel export
    /scoring — scoring progress, results and score sheet exports
    /protocols — nomination protocols: who has not signed, refusals, PDF
    /publish — publish the results (after the protocols are signed)
    /verify — check a protocol PDF: authenticity and signatures
    /appeal — for the head of the regional coordination centre: an appeal for a participant without a mentor expert
    /commission — for the federal coordinator: form the appeals commission
help-admin =
    <b>For administrators</b>
    /load_contest — load or update the contest file (YAML)

## Consent to personal data processing (R-PD-1, R-APP-5)

welcome =
    Hello! This is the bot of the contest «{ $contest }».
    Here you will pass verification, choose a nomination, fill in your application and upload your materials.
pd-consent-request =
    To take part, you need to consent to the processing of your personal data (full name, SNILS, workplace). The data are stored encrypted and used only to run the contest; they are kept for the duration of the contest and five years after it. You can withdraw consent with the /withdraw command.
pd-consent-policy = Privacy policy: { $url }
btn-pd-agree = I consent to the processing of personal data
btn-pd-decline = I do not consent
pd-declined = Without consent to the processing of personal data you cannot take part. If you change your mind, press /start.

## Verification form (R-VER-1…3)

form-ask-full-name = Enter your <b>surname, first name and patronymic</b> in full, as in your passport. For example: Ivanova Anna Petrovna.
form-ask-snils = Enter your <b>SNILS</b> — 11 digits, for example 112-233-445 95.
form-ask-region = Choose your <b>region</b>:
form-ask-organisation = Choose the <b>organisation</b> you work for (the register of social service providers of the region «{ $region }»). Found: { $total }. To find it faster, type part of its name.
form-ask-organisation-search = Organisations matching «{ $query }»: { $total }. Type another word or choose from the list.
form-no-organisations = Nothing found for «{ $query }». Type another part of the name.
btn-show-all = Show all
form-saved-full-name = Full name saved.
form-saved-snils = SNILS saved: { $snils }.
form-summary =
    <b>Check your form</b>
    Full name: { $full_name }
    SNILS: { $snils }
    Region: { $region }
    Organisation: { $organisation }
btn-form-submit = Send for review
btn-edit-name = Change full name
btn-edit-snils = Change SNILS
btn-edit-region = Change region
btn-edit-organisation = Change organisation
form-sent =
    Your form has been sent for review. Status: <b>Under review</b>.
    The review takes 3–5 days. We will let you know the decision; you can check the status with the /status command.
form-rejected =
    Right to take part in the contest — <b>Refused</b>.
    Reason: { $reason }
    Correct the form and send it again.
btn-fix-form = Correct the form

## Status (R-VER-5)

status-card =
    <b>{ $contest }</b>
    Right to take part: <b>{ $status }</b>
status-reason = Reason for refusal: { $reason }
status-form =
    Full name: { $full_name }
    SNILS: { $snils }
    Region: { $region }
    Organisation: { $organisation }
status-application = Application: { $state }
status-nomination = Nomination: { $nomination }
status-deadline = Applications and materials are accepted until { $deadline }.
status-none = You are not registered in the contest «{ $contest }» yet. Press /start.
status-pending-hint = The review takes 3–5 days. We will let you know the decision.

## Nomination (R-APP-1…3)

nominations-title = Your right to take part is confirmed. Choose <b>one</b> nomination — you can take part in only one:
nomination-card =
    <b>{ $title }</b>
    { $description }
nomination-conditions = Nomination conditions:
cond-min-age = aged at least { $limit }
cond-max-age = aged at most { $limit }
cond-min-experience = at least { $limit } { $limit ->
    [one] year
   *[other] years
} of work experience
cond-practice = positive experience of implementing a social service practice
btn-choose-this = Choose this nomination
btn-choose-nomination = Choose a nomination
nomination-ask-birth-date = The nomination «{ $title }» needs your date of birth. Enter it as DD.MM.YYYY.
nomination-ask-experience = The nomination «{ $title }» needs your work experience in social services. Enter the number of full years.
nomination-ask-practice = Do you have positive experience of implementing a social service practice?
bad-birth-date = I don't understand the date. Enter your date of birth as DD.MM.YYYY, for example 05.03.1990.
bad-experience = Enter your experience as a number of full years, from 0 to 70, for example 4.
nomination-chosen = You have chosen the nomination «{ $title }». Now fill in your application.

## Application (R-APP-4…6)

app-menu =
    <b>Application: { $nomination }</b>
    Fill in the fields, upload the files and give the consents. Done: { $done } of { $total }.
    Applications are accepted until { $deadline }.
app-field-done = ✅ { $title }
app-field-todo = ▫️ { $title }
app-file-done = ✅ { $title } ({ $count })
app-file-todo = ▫️ { $title }
app-file-optional = ➕ { $title } ({ $count })
app-consent-privacy-on = ☑️ I agree to the Privacy Policy
app-consent-privacy-off = ⬜ I agree to the Privacy Policy
app-consent-transfer-on = ☑️ I agree to the transfer of materials
app-consent-transfer-off = ⬜ I agree to the transfer of materials
btn-app-review = Check and send
btn-open-application = Open the application
app-ask-field = Enter «{ $title }».
app-ask-field-limit = At most { $limit } { $limit ->
    [one] character
   *[other] characters
}.
app-ask-field-number = Enter a number.
app-ask-field-date = Enter a date as DD.MM.YYYY.
app-field-current = Now: { $value }
app-field-saved = Saved: «{ $title }».
app-ask-file =
    Upload the file «{ $title }» ({ $kind }): { $types }, no larger than { $limit }.
    Send it as a document (paperclip → File).
app-ask-file-many = You can upload up to { $count } { $count ->
    [one] file
   *[other] files
}; uploaded so far: { $have }.
app-ask-file-cloud-limit = The bot works through Telegram's cloud Bot API, which lets bots download files of at most 20 MB. If your file is larger, compress or split it; the organiser can set up a local Bot API server for large files.
app-file-kind-document = document
app-file-kind-video = video
app-file-saved = The file «{ $name }» ({ $size }) is saved in the section «{ $title }».
app-file-replaced = The previous file has been replaced; it is kept in the application history.
app-file-current = Uploaded: { $files }
btn-remove-file = Remove «{ $name }»
app-file-removed = The file has been removed from the application.
app-expected-file = I am waiting for the file «{ $title }». Send the file or press «‹ Back».
app-summary-title = <b>Check your application before sending it</b>
app-summary-nomination = Nomination: { $nomination }
app-summary-field = { $title }: { $value }
app-summary-file = { $title }: { $files }
app-summary-consents = Consents: given
app-summary-missing = <b>To send the application, you still need:</b>
btn-app-submit = Send
app-submitted = Your application has been accepted and added to the contest commission's scoring list. It can now be changed only through the coordinator.
app-frozen-view = The application was sent { $at } and can no longer be edited. If something needs correcting, contact the coordinator.

missing-field = the field «{ $title }» is not filled in
missing-file = the file «{ $title }» is not uploaded
missing-consent-privacy = no consent to the Privacy Policy
missing-consent-transfer = no consent to the transfer of materials

## Withdrawal of consent (R-PD-1)

withdraw-confirm =
    Withdraw your consent to the processing of personal data in the contest «{ $contest }»?
    Your participation in the contest will be <b>ended</b>; your full name, SNILS, application fields and uploaded materials will be deleted. This cannot be undone.
btn-withdraw-yes = Yes, withdraw consent
withdraw-done = Consent withdrawn. Your participation in the contest has ended and your personal data have been deleted.
withdraw-cancelled = Withdrawal cancelled. Nothing has changed.
withdraw-nothing = You are not taking part in any contest — there is nothing to withdraw.

## Coordinator (R-VER-3)

coord-queue-title = <b>Verification requests</b> ({ $contest }): { $total } waiting.
coord-queue-empty = No verification requests. ✨
coord-queue-item = { $name } — { $organisation }, { $waiting }
coord-waiting-days = { $days ->
    [0] today
    [one] { $days } day
   *[other] { $days } days
}
coord-card =
    <b>{ $name }</b>
    SNILS: { $snils }
    Region: { $region }
    Organisation: { $organisation }
    Status: { $status }
    Form sent: { $submitted }
coord-card-application = Application: { $state }, nomination «{ $nomination }»
btn-accept = ✅ Accept
btn-reject = ❌ Refuse
coord-choose-reason = Choose the reason for refusal — the participant will see it:
reason-1 = The workplace does not match the data of your SNILS
reason-2 = The organisation is not in the register of social service providers
reason-3 = The form data do not match the SNILS data
btn-other-reason = Another reason…
coord-ask-reason = Write the reason for refusal in one message (up to 500 characters). The participant will see it.
btn-to-queue = ‹ To the queue
btn-open-card = Participant card
coord-accepted = Confirmed: { $name }. The participant will be notified.
coord-rejected = Refused: { $name }. Reason: { $reason }. The participant will be notified.
coord-apps-title = <b>Submitted applications</b> ({ $contest }): { $total }.
coord-apps-empty = No applications have been submitted yet.
btn-reopen = Return for corrections
coord-reopen-confirm = Return { $name }'s application for corrections? The application becomes a draft again; the participant will have to send it again before applications close.
btn-reopen-yes = Yes, return it
coord-reopened = { $name }'s application has been returned for corrections. The participant will be notified.
coord-choose-contest = Choose a contest:

## Administrator

admin-send-file = Send the contest file (YAML, up to 2 MB) as a document. A sample is examples/contest.yaml in the repository.
admin-loading = Checking the file…
admin-loaded =
    Contest «{ $title }» { $created ->
        [yes] loaded
       *[no] updated
    }: stages { $stages }, regions { $regions }, organisations { $organisations }, nominations { $nominations }, staff { $people }{ $schemes ->
        [0] {""}
       *[other] , scoring schemes { $schemes }
    }.
admin-deactivated = Hidden (not in the new file, data kept): { $what }.
admin-file-too-large = The file is too large: a contest file must be at most 2 MB.

## Notifications (sent by the worker)

notify-verification-accepted =
    Right to take part in the contest «{ $contest }» — <b>Confirmed</b>.
    Now choose a nomination and fill in your application.
notify-verification-rejected =
    Right to take part in the contest «{ $contest }» — <b>Refused</b>.
    Your data do not meet the conditions for taking part in the contest. { $reason }
    You can correct the form and send it again.
notify-application-reopened =
    The coordinator has returned your application in the nomination «{ $nomination }» (contest «{ $contest }») for corrections.
    Make the corrections and send the application again before applications close.

## Errors (a refusal changes nothing)

err-forbidden = This action is not available to you.
err-not-coordinator = This action is available only to the contest coordinator.
err-not-your-region = This participant is not from your region — the coordinator of their region decides on them.
err-admin-only = Only an administrator can load the contest file.
err-not-found = Not found. The data may have changed already — press /start.
err-contest-not-found = Contest not found.
err-region-not-found = There is no such region in the list. Choose a region with a button.
err-organisation-not-found = There is no such organisation in the register of the chosen region. Choose an organisation with a button.
err-nomination-not-found = There is no such nomination. Choose a nomination with a button.
err-participant-not-found = Participant not found.
err-field-not-found = The application has no such field.
err-file-slot-not-found = The application has no such file section.
err-file-not-found = The file was not found in the application.
err-consent-not-found = There is no such consent.
err-consent-required = First give your consent to the processing of personal data — press /start.
err-participation-ended = You have withdrawn your consent to the processing of personal data, so your participation in this contest has ended. If this is a mistake, contact the coordinator.
err-full-name-invalid = This does not look like a full name. Enter your surname, first name and patronymic (2–4 words, letters only), for example: Ivanova Anna Petrovna.
err-snils-invalid = The SNILS is wrong: it needs 11 digits with a correct checksum, for example 112-233-445 95. Check the digits and enter it again.
err-snils-taken = A participant with this SNILS is already registered in this contest. If it is you, contact the coordinator.
err-verification-incomplete = The form is incomplete: full name, SNILS, region and organisation are needed.
err-verification-pending = The form is already under review — it cannot be changed now. Wait for the coordinator's decision.
err-verification-accepted = Your right to take part is already confirmed; the form cannot be changed.
err-not-verified = Nominations and the application open once the coordinator confirms your right to take part.
err-one-nomination = A participant can choose only one nomination. You are already taking part in the nomination «{ $title }».
err-conditions-not-met = You do not meet the conditions of the nomination «{ $title }»:
err-no-application = Choose a nomination first.
err-application-frozen = The application has already been sent and can no longer be edited. If something needs correcting, contact the coordinator.
err-application-incomplete = The application cannot be sent yet — still missing:
err-deadline-passed = Applications and materials closed on { $deadline }. This action is not available.
err-field-empty = The field cannot be empty — enter a value.
err-field-not-number = A number is needed, for example 12 or 3,5.
err-field-not-date = A date is needed as DD.MM.YYYY, for example 01.09.2015.
err-field-too-long = Too long: { $length } { $length ->
    [one] character
   *[other] characters
}, and at most { $limit } are allowed. Shorten the text and send it again.
err-file-wrong-type = This file type is not accepted. Allowed formats: { $types }.
err-file-too-large = The file is too large ({ $size } MB): this section accepts at most { $limit } MB.
err-file-too-large-for-cloud = The file is { $size } MB — the bot cannot download it: Telegram's cloud Bot API gives bots files of at most { $limit } MB. Compress the file or split it into parts; the organiser can set up a local Bot API server for large files.
err-file-size-unknown = Telegram did not report the file size. Send the file as a document again.
err-file-too-many = This section takes at most { $limit } { $limit ->
    [one] file
   *[other] files
}. Remove a file to add a new one.
err-reason-required = Give the reason for refusal.
err-reason-too-long = The reason is too long: at most { $limit } { $limit ->
    [one] character
   *[other] characters
}.
err-not-pending = This form has already been decided (status: { $status }).
err-not-submitted = This application has not been sent — there is nothing to return.
err-reopen-after-deadline = Applications closed on { $deadline }: if the application is returned now, the participant will not be able to send it again. The application is left as it is.
err-unexpected = Something went wrong. Nothing is lost — try again or press /start.

cond-fail-birth-date-missing = the date of birth is not given
cond-fail-too-young = the age must be at least { $limit }
cond-fail-too-old = the age must be at most { $limit }
cond-fail-experience-missing = the work experience is not given
cond-fail-experience-too-short = the work experience must be at least { $limit } { $limit ->
    [one] year
   *[other] years
}
cond-fail-practice-required = positive experience of implementing a practice is required

## Command menu and other

cmd-start = Continue taking part
cmd-status = Verification and application status
cmd-withdraw = Withdraw consent to personal data processing
cmd-settings = Reminder settings
cmd-help = Help
file-unnamed = file
# a file's size in megabytes (rules.size_mb), after its name or as a limit
file-size = { $size } MB

## Command line (python -m bot)

cli-description = Bot for professional skills contests
cli-setting-error = setting { $name }: { $error }
cli-migrated = migrations applied
cli-file-not-found = file not found: { $path }
cli-swept = reminders created: { $created }, messages queued: { $enqueued }, { $seconds } s
