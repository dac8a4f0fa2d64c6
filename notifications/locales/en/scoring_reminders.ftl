## Reminder to experts about unscored aspects before the scoring deadline (R-REM-3, R-APP-7)

remind-scoring-deadline =
    ⏰ Scoring under the scheme «{ $scheme }» (contest «{ $contest }») ends { $deadline }.
    Aspects not scored: { $count }. All aspects must be scored before the deadline — scores are not accepted after it.
# the button (sco-btn-continue) is the score-entry one, defined in scoring.ftl

## Excel export of scores (R-RES-1, R-SCO-5): sheets and column headings

sco-xlsx-title = Scoring results «{ $scheme }»
sco-xlsx-sheet-results = Results
sco-xlsx-sheet-sheets = Score sheets
sco-xlsx-place = Place
sco-xlsx-number = No.
sco-xlsx-participant = Participant
sco-xlsx-region = Region
sco-xlsx-total = Points
sco-xlsx-medal = Medal
sco-xlsx-advances = Next stage
sco-xlsx-advances-yes = → federal stage
sco-xlsx-no-region = Region not given
sco-xlsx-no-targets = no participants
sco-xlsx-locked = Scores locked { $at } ({ $tz })
sco-xlsx-not-locked = Scores not locked yet: the results are preliminary
sco-xlsx-criterion = Criterion
sco-xlsx-criterion-title = Criterion title
sco-xlsx-subcriterion = Sub-criterion
sco-xlsx-subcriterion-title = Sub-criterion title
sco-xlsx-group = Group
sco-xlsx-aspect = Aspect
sco-xlsx-aspect-title = Aspect title
sco-xlsx-kind = Kind
sco-xlsx-max-points = Max. points
sco-xlsx-state = State
sco-xlsx-points = Group points
sco-xlsx-mark-note = Experts' marks: judgement — 0–3; yes/no — 1 or 0; by table — the points of the chosen option.

sco-xlsx-medal-gold = gold
sco-xlsx-medal-silver = silver
sco-xlsx-medal-bronze = bronze

sco-xlsx-kind-judgement = judgement
sco-xlsx-kind-binary = measurable (yes/no)
sco-xlsx-kind-discrete = measurable (by table)

sco-xlsx-state-incomplete = not scored
sco-xlsx-state-scored = scored
sco-xlsx-state-rescore = re-scoring
sco-xlsx-state-tie = tie, re-vote
