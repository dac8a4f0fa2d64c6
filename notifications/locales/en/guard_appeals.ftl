## Disputes and appeals: every action happens once (issue #12). The loser of a race is told
## what already happened, by whom and when. Keys: models/services/appeals.py,
## bot/handlers/appeals.py.

err-pre-appeal-opened-already = This proposal has already been put to a vote: vote №{ $id } opened { $at }.
err-pre-appeal-closed-already = Vote №{ $id } already ended { $at }{ $auto ->
    [yes] : every accredited expert voted
   *[no] {""}: closed by the chief expert { $by }
}. Outcome: { $outcome ->
    [accepted] the proposal was accepted
    [rejected] the proposal was rejected
   *[no_quorum] no quorum — no decision
}.
err-pre-appeal-voted-already = You have already voted in vote №{ $id }: { $vote ->
    [yes] "for"
   *[no] "against"
} ({ $at }). A vote counts once.
err-commission-formed-already = The commission has already been formed with these members: { $by }, { $at }.
err-appeal-filed-already = This appeal has already been filed: №{ $id }, { $at }. It is not filed again.
err-appeal-time-confirmed-already = The time of the dispute of appeal №{ $id } was already confirmed by the chief expert { $by } { $at }.
err-appeal-refused-late-already = Appeal №{ $id } has already been refused automatically: the time of the dispute was not confirmed by { $deadline } (R-APL-3).
err-appeal-conflict-declared-already = You already declared a conflict of interest in appeal №{ $id } ({ $at }) and do not take part in it.
err-appeal-voted-already = Your vote on appeal №{ $id } is already counted: { $vote ->
    [yes] uphold
   *[no] reject
} ({ $at }). To change it, press "Change vote" on the appeal's card.
err-appeal-decided-already = Appeal №{ $id } was already decided { $at }: { $decision ->
    [upheld] the appeal was upheld
   *[rejected] the appeal was rejected
} ({ $role ->
    [deputy] deputy chair of the commission
   *[chair] chair of the commission
} { $by }). The decision is final (R-APL-8).
err-appeal-form-old = This button belongs to another, older form. Open the current one: /appeal, /dispute or /commission.
err-dispute-draft-cancelled = This draft was cancelled — nothing was put to a vote. Start again: /dispute.
err-decision-not-confirming = The decision was not recorded: its confirmation was cancelled or is outdated. To record a decision, open the appeal and press "Record the decision".

apl-frm-draft-found = <b>You have an unfinished appeal</b>
    Participant: { $target }
    Filled in: { $filled } of { $total }. Everything you entered is saved.
apl-frm-btn-continue = ▶️ Continue
apl-frm-btn-restart = 🔄 Start again
apl-btn-change-vote = Change vote to "{ $uphold ->
    [yes] uphold
   *[no] reject
}"
apl-dsp-btn-change = ✏️ Change
apl-dec-wait-confirm = The decision is not recorded yet: press "Confirm", "Change" or "Cancel" below it.
apl-dsp-wait-confirm = Press "Put to a vote", "Change" or "Cancel" below the draft.
