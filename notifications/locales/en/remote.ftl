## Remote sessions (R-COO-3, R-REM-5)

remote-schedule =
    📅 Remote session, contest «{ $contest }».
    Time: { $when }, duration { $duration } min.
    Link to join: { $link }
    Join 15 minutes before the start: the examiner will check your camera and microphone, your workstation and your identity document, and give a briefing.
remote-day =
    ⏰ Today at { $time } — your remote session (contest «{ $contest }»).
    Link: { $link }
    Join 15 minutes before the start and keep your identity document at hand.
remote-briefing-examiner =
    📋 Tomorrow, { $when }, you are the examiner at the remote session of participant { $name } (contest «{ $contest }», { $duration } min).
    Link: { $link }
    Take the briefing and check your equipment in advance. The materials will come 30 minutes before the start.
remote-briefing-expert =
    📋 Tomorrow, { $when }, remote session of participant { $name } (contest «{ $contest }», { $duration } min).
    Link: { $link }
    Take the expert briefing before the session starts.
remote-materials =
    📦 Materials for the session at { $when }, participant { $name } (contest «{ $contest }»).
    Link: { $link }
    Press «Get the materials». Do not forward them or show them to anyone else.
remote-materials-none =
    📦 The session at { $when }, participant { $name } (contest «{ $contest }») starts in 30 minutes.
    Link: { $link }
    No materials are attached to this session — get them from the coordinator.
remote-btn-materials = Get the materials
remote-materials-caption = Materials: session { $when }, participant { $name }
remote-cancelled-participant = ❌ The remote session { $when } (contest «{ $contest }») is cancelled. The coordinator will tell you the new time.
remote-cancelled-examiner = ❌ The remote session { $when }, participant { $name } (contest «{ $contest }») is cancelled.

## /remote — coordinator

remote-title = <b>Remote session schedule</b> — «{ $contest }»
remote-empty = No sessions yet.
remote-item = • { $when } — { $name }, { $duration } min{ $materials }
remote-item-materials = , materials: { $file }
remote-btn-add = ➕ Add a session
remote-btn-cancel = ✖ { $when } { $name }
remote-pick-participant = Choose a participant (participants of your regions with a confirmed right to take part, { $total } in all):
remote-no-candidates = There are no participants with a confirmed right to take part in your regions — nobody to schedule a session for.
remote-ask-time =
    Participant: { $name }.
    Enter the start date and time as DD.MM.YYYY HH:MM (contest time, { $tz }), no earlier than { $earliest }.
    The participant must be told the schedule at least 3 days ahead.
remote-bad-time = A date and time as DD.MM.YYYY HH:MM are needed, for example 15.03.2027 10:30.
remote-ask-duration = Session duration in minutes (for example, 30):
remote-bad-number = A whole number is needed, for example 30.
remote-ask-link = Video conference link (https://…):
remote-ask-examiner = Telegram id of the examiner who will get the materials 30 minutes before the start (a number), or «-» if there is no examiner:
remote-bad-examiner = A numeric Telegram id or «-» is needed.
remote-ask-materials = Send the materials file as a document, or «-» if there are no materials:
remote-added =
    ✅ Session scheduled: { $when }, { $name }, { $duration } min.
    The participant will get the schedule now and a reminder on the day; the examiner and the experts — a briefing notice the day before.
remote-cancel-confirm = Cancel the session { $when }, participant { $name }? The participant will be notified.
remote-btn-cancel-yes = Yes, cancel
remote-btn-keep = Keep it
remote-kept = The session is left as it is.
remote-cancelled = The session { $when }, { $name } is cancelled; the participant has been notified.

## /remote — participant

remote-mine-title = <b>Your remote sessions</b>
remote-mine-item = • { $when }, { $duration } min — { $link }
remote-mine-empty = No remote sessions have been scheduled for you yet.

## Errors

err-remote-too-soon = The session cannot be scheduled so soon: the participant must be told the schedule at least 3 days ahead. The earliest time is { $earliest }.
err-remote-bad-duration = The duration is from { $low } to { $high } { $high ->
    [one] minute
   *[other] minutes
}.
err-remote-bad-link = A video conference link starting with https:// (no spaces) is needed.
err-remote-not-accepted = A session can be scheduled only for a participant whose right to take part is confirmed.
err-remote-overlap = The participant already has a session at this time ({ $at }, scheduled by { $who }).
err-remote-already-cancelled = The session at { $when } has already been cancelled ({ $who }, { $at }). The participant has been told.
err-remote-slot-cancelled = This session is cancelled.
err-remote-slot-not-found = Session not found.
err-remote-no-materials = No materials are attached to this session.
err-remote-materials-not-yet = The materials will be available from { $at } — 30 minutes before the start.
