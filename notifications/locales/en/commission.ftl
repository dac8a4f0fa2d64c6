## Appeal commission (R-APL-6): the stage it serves and the deputy chair; the decision
## (R-APL-9): a deduction from another participant, restored points.

doc-role-deputy = Deputy chair of the commission

cms-member = { $role ->
    [chair] Chair
    [deputy] Deputy chair
    [secretary] Secretary (no vote)
   *[member] Member
}: { $name }
cms-stage-line = Stage: { $stage } (starts { $starts })
cms-btn-reform = Change members or deputy
cms-choose-stage = <b>Appeal commission</b>
    Step 1 of 2. Which stage is the commission formed for? It is formed at least 2 days before the stage starts (R-APL-6).
cms-btn-stage = { $title } · { $starts }
cms-no-stages = The contest has no stages — there is nothing to form the commission for.
cms-choose-deputy = Step 2 of 2. Which member is the deputy chair? The deputy records the decision of an appeal the chair does not hear (same organisation, close relative).
cms-confirm = <b>Form the commission?</b>
    Stage: { $stage } (starts { $starts })
    Deputy chair: { $deputy }
cms-formed = ✅ Commission formed — stage «{ $stage }»:
cms-btn-back = Back to the commission
cms-cancelled = Cancelled, the commission is unchanged.

cms-card-decider = { $who ->
    [chair] The chair records the decision.
    [deputy] Deputy chair { $name } records the decision: the chair does not hear this case.
   *[none] ⚠️ Nobody can record the decision: the chair and the deputy do not hear this case. The coordinator must name another deputy.
}
cms-card-effects = { $restore ->
    [yes] {" "}Points restored to the appellant's participant: { $restored }.
   *[no] {""}
}{ $other ->
    [yes] {" "}The measures concern participant { $penalised }.
   *[no] {""}
}

cms-note-deputy-decides = 📌 Appeal №{ $id } ({ $target }): chair { $chair } does not hear it (conflict of interest). You record the decision as deputy chair (R-APL-6).
cms-note-no-decider = ⚠️ Nobody can decide appeal №{ $id } ({ $target }): chair { $chair } and deputy { $deputy } do not hear it (conflict of interest, R-APL-6). Name another member deputy: /commission → «Change members or deputy»; if nobody fits, replace people in the contest file.
cms-note-extract = 📄 Extract from the appeal commission's protocol, appeal №{ $id } ({ $target }): { $decision ->
    [upheld] the appeal is upheld
   *[rejected] the appeal is rejected
}. Decision: «{ $text }».{ $penalty ->
    [yes] {" "}Deducted from participant { $penalised }: { $deduction } { $deduction ->
    [one] point
   *[other] points
}.
   *[no] {""}
}{ $disqualified ->
    [yes] {" "}Participant { $penalised } is disqualified.
   *[no] {""}
}{ $restore ->
    [yes] {" "}Restored to participant { $target }: { $restored } { $restored ->
    [one] point
   *[other] points
}.
   *[no] {""}
} The decision is final.
cms-note-adjusted = ⚖️ Decision of the appeal commission (appeal №{ $id }), «{ $scheme }»: { $effect ->
    [restored] { $points } { $points ->
    [one] point
   *[other] points
} restored to you — a scoring error was in your disfavour.
    [deducted] { $points } { $points ->
    [one] point
   *[other] points
} deducted from you.
   *[none] {""}
}{ $disqualified ->
    [yes] {" "}You are disqualified.
   *[no] {""}
} Decision: «{ $text }». Totals and places are announced when the results are published.

cms-dec-btn-other = Deduction or disqualification — another participant…
cms-dec-btn-restore = Restore points to the appellant's participant
cms-dec-choose-other = Which participant of this competence gained an unfair advantage?
cms-dec-ask-deduction-other = Points deducted from { $who }: a number, e.g. 2.5 — at most { $most } ({ $locked ->
    [yes] their current total is { $current }
   *[no] they have { $current } now; the scores are not locked yet, the final total will not go below zero
}). To disqualify them only, with no deduction, send «0» and then press «Yes, disqualify».
cms-dec-ask-restore = How many points to restore to { $who }? A number, e.g. 1.5; the total cannot exceed the scheme's maximum (100 points).
cms-dec-after-restore = To be restored: { $points } { $points ->
    [one] point
   *[other] points
}. Also deduct points from or disqualify another participant who gained an advantage?
cms-dec-btn-no-other = No, to confirmation
cms-dec-no-others = This competence has no other participants.
cms-dec-confirm-other = The measures concern participant: { $who }.
cms-dec-confirm-restore = Restore to the appellant's participant: { $points } { $points ->
    [one] point
   *[other] points
}.

err-cms-stage-unknown = This stage is not in the contest or is disabled — pick a stage from the list.
err-cms-deputy-invalid = The deputy chair is one of the three voting members — not the chair, not the secretary (R-APL-6).
err-cms-stage-too-late = The commission for stage «{ $stage }» is formed at least 2 days before it starts ({ $starts }) (R-APL-6). Pick another stage.
err-cms-no-decider = Nobody can decide appeal №{ $id }: chair { $chair } and deputy { $deputy } do not hear it (R-APL-6). The coordinator has been told to name another deputy.
err-cms-deputy-decides = Deputy chair { $name } records the decision of this appeal: the chair does not hear it (R-APL-6).
err-cms-bad-restoration = A restoration is a number of points from 0 to 100 with two decimals, e.g. 1.5.
err-cms-deduction-below-zero = Cannot deduct { $points } { $points ->
    [one] point
   *[other] points
} from { $who }: they have { $current } now; a total cannot go below zero (R-APL-9).
err-cms-restore-over-max = Cannot restore { $points } { $points ->
    [one] point
   *[other] points
} to { $who }: they have { $current } now and the scheme's maximum is { $maximum }. At most { $most } can be restored (R-APL-9).
err-cms-penalised-not-in-scheme = This participant is not of the appeal's competence and stage.
err-cms-penalty-missing = Neither a deduction nor a disqualification is given for { $who }.
err-cms-restore-and-penalise-same = One decision cannot both restore points to the appellant's participant and penalise them: the measures concern different participants.

## issue #15 (QA): steps and result screens
cms-stages-too-late = Not listed — stages that have started or start in less than 2 days (the commission is formed at least 2 days before the start): { $stages }.
cms-no-formable-stages = There is no stage to form the commission for: each starts in less than 2 days or has started ({ $stages }). It is formed at least 2 days before its stage starts (R-APL-6).
cms-btn-open-case = Open appeal №{ $id }
cms-btn-queue = To the appeals queue
cms-conflict-ask = <b>Declare a conflict of interest for appeal №{ $id }?</b>
    You will not take part in deciding it: your vote, if any, is not counted. The declaration cannot be withdrawn (R-APL-6).
cms-dec-btn-keep-text = Keep this text
cms-dec-ask-text-again = The decision's text: the commission's reasoning. Now:
    «{ $text }»
    Send a new text or press «Keep this text».
cms-dec-penalty-hint = Choose «Yes, disqualify» or give a deduction above zero.
cms-dec-btn-change-deduction = Give the deduction again
err-cms-bad-deduction-other = The deduction from { $who } is a number of points from 0 to { $most } (they have { $current } now), at most two decimals, e.g. 2.5.
cms-note-deputy-named = 📌 You are named deputy chair of the appeal commission (stage «{ $stage }»). You record the decision of an appeal the chair does not take part in (conflict of interest, R-APL-6). { $count ->
    [0] There is no such appeal now.
   *[other] Waiting for your decision now: { $ids } — open /commission.
}
cms-note-decider-restored = ✅ Appeal №{ $id } ({ $target }) can be decided again: the decision is recorded by { $role ->
    [deputy] the deputy chair
   *[chair] the chair
} { $name }.
