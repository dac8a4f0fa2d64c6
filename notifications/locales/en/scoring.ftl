## Scoring (R-SCH-1…4, R-SCO-1…7): experts, the chief expert, mentor experts

cmd-scoring = Scoring: score sheets, locking, corrections
cmd-scheme = Load a scoring scheme (chief expert)
help-expert =
    <b>For experts</b>
    /scoring — your score sheets: score participants, confirm your marks; for mentors — your participant's score sheet
    /scheme — for the chief expert: load a scoring scheme (YAML or XLSX)
    /protocols — for the chief expert: nomination protocols, who has not signed, refusals
    /dispute — for the chief expert: put the resolution of a dispute to a vote of the venue's experts
    /appeal — for a mentor expert: file an appeal for your participant

sco-no-schemes = You do not take part in scoring any nomination. If this is a mistake, contact the chief expert.
sco-choose-scheme = Choose a scoring scheme:
sco-menu-title = <b>Scoring: { $title }</b> · { $stage }
sco-state-draft = The scheme has not been locked by the chief expert yet — scoring is not possible yet.
sco-state-scheme-locked = The scheme is locked; scoring is under way.
sco-state-scores-locked = The scores have been locked by the chief expert.

sco-btn-my-sheet = 📝 My score sheets
sco-btn-mentor-sheets = 👤 My participant's score sheet
sco-btn-chief = ⚙️ Manage scoring
sco-btn-progress = 📊 Scoring progress
sco-btn-back = « Back to the participants
sco-btn-confirm = ✅ Confirm my marks
sco-btn-confirm-yes = Yes, confirm my marks
sco-btn-cancel = Cancel
sco-btn-continue = Continue scoring
sco-btn-rescore = Score again
sco-btn-open-sheet = Open the score sheet
sco-btn-mentor-confirm = ✅ I confirm the score sheet
sco-btn-allow = I allow it
sco-btn-deny = I do not allow it
sco-btn-correction = Open a correction

sco-kind-judgement = judgement mark 0–3
sco-kind-binary = measurable: yes/no
sco-kind-discrete = measurable: by table
sco-yes = Yes
sco-no = No
sco-status-competence_manager = (competition manager)
sco-status-mentor = (mentor)
sco-status-industrial = (industry)
sco-status-methodist = (methodologist)
sco-state-incomplete = not all marks
sco-state-scored = scored
sco-state-rescore = ⚠️ spread over 1 — re-scoring
sco-state-tie = ⚠️ votes split — re-vote

sco-worklist-title = <b>Score sheets: { $title }</b>
sco-progress = Scored { $scored } of { $total }.
sco-worklist-confirmed = ✅ You have confirmed your marks.
sco-worklist-empty = No participants to score yet: the chief expert has not drawn up the list.
sco-item-target = <b>{ $target }</b>
sco-item-subcriterion = Sub-criterion { $subcriterion }
sco-item-aspect = Aspect <b>{ $code }</b> { $title }
sco-item-kind = { $kind }, up to { $points } { $points ->
    [one] point
   *[other] points
}
sco-judgement-scale = 0 — below requirements, 1 — meets them, 2 — exceeds them to some extent, 3 — excellent.
sco-item-rescore = ⚠️ Re-scoring needed: the group's marks diverged. Your previous mark: { $current }.
sco-item-current = Your mark: { $current }. Press another one to change it.
sco-saved = Saved.
sco-saved-rescore = Saved. ⚠️ The group's marks for this aspect differ by more than 1 — the aspect must be scored again; the group has been notified.
sco-saved-tie = Saved. ⚠️ The group's votes are split evenly — that is not a result; the group votes again.
sco-confirm-ask =
    Confirm your marks under the scheme «{ $title }»? Marks in all: { $scored }.
    After confirming, a mark can be changed only on re-scoring or through a correction.
sco-confirmed = ✅ Marks confirmed. The chief expert will see this in the scoring progress.

sco-mentor-title = Your participant's score sheets (available after the scores are locked):
sco-sheet-title = <b>Score sheet: { $target }</b>
sco-sheet-total = <b>Total: { $total }</b>
sco-mentor-confirmed-at = ✅ You have confirmed this score sheet.
sco-mentor-confirmed = ✅ Score sheet confirmed. The chief expert has been notified.
sco-allow-voted = Your vote is counted: { $allow ->
    [yes] I allow it
   *[no] I do not allow it
}. { $outcome ->
    [allowed] All experts allowed it — the mentor may score their participant.
    [denied] Permission not given: the mentor does not score their participant.
   *[waiting] Waiting for the other experts' votes.
}

sco-chief-title = <b>Chief expert: { $title }</b> · { $stage }
sco-chief-scheme = Scheme: criteria — { $criteria }, aspects — { $aspects }, total — { $total } ({ $kinds }).
sco-chief-targets = Participants in the scoring list: { $count }.
sco-chief-locked = 🔒 Scheme locked { $at }.
sco-chief-not-locked = The scheme is not locked: it can be replaced by sending a file with the /scheme command.
sco-chief-scores-locked = 🔒 Scores locked { $at }.
sco-chief-groups = Scoring groups:
sco-chief-group = • { $code } «{ $name }»: experts — { $size }; sub-criteria: { $subcriteria }
sco-chief-unassigned = ⚠️ Sub-criteria without a scoring group: { $codes }.
sco-btn-new-group = ➕ Create a scoring group
sco-btn-assign = Assign sub-criteria to groups
sco-btn-build-targets = Draw up the list of participants
sco-btn-mentors = Mentor experts
sco-btn-lock-scheme = 🔒 Lock the scheme
sco-btn-lock-scores = 🔒 Lock the scores
sco-btn-corrections = Score corrections
sco-btn-yes-lock = Yes, lock
sco-lock-scheme-ask = Lock the scoring scheme? Once locked, the scheme cannot be changed (R-SCH-3); the date and time of locking will be recorded in the protocol.
sco-scheme-locked = 🔒 Scheme locked { $at }. The experts can score.
sco-lock-scores-ask = Lock the scores under the scheme «{ $title }» (participants: { $targets })? Once locked, a mark can be changed only through a correction signed by everyone (R-SCO-6).
sco-scores-locked = 🔒 Scores locked. Mentors have been sent their participants' score sheets: { $mentors }.
sco-targets-built = Added to the scoring list: { $added }.
sco-group-pick = Tick exactly four experts for the scoring group (ticked: { $count }). The first one ticked becomes the group leader.
sco-btn-create-group = Create the group ({ $count } of 4)
sco-group-created = Scoring group { $code } created: experts — { $size }. Now assign sub-criteria to it.
sco-assign-pick-sub = Choose a sub-criterion (its group is on the right):
sco-assign-pick-group = Which group scores this sub-criterion?
sco-assign-no-groups = Create a scoring group first.
sco-assigned = Sub-criterion { $sub } assigned to group { $group }.
sco-no-targets = There are no participants in the scoring list yet. Press «Draw up the list of participants».
sco-mentors-title = Participants and their mentor experts (a mentor does not score their own participant, R-ROLE-3):
sco-mentor-pick = Choose the participant's mentor expert:
sco-btn-no-mentor = No mentor
sco-btn-ask-allowance = Ask the experts: allow the mentor to score
sco-mentor-set = Mentor assigned.
sco-mentor-cleared = Mentor removed.
sco-allow-asked = The question has been sent to the competition's experts: { $count }. Permission applies only if all of them answer «I allow it».

sco-progress-title = <b>Scoring progress: { $title }</b> · participants: { $targets }
sco-progress-groups = Groups (aspects with a group result):
sco-progress-group = • { $code } «{ $name }»: { $scored } of { $total }
sco-progress-experts = Experts:
sco-progress-expert = • { $name }: { $scored } of { $total }{ $confirmed ->
    [yes] , ✅ confirmed
   *[no] , not confirmed
}
sco-progress-flagged = ⚠️ Waiting for re-scoring: { $count }
sco-progress-locked = 🔒 Scores locked.
sco-progress-mentors = Mentors who have not confirmed their score sheets yet: { $names }
sco-progress-corrections = Corrections in progress: { $count }

sco-corr-title = <b>Correction No. { $id }</b>: { $target }, sub-criterion { $subcriterion }
sco-corr-reason = Reason: { $reason }
sco-corr-status-approval = Status: waiting for all signers to agree — then the sub-criterion will be unlocked.
sco-corr-status-open = Status: the sub-criterion is unlocked; the chief expert is making corrections.
sco-corr-status-signing = Status: the corrections are made and locked; the signers are checking the corrected score sheet.
sco-corr-status-done = Status: correction completed.
sco-corr-status-cancelled = Status: cancelled.
sco-corr-short-approval = approval
sco-corr-short-open = correcting
sco-corr-short-signing = signing
sco-corr-short-done = completed
sco-corr-short-cancelled = cancelled
sco-corr-approved = Agreed: { $done } of { $total }.
sco-corr-confirmed = Signed the corrected score sheet: { $done } of { $total }.
sco-corr-list = Corrections: { $count }.
sco-btn-new-correction = ➕ Open a correction
sco-corr-pick-target = Whose score sheet needs correcting?
sco-corr-pick-sub = Which sub-criterion?
sco-corr-ask-reason = Describe the reason for the correction in one message (all signers will see it):
sco-corr-opened = Correction No. { $id } is open. A request has been sent to the signers: { $count }.
sco-btn-sign-correction = ✍️ I agree with the correction
sco-btn-sign-corrected = ✍️ I sign the corrected score sheet
sco-btn-relock = 🔒 Lock the corrected score sheet
sco-btn-correct-aspect = Correct { $code }
sco-btn-correct-mark = { $expert }: { $value }
sco-corr-pick-mark = Aspect { $code } { $title }: whose mark should be corrected?
sco-corr-pick-value = { $expert }'s mark for aspect { $code } ({ $kind }): { $current }. The new mark:
sco-corr-mark-saved = Correction saved ({ $state }).
sco-corr-signed = ✍️ Signature saved.
sco-corr-relocked = 🔒 The corrected score sheet is locked; the signers are checking it.

sco-scheme-send = Send the scoring scheme file: YAML or Excel (XLSX). Samples: examples/scheme.yaml and examples/scheme.xlsx.
sco-scheme-need-file = A scoring scheme file (YAML or XLSX) is needed. Send it as a document.
sco-scheme-too-large = The file is too large — a scoring scheme takes at most 4 MB.
sco-scheme-loading = ⏳ Checking the scoring scheme…
sco-scheme-loaded = ✅ Scoring scheme loaded: criteria — { $criteria }, aspects — { $aspects }, scoring groups — { $groups }. Check the groups and lock the scheme.
sco-scheme-unchanged = This scheme is already loaded — nothing has changed (criteria — { $criteria }, aspects — { $aspects }).

## Notifications (through the outbox)
sco-note-rescore = ⚠️ «{ $scheme }»: the group's marks for aspect { $aspect } ({ $target }) differ by more than 1 ({ $marks }). Score the aspect again (R-SCO-1).
sco-note-tie = ⚠️ «{ $scheme }»: the group's votes for aspect { $aspect } ({ $target }) are split ({ $marks }). Vote again (R-SCO-2).
sco-note-allowance-ask = «{ $scheme }»: the chief expert asks whether you allow the mentor expert of participant { $target } to score their own participant. Permission applies only if all the competition's experts agree unanimously.
sco-note-allowance-allowed = All experts allowed the mentor of participant { $target } to score their own participant.
sco-note-allowance-denied = Permission not given: the mentor of participant { $target } does not score their own participant.
sco-note-mentor-sheet = 🔒 «{ $scheme }»: the scores are locked. Check the score sheet of your participant { $target } and confirm it.
sco-note-mentor-confirmed = The mentor has confirmed the score sheet of participant { $target }.
sco-note-correction-approve = ✍️ The chief expert has opened a correction of the score sheet { $target }, sub-criterion { $subcriterion }. Reason: { $reason }. Your agreement is needed.
sco-note-correction-open = All signers have agreed to the correction ({ $target }): the sub-criterion is unlocked; make the corrections.
sco-note-correction-confirm = ✍️ The corrections to the score sheet { $target } (sub-criterion { $subcriterion }) are made and locked. Check and sign the corrected score sheet.
sco-note-correction-done = ✅ The correction to the score sheet { $target } has been signed by everyone.

## Refusals
err-not-chief = Only the chief expert of this nomination can do this.
err-not-expert = This is available only to the contest's experts.
err-not-group-member = You are not in any scoring group of this scheme.
err-not-in-scheme = You do not take part in scoring under this scheme.
err-scheme-not-found = Scoring scheme not found.
err-target-not-found = The participant is not in the scoring list.
err-aspect-not-found = The aspect is not in this scheme.
err-subcriterion-not-found = Sub-criterion not found.
err-group-not-found = Scoring group not found.
err-scheme-already-locked = The scheme was already locked { $at }.
err-scheme-not-locked = The scoring scheme has not been locked by the chief expert yet — scoring is not possible yet (R-SCH-3).
err-subcriteria-without-group = The scheme cannot be locked: the sub-criteria { $codes } have no scoring group (R-SCH-4).
err-scores-locked = The scores have already been locked by the chief expert. A mark can be changed only through a correction (R-SCO-6).
err-scores-already-locked = The scores are already locked.
err-scores-not-locked = Score sheets open after the chief expert locks the scores (R-SCO-5).
err-group-size = A scoring group must have exactly { $size } { $size ->
    [one] expert
   *[other] different experts
}, but { $count } { $count ->
    [one] is
   *[other] are
} chosen (R-SCH-4).
err-group-member-not-expert = Only active experts of the contest can be included in a scoring group.
err-leader-not-member = The group leader must be one of its members.
err-subcriterion-has-marks = This sub-criterion already has marks — its group cannot be changed.
err-not-a-mentor = This expert does not have mentor expert status.
err-mentor-has-participant = This mentor already represents another participant (R-ROLE-3).
err-no-mentor = The participant has no mentor expert.
err-not-a-voter = You were not asked about this permission.
err-already-voted = You have already voted.
err-mentor-conflict = You are this participant's mentor expert and do not score them: the competition's experts did not unanimously allow it (R-ROLE-3).
err-not-your-aspect = This aspect is scored by another scoring group.
err-no-open-correction = There is no unlocked correction for this score sheet.
err-evaluation-closed = The scoring deadline passed at { $deadline } — marks are no longer accepted (R-APP-7).
err-mark-out-of-range = Invalid mark: values from 0 to { $high } are allowed.
err-sheet-confirmed = You have already confirmed your marks — they can be changed only on re-scoring or through a correction.
err-sheet-incomplete = You cannot confirm yet: aspects not scored — { $missing } (all aspects are scored, R-SCO-4).
err-no-targets = There are no participants in the scoring list.
err-already-confirmed = You have already confirmed.
err-cannot-lock-scores = The scores cannot be locked yet: without a group result — { $unscored }, waiting for re-scoring — { $flagged }, experts who have not confirmed their marks — { $unconfirmed }.
err-not-your-participant = The score sheet is available only to this participant's mentor expert and the chief expert (R-SCO-5).
err-correction-in-progress = A correction of this score sheet is in progress — confirm it after the correction is completed.
err-correction-not-found = Correction not found.
err-not-a-signer = You are not a signer of this correction.
err-results-published = The results have already been published — a correction is not possible.
err-correction-exists = There is already an unfinished correction for this score sheet and sub-criterion.
err-correction-not-signable = This correction does not need signing now.
err-already-signed = You have already signed.
err-correction-not-open = The correction is not unlocked.
err-correction-unresolved = Cannot lock: aspects without a group result — { $count }.
err-no-next-stage-scheme = The next stage of this nomination has no scoring scheme yet — load it first.
err-no-contests = There are no contests.
sco-mentor-allowed = (allowed to score)
def-err-duplicate-scheme = { $place }: a scoring scheme for this nomination and stage is already given above.

## Results (coordinator; R-RES-1, R-APP-8)
sco-btn-results = 🏅 Results
sco-btn-export = 📥 Export score sheets and results to Excel
sco-btn-promote = ➡️ Move the winners to the federal stage
sco-btn-promote-yes = Yes, move them
sco-results-not-locked = Results will be available after the chief expert locks the scores (R-SCO-5). For now, the scoring progress is available.
sco-results-title = <b>Results: { $title }</b> (not published until the award ceremony, R-RES-2)
sco-results-line = { $place }. { $label } — { $total } { $medal }
sco-medal-gold = 🥇 gold
sco-medal-silver = 🥈 silver
sco-medal-bronze = 🥉 bronze
sco-advances = → federal stage
sco-promote-ask = Move the applications of the regional stage winners ({ $count }) to the scoring list of the federal stage? The materials are not uploaded again (R-APP-8).
sco-promoted = ✅ Added to the scoring list of the next stage: { $count }.
sco-export-ready = Score sheets and results: «{ $title }».
sco-btn-briefing = 📄 Task familiarisation protocol
sco-briefing-issued = The protocol of familiarisation with the contest task is drawn up: the participants will get it for signing in the chat.
sco-lock-late = ⚠️ The scheme is to be locked at least 2 days before the stage starts ({ $start }) (R-SCH-3); the lock will be recorded with its actual date and time.
