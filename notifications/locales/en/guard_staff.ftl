# Staff transitions happen once (issue #12): what a late or second press is told.
# Broadcasts (R-COO-1)
err-broadcast-dropped = The draft of broadcast No. { $id } has already been discarded ({ $who }, { $at }). Nothing was sent — to send the announcement, start again: /broadcast.
err-broadcast-was-cancelled = Broadcast No. { $id } has already been cancelled ({ $who }, { $at }). Unsent messages will not go out.
err-broadcast-finished = Broadcast No. { $id } has already finished ({ $at }) — it cannot be changed or cancelled.
err-broadcast-not-started = Broadcast No. { $id } has not been started — it is a draft.
err-broadcast-already-paused = Broadcast No. { $id } is already paused ({ $who }, { $at }).
err-broadcast-already-running = Broadcast No. { $id } is already running ({ $who }, { $at }).
# Invitations and roles (R-ROLE-1)
err-inv-already-accepted = The invitation has already been accepted: { $name }, { $at }. To take the role away, revoke it in /staff.
err-inv-role-revoked = The role of «{ $name }» has already been revoked ({ $who }, { $at }).
# Task texts (R-COO-4)
err-task-already-published = The task «{ $title }» with this file has already been published ({ $who }, { $at }). Participants have been notified.
