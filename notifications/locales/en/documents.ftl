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
