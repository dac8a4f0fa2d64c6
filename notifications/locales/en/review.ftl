## Reviewing one's own marks before confirming (issue #16)

rev-title = <b>Review of marks: { $target }</b>
rev-section = Subcriterion <b>{ $code }</b> { $title }
rev-section-part = Subcriterion <b>{ $code }</b> { $title } (part { $part } of { $parts })
rev-empty = No aspect of this participant is assigned to you.
rev-line = { $code } { $title } — <b>{ $mark }</b>
rev-line-missing = ⏳ { $code } { $title } — not scored
rev-line-stale = ⚠️ { $code } { $title } — to be scored again (the group's marks: { $marks }; your previous one: { $mark })
rev-hint-edit = Press an aspect to change your mark. Until you confirm, any mark can be corrected.
rev-all-done = ✅ All your aspects for this participant are scored. Check your marks before confirming.
rev-read-only-confirmed = 🔒 You have confirmed your marks — this is a view only. A mark can now be changed only on re-scoring or through a correction.
rev-read-only-locked = 🔒 The chief expert has locked the scores — this is a view only.
rev-sheet-complete = Every participant is scored — you can confirm your marks.
rev-btn-cell = { $code }: { $mark } ✏️
rev-btn-cell-missing = { $code }: — ✏️
rev-btn-back = ⬅️ To the list of participants
rev-btn-to-review = ⬅️ Back to the review
rev-btn-review = 🔎 Review this participant's marks
rev-btn-review-target = 🔎 { $target } · { $scored }/{ $total }
rev-item-tie = ⚠️ A new vote is needed: the group's votes are split evenly. Your previous mark: { $current }.
rev-group-marks = The group's marks: { $marks }.
sco-saved-waiting = Saved. Waiting for the other experts of the group to score this aspect again.
