## Issue #15: a vote closed without quorum (R-APL-1) and "what next" after an action of the chief
## expert and the experts — every result screen offers the next step and the way back.

## Quorum of the pre-appeal vote (R-APL-1): at least 80 % of the accredited experts
nxt-quorum-reached = Quorum reached: { $cast } of { $accredited } (needed { $needed }).
nxt-quorum-missing = No quorum yet: { $cast } of { $accredited }, needed { $needed } — { $missing } more { $missing ->
    [one] vote
   *[other] votes
}.
nxt-pre-no-quorum-ask = No quorum: { $cast } of { $accredited }, needed { $needed }. Close the vote without a decision?
err-pre-appeal-no-quorum = No quorum: { $cast } of { $accredited }, needed { $needed }. The vote is not closed — to close it without a decision, confirm that on the vote's card.

## Common buttons
nxt-btn-confirm = Confirm
nxt-btn-back = ⬅️ Back
nxt-btn-back-setup = ⬅️ To the setup
nxt-btn-back-menu = ⬅️ To scoring
nxt-btn-back-worklist = ⬅️ To my score sheets
nxt-btn-back-mentors = ⬅️ To the mentors
nxt-btn-back-corrections = ⬅️ To the corrections
nxt-btn-back-correction = ⬅️ To the correction
nxt-btn-back-results = ⬅️ To the results
nxt-btn-back-protocol = ⬅️ To the protocol
nxt-btn-back-protocols = ⬅️ To the protocols
nxt-btn-back-publication = ⬅️ To the publication
nxt-btn-back-summary = ⬅️ To the summary
nxt-btn-refresh = 🔄 Refresh

## The next setup step (chief expert)
nxt-btn-newgroup = Next: create a scoring group
nxt-btn-assign = Next: assign sub-criteria to groups
nxt-btn-build = Next: build the list of participants
nxt-btn-mentors = Next: appoint mentor experts
nxt-btn-lock = Next: lock the scheme
nxt-btn-progress = Next: scoring progress
nxt-btn-lockscores = Next: lock the scores
nxt-btn-protocols = Next: protocols to sign
nxt-btn-correction = Next: open the correction
nxt-btn-publication = Next: publication of the results
