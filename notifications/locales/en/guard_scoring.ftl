# Scoring and protocols: a decision happens once, prompts can be left (issue #12)

## Refusals for the loser of a race: what already happened, who and when
err-scheme-locked-by = The scheme is already locked: { $who }, { $at }. A locked scheme does not change (R-SCH-3).
err-scores-locked-by = The scores are already locked: { $who }, { $at }. A score changes only through a correction (R-SCO-6).
err-group-exists = A group of these four experts already exists: { $group } ({ $at }).
err-subcriterion-already-assigned = Subcriterion { $sub } is already assigned to group { $group }.
err-allowance-pending = The allowance was already asked { $at }: { $voted } of { $asked } answered. Wait for the answers; to start over, designate the mentor again.
err-allowance-already-voted = You already voted { $at }: { $allow ->
    [yes] "allow"
   *[no] "do not allow"
}. A vote does not change.
err-sheet-already-confirmed = You already confirmed your scores { $at }.
err-mentor-sheet-already-confirmed = You already confirmed this sheet { $at }.
err-correction-already-open = There is already correction No. { $id } of this sheet and subcriterion: opened by { $who } { $at } — { $status ->
    [approval] waiting for the signers' approval
    [open] unlocked for corrections
   *[signing] corrected and waiting for signatures
}.
err-correction-already-signed = You already signed correction No. { $id } { $at }.
err-correction-closed = Correction No. { $id } { $status ->
    [open] is already approved by everyone and unlocked for corrections — nothing to sign now
    [done] is already finished: the corrected sheet is signed by everyone
   *[cancelled] was cancelled
}.
err-correction-relocked = Correction No. { $id } was already locked again { $at } ({ $who }); the signers received the corrected sheet.
err-protocol-already-signed = You already signed the protocol "{ $title }" (this version) { $at }.
err-protocol-already-refused = You already refused to sign the protocol "{ $title }" (this version) { $at }. Reason: { $why }. To sign after all, press "Sign after all" under the refusal message.
err-guard-draft-lost = The draft was not found (outdated or already applied) — nothing was changed. Please start again.

## Show the answer back before it is applied (R-SCO-6, R-PRO-2)
sco-corr-reason-check = Reason for the correction:
    "{ $reason }"

    Check it: once confirmed, the correction goes for approval to the chief expert, the mentor and the assessment group.
pro-refuse-check = Reason for refusing to sign the protocol "{ $title }" (version { $version }):
    "{ $reason }"

    Check it: once confirmed, the chief expert will see it.
pro-btn-resign = ✍️ Sign after all
pro-refused-recorded = Refusal recorded: protocol "{ $title }", version { $version }. The chief expert will see your reason. If you change your mind, press "Sign after all" below.
