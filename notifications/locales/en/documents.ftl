## Printed documents (R-PRO-1…3, R-RES-3): protocols, certificates, diplomas, letters of thanks

doc-kind-scheme_lock = Protocol of locking the scoring scheme
doc-kind-task_briefing = Protocol of familiarisation with the contest task
doc-kind-score_lock = Protocol of locking the scores
doc-kind-mentor_sheet = Protocol of the mentor expert's confirmation of the score sheet
doc-kind-correction = Protocol of score corrections
doc-kind-results = Protocol of the results of the expert commission's work
doc-kind-pre_appeal = Protocol of the pre-appeal decision
doc-kind-appeal = Protocol of the appeals commission's decision

doc-protocol-title = Protocol No. { $number } — { $title }
doc-contest = Contest: { $contest }
doc-stage = Stage: { $stage }
doc-subject = Competition (nomination): { $subject }
doc-created-at = Date and time drawn up: { $created_at }

doc-signatures = Signatures
doc-sign-role = Role
doc-sign-name = Full name
doc-sign-mark = Signature
doc-signed-at = signed { $time } in Telegram
doc-sign-line = ______________________________

doc-page = page { $page } of { $pages }
doc-version = Version { $version }
doc-version-sha = Version { $version } · SHA-256 of the content: { $sha }

doc-award-certificate = Participant certificate
doc-award-diploma = Diploma
doc-award-thanks = Letter of thanks
doc-medal-gold = Gold medal
doc-medal-silver = Silver medal
doc-medal-bronze = Bronze medal
doc-award-issued = Date of issue: { $date }
doc-award-number = No. { $number }
doc-award-event = { $stage } · { $subject }

## Signer roles
doc-role-chief = Chief expert
doc-role-group_member = Scoring group expert
doc-role-expert = Expert
doc-role-mentor = Mentor expert
doc-role-participant = Participant
doc-role-coordinator = Coordinator
doc-role-commission = Commission member
doc-role-chair = Commission chair
doc-signing-note = The protocol is signed in Telegram with the «Sign» button; each signature is bound to the SHA-256 of this file. To check: python -m bot verify-protocol FILE.pdf, or send the file to the bot.

## Words of the protocols (R-PRO-1): the services pass keys and arguments (models/phrases.py),
## the text is made here. A protocol's content is hashed and signed: changing these texts
## changes the content of later protocol versions.

doc-pro-col-criterion = Criterion
doc-pro-col-subcriterion = Subcriterion
doc-pro-col-aspects = Aspects
doc-pro-col-points = Points
doc-pro-col-group = Group
doc-pro-col-aspect = Aspect
doc-pro-col-title = Title
doc-pro-col-max = Max.
doc-pro-col-marks = Experts' marks
doc-pro-col-score = Points
doc-pro-col-place = Place
doc-pro-col-participant = Participant
doc-pro-col-region = Region
doc-pro-col-medal = Medal
doc-pro-col-number = No.
doc-pro-col-expert = Expert
doc-pro-col-vote = Vote
doc-pro-col-member = Commission member

# R-SCH-3
doc-pro-scheme-lock-title = Locking of the scoring scheme “{ $scheme }”
doc-pro-scheme-lock-locked = The scoring scheme was locked by the chief expert { $at }. Once locked, the scheme does not change (R-SCH-3).
doc-pro-scheme-lock-sha = SHA-256 of the scheme's content: { $sha }.
doc-pro-table-subcriteria = Subcriteria and assessment groups

# R-SCO-5, R-PRO-4
doc-pro-score-lock-title = Locking of the scores “{ $scheme }”
doc-pro-score-lock-locked = The scores were locked by the chief expert { $at }. Participants on the evaluation list: { $targets }.
doc-pro-score-lock-rules = A locked mark can be changed only by a correction protocol (R-SCO-6). The contest works are dismantled after every expert has signed this protocol (R-PRO-4).
doc-pro-table-locked = Locked subcriteria

# R-SCO-5: a participant's sheet
doc-pro-sheet-title = Score sheet: { $target }
doc-pro-sheet-total = Participant: { $target }. Total points: { $total }.
doc-pro-sheet-confirmed = The mentor expert has checked the sheet and confirms it (R-SCO-5).

# R-SCO-6
doc-pro-correction-title = Correction No. { $id }: { $target }, subcriterion { $subcriterion }
doc-pro-correction-reason = Reason: { $reason }
doc-pro-correction-after = The corrected sheet (after locking again).
doc-pro-correction-before = The sheet before the correction; once every signer agrees, the subcriterion is unlocked.
doc-pro-correction-points = Points for the subcriterion: { $points }.

# R-RES-1, R-RES-2
doc-pro-results-title = Results “{ $scheme }”
doc-pro-results-rules = Places follow the sum of points; equal sums share the place and the medal (R-RES-1). The winners' names are not disclosed before the award ceremony (R-RES-2).
doc-pro-table-ranking = Ranking
doc-pro-medal = { $medal ->
    [gold] gold
    [silver] silver
   *[bronze] bronze
}
doc-pro-advances = → next stage

# R-PRO-1: briefing on the task
doc-pro-briefing-title = Briefing on the contest task “{ $scheme }”
doc-pro-briefing-text = Drawn up { $at }. The participants have been briefed on the contest task, the assessment criteria and the rules; by signing the protocol a participant confirms the briefing.
doc-pro-table-participants = Participants

# R-APL-1: pre-appeal review
doc-pro-pre-title = Pre-appeal review No. { $id }
doc-pro-pre-situation = Situation: { $situation }
doc-pro-pre-proposal = Proposal: { $proposal }
doc-pro-pre-penalty = Penalties: { $penalty }
doc-pro-pre-penalty-none = Penalties: none
doc-pro-pre-count = Accredited experts: { $accredited }; voted: { $voted } (for — { $yes }, against — { $no }). Quorum — at least 80 %, decision — more than half of the votes (R-APL-1).
doc-pro-pre-outcome = Outcome: { $outcome ->
    [accepted] accepted
    [rejected] rejected
   *[no_quorum] no quorum
}.
doc-pro-table-votes = Votes
doc-pro-pre-vote = { $vote ->
    [yes] for
   *[no] against
}

# R-APL-6…8: the appeals commission's decision
doc-pro-appeal-title = Decision on appeal No. { $id }
doc-pro-appeal-case = Participant: { $target }. Kind of violation: { $kind ->
    [scoring_procedure] violation of the scoring procedure
    [unfair_advantage] unfair advantage
   *[removed_from_task] removal from the task
}. Disputed situation: { $at }.
doc-pro-appeal-description = Description: { $text }
doc-pro-appeal-demands = Demands: { $text }
doc-pro-appeal-decision = Decision: { $decision ->
    [upheld] the appeal is upheld
   *[rejected] the appeal is rejected
}. { $text }
doc-pro-appeal-deduction = Points deducted: { $points }.
doc-pro-appeal-deduction-other = Points deducted from participant { $target } (unfair advantage): { $points }.
doc-pro-appeal-disqualified = The participant is disqualified.
doc-pro-appeal-disqualified-other = Participant { $target } is disqualified.
doc-pro-appeal-restored = Points restored to participant { $target } (a scoring error against them): { $points }.
doc-pro-appeal-no-deduction = No points deducted.
doc-pro-appeal-deputy = The decision was recorded by the deputy chair { $name }: the chair takes no part in the review (R-APL-6).
doc-pro-appeal-final = The decision of the appeals commission is final and cannot be appealed (R-APL-8).
doc-pro-table-commission-votes = Votes of the commission members
doc-pro-appeal-vote = { $vote ->
    [uphold] uphold
   *[reject] reject
}

## A reissued diploma or certificate (R-APL-9)
doc-award-replaces = Issued to replace document No. { $number }

## The instruction sheet of the scoring scheme template (models/scheme_xlsx/writer.py). Sheet,
## column and parameter names are part of the file format (models/scheme_xlsx/layout.py) and
## stay Russian in the file; the English text quotes them with a translation.
doc-xlsx-param-header = Parameter
doc-xlsx-kind-error = Aspect kind: judgement, binary or discrete
doc-xlsx-help-title = Scoring scheme: how to fill it in
doc-xlsx-help-params = Sheet «Параметры» (parameters): the nomination and the stage are codes from the contest file; «Места» (places): «общий» (overall) or «по регионам» (by region).
doc-xlsx-help-scheme = Sheet «Схема» (scheme): one row per aspect. From 3 to 9 criteria, from 50 to 200 aspects, an aspect is worth at most 2 points,
doc-xlsx-help-sum = the sum of all points is exactly 100.
doc-xlsx-help-titles = The titles of a criterion and a subcriterion are needed only on the first row with that code.
doc-xlsx-help-kinds = Kind: «судейская» (judgement: marks 0–3 of four experts), «бинарная» (binary: yes/no), «дискретная» (discrete: by a table of points).
doc-xlsx-help-discrete = Discrete table: «points: description» separated by semicolons, for example «0: not done; 0.5: partly; 1: fully»;
doc-xlsx-help-discrete-max = the highest points of the table equal the aspect's maximum points.
doc-xlsx-help-group = Group: the code of the assessment group on sheet «Группы» (groups) that scores the subcriterion.
doc-xlsx-help-groups = Sheet «Группы» (groups): exactly four different experts (Telegram ID); the leader is one of them.
doc-xlsx-help-upload = Upload: send the file to the bot with /scheme or python -m bot load-scheme FILE --contest CODE.
