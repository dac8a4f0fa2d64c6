## Contest progress for coordinators (R-COO-2): /progress and Excel export

progress-title = <b>Contest progress</b> «{ $contest }»
progress-scope-all = All regions · data as of { $at }
progress-scope-regions = Regions: { $regions } · data as of { $at }

progress-verification-title = <b>Verification</b>
progress-verification-counts = Under review: { $pending } · confirmed: { $accepted } · refused: { $rejected }
progress-verification-more = Form not sent: { $draft } · consent withdrawn: { $withdrawn }
progress-oldest-pending = The oldest request has been waiting { $waiting } (sent { $since })
progress-oldest-pending-overdue = ⚠️ The oldest request has been waiting { $waiting } (sent { $since }) — the review should take 3–5 days
progress-no-pending = No requests under review.
progress-days = { $days ->
    [0] less than a day
    [one] { $days } day
   *[other] { $days } days
}

progress-applications-title = <b>Applications</b> — drafts / submitted: { $drafts } / { $submitted }
progress-applications-none = No applications yet.
progress-region-line = { $region }: { $drafts } / { $submitted }
progress-region-no-application = { $region }: { $drafts } / { $submitted } · have not chosen a nomination: { $count }
progress-nomination-line = { "  " }· { $nomination }: { $drafts } / { $submitted }
progress-no-region = Region not given
progress-more-regions = …and { $count } more regions — in full in the Excel export.

progress-scoring-title = <b>Scoring</b>
progress-scoring-none = scoring has not started yet
progress-scoring-line = { $region } · { $nomination }: scored { $scored } of { $total } ({ $percent } %)

progress-signatures-title = <b>Signatures</b>
progress-signatures-none = no unsigned protocols
progress-signature-line = { $protocol } — not signed by { $signer } (waiting since { $since })

progress-truncated = …the full report is in the Excel export.
progress-btn-export = Export to Excel
progress-export-caption = Progress of the contest «{ $contest }» as of { $at }

## Excel export: sheets and column headings

progress-xlsx-title = Progress of the contest «{ $contest }»
progress-xlsx-sheet-verification = Verification
progress-xlsx-sheet-applications = Applications
progress-xlsx-sheet-scoring = Scoring
progress-xlsx-sheet-signatures = Signatures
progress-xlsx-region = Region
progress-xlsx-nomination = Nomination
progress-xlsx-draft = Form not sent
progress-xlsx-pending = Under review
progress-xlsx-oldest = Oldest request sent
progress-xlsx-waiting = Waiting, days
progress-xlsx-accepted = Confirmed
progress-xlsx-no-application = Confirmed, no nomination chosen
progress-xlsx-rejected = Refused
progress-xlsx-withdrawn = Consent withdrawn
progress-xlsx-total = Total
progress-xlsx-total-row = Total
progress-xlsx-no-region = Region not given
progress-xlsx-drafts = Drafts
progress-xlsx-submitted = Submitted
progress-xlsx-applications-none = No applications yet
progress-xlsx-to-score = Applications to score
progress-xlsx-scored = Scored
progress-xlsx-percent = Done, %
progress-xlsx-protocol = Protocol
progress-xlsx-signer = Not signed by
progress-xlsx-since = Waiting since
progress-xlsx-generated = Generated { $at } ({ $tz })
progress-xlsx-scope-all = All regions of the contest
progress-xlsx-scope = Regions: { $regions }
