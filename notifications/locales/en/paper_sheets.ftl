# issue #16: paper backup sheets for the chief expert (seed 002 §6.7)

## the chat
paper-btn-open = 🖨 Paper sheets
paper-menu-title = 🖨 <b>Paper sheets</b> — { $title }
paper-menu-help = A blank sheet is per subcriterion, one page per participant: the aspects with empty cells, a column for each expert of the group and lines to sign. A group's filled sheet holds the marks entered so far, for the group and the chief expert to sign.
paper-menu-not-locked = Blank sheets are printed once the marking scheme is locked: until then its aspects may still change.
paper-menu-no-targets = The list of participants has not been built yet — «Build the list of participants» first.
paper-menu-no-groups = The scheme has no assessment groups yet.
paper-btn-blank-all = 📄 Blank: all subcriteria
paper-btn-group = ✍️ Filled: group { $code }
paper-menu-blank = <b>Blank sheets</b> (pick a subcriterion):
paper-menu-groups = <b>Groups' filled sheets</b> (pick a group):
paper-preparing-blank = ⏳ Preparing the PDF: { $count } { $count ->
    [one] sheet
   *[other] sheets
}…
paper-preparing-group = ⏳ Preparing the PDF of group { $code }'s sheet…
paper-blank-ready = 📄 Blank sheets: { $what } — { $count } { $count ->
    [one] sheet
   *[other] sheets
}.
paper-blank-all = all subcriteria
paper-blank-one = subcriterion { $code }
paper-group-ready = ✍️ Filled sheet of group { $code } — for signing.
paper-btn-back = ⬅️ Back to paper sheets

## refusals
err-paper-not-locked = Paper sheets are printed once the marking scheme is locked: until then its aspects may still change (R-SCH-3).
err-paper-no-targets = The list of participants has not been built yet — «Build the list of participants» first, then print the sheets.
err-paper-no-group = Subcriteria { $codes } have no assessment group — assign one, then print the sheets.
err-paper-subcriterion-not-found = This scheme has no such subcriterion.
err-paper-group-not-found = This scheme has no such assessment group.

## the PDF (printed in Russian; these are for completeness of the catalogue)
paper-doc-nomination = Skill: { $nomination } · Stage: { $stage } · Marking scheme: { $scheme }
paper-doc-blank-title = Handwritten marking sheet
paper-doc-criterion-group = Criterion { $criterion } · Assessment group: { $code } — { $name }
paper-doc-subcriterion = Subcriterion { $code } { $title }
paper-doc-target = Participant: { $label }
paper-doc-date-line = Date of marking: ____ ______________ 20____
paper-doc-excluded = { $names } — this participant's mentor expert, does not mark them (R-ROLE-3): the cells are struck out.
paper-doc-col-code = Code
paper-doc-col-aspect = Aspect
paper-doc-col-kind = Kind and scale
paper-doc-col-max = Max
paper-doc-col-result = Group's result
paper-doc-col-points = Points
paper-doc-kind-judgement = judgement: 0 / 1 / 2 / 3
paper-doc-kind-binary = measurable: yes / no
paper-doc-kind-discrete = by table: { $options }
paper-doc-yes-no = ☐ Yes   ☐ No
paper-doc-yes = Yes
paper-doc-no = No
paper-doc-struck = —
paper-doc-judgement-scale = Judgement (0–3): 0 — below requirements; 1 — meets them; 2 — exceeds them somewhat; 3 — excellent. If the experts' marks differ by more than 1, the aspect is marked again (R-SCO-1).
paper-doc-correction-rule = Every correction on the sheet is signed by every expert of the group — next to it, after a dash (002 §6.7).
paper-doc-signatures = Signatures
paper-doc-sign-name = Name
paper-doc-sign-here = Signature
paper-doc-sign-date = Date
paper-doc-role-leader = Leader of the assessment group
paper-doc-role-member = Expert of the assessment group
paper-doc-role-chief = Chief expert
paper-doc-group-title = Marking sheet of group { $code } — { $name }
paper-doc-made-at = Made { $at } from the marks entered by then. Signed by every expert of the group and the chief expert.
paper-doc-not-locked = The marks are not locked by the chief expert yet (R-SCO-5) and may change.
paper-doc-locked = The marks are locked by the chief expert (R-SCO-5).
paper-doc-part = { $code } { $title } · { $label }
paper-doc-state-scored = scored
paper-doc-state-rescore = to be marked again
paper-doc-state-tie = tied vote — vote again
paper-doc-state-incomplete = not scored
paper-doc-total = Total: { $total } of { $max }
paper-doc-legend = «—» — no mark; in brackets — a mark set aside by a re-marking and not given again yet.
paper-doc-empty-group = This group has no subcriteria.
paper-doc-page = page { $page } of { $pages }
