## Disputes in the chat: /dispute (pre-appeal vote), /appeal (appeal), /commission
## (appeals commission). Notifications and refusal texts are in appeals.ftl.

apl-kind-scoring-procedure = Violation of the scoring procedure
apl-kind-unfair-advantage = Unfair advantage over other participants
apl-kind-removed-from-task = Violation of procedures that led to removal from a task («out of competition», loss of points)
apl-kind-other = Other

apl-left = { $hours } h { $minutes } min
apl-btn-cancel = Cancel
apl-cancelled = Cancelled. Nothing has been saved.

## /dispute — the chief expert puts the resolution of a dispute to a vote (R-APL-1)

apl-dsp-choose-scheme = Choose the nomination in which you are the chief expert:
apl-dsp-ask-situation = <b>Pre-appeal review · { $title }</b>
    Step 1 of 3. Describe the disputed situation: what happened, when, and whom it concerns.
apl-dsp-ask-proposal = Step 2 of 3. Propose a resolution for the experts to support or reject.
apl-dsp-ask-penalty = Step 3 of 3. Penalties, if any are proposed (for example, «deduct 1 point from participant No. 2»). If there are none, send «-».
apl-dsp-need-text = Send your answer as text.
apl-dsp-confirm = <b>Put it to a vote?</b>
    Situation: { $situation }
    Proposal: { $proposal }
    Penalties: { $penalty }
    The experts accredited at the venue vote. Quorum — at least 80 % of them; decision — more than half of the votes.
apl-dsp-btn-open = Put to a vote
apl-dsp-opened = 🗳 Vote No. { $id } is open: the experts accredited at the venue ({ $count }) have been sent «For» and «Against» buttons.
apl-dsp-voted = ✅ Your vote is counted.
apl-dsp-card = <b>Vote No. { $id }</b>
    Situation: { $situation }
    Proposal: { $proposal }
    Penalties: { $penalty }
    Accredited experts: { $accredited }; voted: { $cast } (for — { $yes }, against — { $no }).
    { $status ->
        [voting] Voting is under way. { $quorum }
        [accepted] Result: the proposal is accepted.
        [rejected] Result: the proposal is rejected.
       *[no_quorum] Result: no quorum — no decision taken.
    }
apl-dsp-btn-close = Close the vote
apl-dsp-closed = Voting has ended. The protocol with the votes has been sent to those who voted for signing.

## /appeal — appeal (R-APL-2…5)

apl-frm-choose-target = <b>Appeal</b>
    Choose the participant the appeal concerns:
apl-frm-choose-kind = Participant: { $target }
    Choose the kind of violation. The commission accepts only three kinds (R-APL-5):
apl-frm-ask-dispute_at = When did the disputed situation arise? Send the date and time as DD.MM.YYYY HH:MM, for example 12.05.2027 15:30 ({ $zone } time).
apl-frm-ask-place = Where did the violation happen (venue, room, workstation)?
apl-frm-ask-violators = Who committed the violation: full name and (or) category, contacts.
apl-frm-ask-witnesses = Who witnessed it: full name and (or) category, contacts. If there were no witnesses, say so.
apl-frm-ask-description = Describe the disputed situation with references to the provisions of the regulations that you believe were violated.
apl-frm-ask-demands = Your demands: what you ask the commission to decide.
apl-frm-ask-applicant_name = Your full name (applicant).
apl-frm-ask-applicant_category = Your category (for example, mentor expert or head of the regional coordination centre).
apl-frm-ask-contacts = Your contacts: phone, email.
apl-frm-ask-evidence = Send the evidence — photos, videos or documents (several messages are fine). When you have sent everything, press «Done».
apl-frm-bad-datetime = I did not understand the date and time. The format is DD.MM.YYYY HH:MM, for example 12.05.2027 15:30.
apl-frm-deadline = The deadline for filing the appeal is { $deadline }, { $left } left (R-APL-3).
apl-frm-needs-chief = The dispute arose after 21:00: the chief expert must confirm its time — once confirmed, the appeal will be registered. The filing deadline is 12:00 the next day.
apl-frm-need-text = Send your answer as text.
apl-frm-need-file = Send a photo, video or document — or press «Done».
apl-frm-file-added = File added ({ $count }). Send more or press «Done».
apl-frm-btn-done = Done
apl-frm-kept = Everything you entered is saved: correct the field you need with a button below or choose another option.
apl-frm-review = <b>Check the appeal</b>
    Participant: { $target }
    Kind of violation: { $kind }
    Date and time of the dispute: { $dispute }
    Place: { $place }
    Violators: { $violators }
    Witnesses: { $witnesses }
    Description: { $description }
    Demands: { $demands }
    Applicant: { $applicant_name }, { $applicant_category }; contacts: { $contacts }
    Evidence: files — { $evidence }
apl-frm-btn-submit = File the appeal
apl-frm-btn-edit = Change: { $field }
apl-frm-field-kind = kind of violation
apl-frm-field-dispute_at = date and time of the dispute
apl-frm-field-place = place
apl-frm-field-violators = violators
apl-frm-field-witnesses = witnesses
apl-frm-field-description = description
apl-frm-field-demands = demands
apl-frm-field-applicant_name = applicant's full name
apl-frm-field-applicant_category = applicant's category
apl-frm-field-contacts = contacts
apl-frm-field-evidence = evidence
apl-frm-filed-registered = ✅ Appeal No. { $id } was filed { $filed } and is registered. The commission will decide no later than { $decide_by }.
apl-frm-filed-awaiting = 📨 Appeal No. { $id } was filed { $filed }. The dispute arose after 21:00, so the chief expert must confirm its time — then the appeal will be registered (deadline — { $deadline }).
apl-time-confirmed = ✅ The time of the dispute is confirmed. Appeal No. { $id } is registered; decision — no later than { $decide_by }.

## /commission — appeals commission (R-APL-6…9)

apl-cms-title = <b>Appeals commission</b>
apl-cms-not-formed = The commission has not been formed yet. The federal coordinator forms it no later than 2 days before the stage begins: exactly five people from the contest file.
apl-cms-member = { $role ->
    [chair] Chair
    [secretary] Secretary (no vote)
   *[member] Commission member
}: { $name }
apl-cms-btn-form = Form the commission
apl-cms-formed = ✅ The commission is formed:
apl-cms-queue = <b>Appeals queue</b> (in order of registration): { $count }
apl-cms-queue-empty = There are no registered appeals awaiting a decision.
apl-cms-queue-item = No. { $id } · { $target } · decision by { $decide_by }
apl-card = <b>Appeal No. { $id }</b> · { $status ->
        [awaiting_time] waiting for the chief expert to confirm the time of the dispute
        [registered] registered, awaiting a decision
       *[decided] decided
    }
    Participant: { $target }
    Kind of violation: { $kind }
    Applicant: { $applicant_name }, { $applicant_category } ({ $role ->
        [mentor] mentor expert
        [team_representative] team representative
       *[regional_head] head of the regional coordination centre
    }); contacts: { $contacts }
    Dispute: { $dispute }; place: { $place }
    Violators: { $violators }
    Witnesses: { $witnesses }
    Description: { $description }
    Demands: { $demands }
    Evidence: files — { $evidence }
    Filed: { $filed }; filing deadline — { $deadline }
    Registered: { $registered }; decision — no later than { $decide_by }
    Votes: uphold — { $uphold }, reject — { $reject }
    Not taking part (conflict of interest): { $excluded }
apl-card-decision = Decision: { $decision ->
    [upheld] the appeal is upheld
   *[rejected] the appeal is rejected
}. { $text } Points deducted: { $deduction }.{ $disqualified ->
    [yes] {" "}The participant is disqualified.
   *[no] {""}
}
apl-btn-uphold = Uphold
apl-btn-reject = Reject
apl-btn-conflict = Conflict of interest
apl-btn-evidence = Evidence ({ $count })
apl-btn-decide = Record the decision
apl-voted = ✅ Vote counted: { $uphold ->
    [yes] uphold
   *[no] reject
}.
apl-conflict-declared = You have declared a conflict of interest and do not take part in reviewing appeal No. { $id }.
apl-evidence-item = Evidence { $n } of { $count } for appeal No. { $id }
apl-dec-choose = <b>Decision on appeal No. { $id }</b>
    Choose the decision:
apl-dec-btn-upheld = Uphold the appeal
apl-dec-btn-rejected = Reject the appeal
apl-dec-ask-text = Text of the decision: the commission's reasoning.
apl-dec-ask-deduction = Points to deduct from the participant: a number, for example 2,5 (at most 100, two decimal places). No deduction — «0».
apl-dec-ask-disqualify = Disqualify the participant?
apl-dec-btn-dq = Yes, disqualify
apl-dec-btn-nodq = No
apl-dec-need-text = Send your answer as text.
apl-dec-confirm = <b>Record the decision on appeal No. { $id }?</b>
    { $decision ->
        [upheld] The appeal is upheld.
       *[rejected] The appeal is rejected.
    }
    { $text }
    Points deducted: { $deduction }. Disqualification: { $disqualified ->
        [yes] yes
       *[no] no
    }.
    ⚠️ The decision is final: it cannot be changed (R-APL-8). The extract will go to the applicant and the chief expert.
apl-dec-btn-ok = Record as final
apl-dec-recorded = ✅ The decision on appeal No. { $id } is recorded. It is final; the extract is being sent to the applicant and the chief expert, and the protocol to the chair for signing.

err-appeal-form-expired = This form is out of date. Start again: /appeal, /dispute or /commission.
