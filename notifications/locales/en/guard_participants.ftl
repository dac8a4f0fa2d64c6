# Issue #12: participants and coordinators — what already happened, stale buttons, prompts

## Who decided (in "already done" refusals)

err-already-decided = The decision has already been made: { $outcome ->
        [accepted] confirmed
       *[rejected] rejected
    } { $by ->
        [you] by you
        [named] by coordinator { $name }
       *[other] by another coordinator
    }, { $at }.{ $outcome ->
        [accepted] {""}
       *[rejected] { " " }Reason: { $reason }
    }
err-already-reopened = The application has already been returned for rework { $by ->
        [you] by you
        [named] by coordinator { $name }
       *[other] by another coordinator
    }, { $at }.
err-participant-withdrawn = The participant withdrew their consent to personal data processing ({ $at }): participation has ended, the action is not available.
err-form-not-submitted = The form has not been sent for checking yet — there is nothing to decide.
err-form-resubmitted = The participant corrected the form and sent it again { $at } — open the card again and check the new version.
err-form-already-submitted = The form was already sent for checking { $at }. Please wait for the coordinator's decision.
err-application-already-submitted = The application was already sent { $at }. It can only be changed through the coordinator.
err-already-withdrawn = Consent was already withdrawn { $at }: participation has ended, your personal data have been deleted.
err-reason-draft-stale = This rejection reason is no longer valid. Open the participant's card and press "Reject" again.

## Rejection reason: shown back and confirmed

coord-reason-confirm = Reject participant { $name }?
    Reason (the participant will see it): "{ $reason }"
coord-reason-empty = The reason cannot be empty — write it in one message.
