## Disputes: pre-appeal review and appeals (R-APL-1…9, R-REM-4)

apl-btn-for = 👍 For
apl-btn-against = 👎 Against
apl-btn-confirm-time = I confirm the time of the dispute
apl-btn-open = Open the appeal

apl-note-pre-vote = 🗳 «{ $scheme }»: the chief expert puts the resolution of a dispute to a vote.
    Situation: { $situation }
    Proposal: { $proposal }
    Penalties: { $penalty }
    Quorum — at least 80 % of the accredited experts; decision — more than half of the votes.
apl-note-pre-closed = Voting has ended: { $outcome ->
    [accepted] the proposal is accepted
    [rejected] the proposal is rejected
   *[no_quorum] no quorum — no decision taken
}. Proposal: { $proposal }. The protocol with the votes will come to those who voted for signing.
apl-note-confirm-time = ⚠️ Appeal No. { $id } ({ $target }): the dispute arose at { $dispute }, after 21:00. Confirm the time of the dispute — without it the appeal is not registered (R-APL-3).
apl-note-registered = 📨 Appeal No. { $id } ({ $target }) is registered. Decision — no later than { $decide_by }.{ $excluded ->
    [yes] {" "}You do not take part in the review: conflict of interest (the same organisation).
   *[no] {""}
}
apl-note-applicant-registered = ✅ Your appeal No. { $id } is registered. The commission will decide no later than { $decide_by }.
apl-note-extract = 📄 Extract from the appeals commission protocol on appeal No. { $id } ({ $target }): { $decision ->
    [upheld] the appeal is upheld
   *[rejected] the appeal is rejected
}. The commission's decision: «{ $text }».{ $penalty ->
    [yes] {" "}Points deducted: { $deduction }.
   *[no] {""}
}{ $disqualified ->
    [yes] {" "}The participant is disqualified.
   *[no] {""}
} The decision is final (R-APL-8).
apl-note-decide-today = ⏰ Appeals to decide today: { $count }. Deadline — { $decide_by } (R-APL-7).
apl-note-decide-alarm = 🚨 It is evening and appeals are still undecided: { $count }. Deadline — { $decide_by } (R-APL-7).
apl-note-extract-alarm = 🚨 The extract on appeal No. { $id } was not delivered within an hour of the decision (R-APL-8): not received by — { $missing }.

err-pre-appeal-not-found = Vote not found.
err-not-accredited = Only experts accredited at this competition's venue vote.
err-pre-appeal-closed = Voting has already ended.
err-no-accredited-experts = There are no accredited experts at the venue — nobody can vote.
err-federal-only = Only the federal coordinator can do this.
err-commission-composition = The appeals commission must have exactly { $size } { $size ->
    [one] person
   *[other] people
} — a chair, a secretary and three members; the contest file now has { $count } (R-APL-6).
err-commission-too-late = The commission is formed no later than 2 days before the stage begins (R-APL-6).
err-not-commission-member = This is available only to members of the appeals commission.
err-appeal-kind-not-accepted = The commission accepts only three kinds of violation: a violation of the scoring procedure; an unfair advantage; a violation of procedures that led to removal from a task, being marked «out of competition» or losing points (R-APL-5). Other matters are settled in the pre-appeal review.
err-appeal-field-missing = A field of the appeal is not filled in: { $field ->
    [applicant_name] applicant's full name
    [applicant_category] applicant's category
    [contacts] applicant's contacts
    [place] place of the violation
    [violators] who committed the violation
    [witnesses] witnesses of the violation
    [description] description with references to the violated provisions
    [demands] applicant's demands
    [evidence] evidence (photos, videos or documents)
    [situation] description of the situation
    [proposal] proposal
    [decision_text] text of the decision
   *[other] { $field }
} (R-APL-4).
err-appeal-field-too-long = The text is too long: at most { $limit } { $limit ->
    [one] character
   *[other] characters
}.
err-appeal-too-much-evidence = Too many evidence files: at most { $limit }.
err-not-an-applicant = An appeal can be filed by the participant's mentor expert or the team representative of their region or, if there are none, by the head of the regional coordination centre (R-APL-2).
err-dispute-in-future = The time of the dispute cannot be in the future.
err-appeal-late = The deadline for filing an appeal passed at { $deadline } (R-APL-3). The appeal is not accepted.
err-appeal-not-found = Appeal not found.
err-appeal-time-already-confirmed = The time of this dispute is already confirmed.
err-appeal-decided = This appeal has already been decided — the decision is final (R-APL-8).
err-appeal-not-open = The appeal is not registered yet or has already been reviewed.
err-secretary-no-vote = The commission secretary does not vote (R-APL-6).
err-member-conflict = You do not review this appeal: conflict of interest (R-APL-6).
err-chair-only = The commission chair records the decision.
err-bad-deduction = A deduction is a number of points from 0 to 100 with up to two decimal places, for example 2,5.
err-penalty-needs-upheld = A points deduction or disqualification is possible only when the appeal is upheld.
apl-note-refused-late = ⛔ Appeal No. { $id } is not accepted: the chief expert did not confirm the time of the dispute before { $deadline } (R-APL-3).
help-commission =
    <b>For appeals commission members</b>
    /commission — the queue of appeals in order of registration, voting, decision (chair)
