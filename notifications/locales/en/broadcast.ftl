## Broadcasts (R-COO-1)

broadcast-ask-text =
    Send the text of the announcement in one message — formatting, a photo or a document are fine (a caption can be up to 1000 characters).
    Then you will choose who receives it.
broadcast-audience =
    <b>Who receives the announcement</b>
    Recipients: { $role }{ $filters }
    Recipients now: <b>{ $count }</b>
broadcast-role-participants = participants
broadcast-role-coordinators = coordinators
broadcast-role-experts = experts
broadcast-filter-regions = ; regions: { $regions }
broadcast-filter-nominations = ; nominations: { $nominations }
broadcast-filter-state = ; { $state }
broadcast-state-all = all
broadcast-state-verified_no_application = verified, but no application submitted
broadcast-state-submitted = application submitted
btn-broadcast-role-participants = Participants
btn-broadcast-role-coordinators = Coordinators
btn-broadcast-role-experts = Experts
btn-broadcast-state-all = All
btn-broadcast-state-verified_no_application = No application
btn-broadcast-state-submitted = Application submitted
btn-broadcast-next = Preview and send →
btn-broadcast-drop = Discard the draft
broadcast-preview-title = This is how recipients will see the announcement:
broadcast-confirm = Send the announcement to <b>{ $count }</b> { $count ->
    [one] recipient
   *[other] recipients
}? Sending goes at the rate Telegram allows: about { $eta }.
btn-broadcast-send = Send to { $count } { $count ->
    [one] recipient
   *[other] recipients
}
btn-broadcast-edit = Change the audience
broadcast-dropped = The broadcast draft has been deleted. Nothing was sent.
broadcast-started = Broadcast No. { $id } has started.
broadcast-progress =
    📣 Broadcast No. { $id }: { $status }
    Sent: { $sent } of { $total }
    Blocked the bot: { $blocked }
    Errors: { $failed }
    Left: { $left }
broadcast-eta = Time left: about { $eta }
broadcast-eta-seconds = { $seconds } s
broadcast-eta-minutes = { $minutes } min
broadcast-status-running = running
broadcast-status-paused = paused
broadcast-status-done = finished
broadcast-status-cancelled = cancelled
btn-broadcast-pause = ⏸ Pause
btn-broadcast-resume = ▶️ Resume
btn-broadcast-cancel = ✖️ Cancel
broadcast-cancel-confirm = Cancel broadcast No. { $id }? Messages already sent stay with their recipients; the rest will not be sent.
btn-broadcast-cancel-yes = Yes, cancel the broadcast
btn-broadcast-cancel-no = No, continue
broadcast-final =
    Broadcast No. { $id } has finished: delivered { $sent } of { $total }; blocked the bot — { $blocked }, errors — { $failed }, not sent after cancellation — { $cancelled }.
broadcast-csv-telegram-id = Telegram id
broadcast-csv-name = Full name
broadcast-csv-status = Status
broadcast-csv-error = Error
broadcast-undelivered-blocked = blocked the bot
broadcast-undelivered-failed = delivery error
broadcast-undelivered-expired = not sent in time
broadcast-undelivered-cancelled = cancelled

err-broadcast-empty = The announcement is empty — send text, a photo or a document.
err-broadcast-too-long = Too long: { $length } { $length ->
    [one] character
   *[other] characters
}, at most { $limit } allowed. Shorten the text and send it again.
err-broadcast-not-found = Broadcast not found.
err-not-your-broadcast = This broadcast was created by another coordinator.
err-broadcast-started = Broadcast No. { $id } has already been started ({ $who }, { $at }) — it cannot be changed or sent again.
err-broadcast-no-recipients = The chosen audience has no recipients. Change the conditions.
err-broadcast-not-running = The broadcast is not running — there is nothing to pause or cancel.
err-broadcast-not-paused = The broadcast is not paused.
err-experts-federal-only = Only the federal coordinator can address the experts.
