# Mini App (issue #16): the score sheet page. The page gets every webapp-* key in the user's
# language (GET /webapp/api/session); variables arrive as {n}, {value}… and the page fills
# them in itself (bot/webapp/render.py: page_texts).

webapp-title = Marks
webapp-loading = Loading…
webapp-back = ‹ Back
webapp-retry = Try again
webapp-error = Could not load the data. Check the connection and try again.
webapp-schemes = Choose a marking scheme
webapp-no-schemes = You are not in an assessment group of any scheme. If this is a mistake, write to the chief expert.
webapp-worklist-hint = Choose a participant. Marks are saved as soon as you tap them.
webapp-progress = Scored { $scored } of { $total }
webapp-target-done = ✓ all scored
webapp-no-targets = No participants to score yet.
webapp-confirm = Confirm my marks
webapp-confirm-ask = Confirm all your marks of the scheme «{ $title }»? They cannot be changed afterwards: only the chief expert can correct them, with a protocol.
webapp-confirm-yes = Yes, confirm
webapp-confirm-no = Cancel
webapp-confirm-wait = «Confirm my marks» appears when every aspect of every participant is scored ({ $left } left).
webapp-confirm-unsent = Wait until every mark is sent first (unsent: { $n }).
webapp-confirmed = ✅ Your marks are confirmed. They can no longer be changed.
webapp-locked = 🔒 Marks are locked by the chief expert: changes only through a correction.
webapp-readonly = Read only: the marks are confirmed or locked.
webapp-missing = { $n } not scored
webapp-all-done = all scored
webapp-prev = ‹
webapp-next = ›
webapp-sections = Subcriteria
webapp-help = ?
webapp-help-label = Marking scale
webapp-state-missing = not scored
webapp-state-saving = saving…
webapp-state-saved = saved
webapp-state-queued = not sent — will be saved when online
webapp-state-conflict = conflict: now { $value }
webapp-conflict-hint = The mark was changed elsewhere (in the chat or on another device) — the saved one is shown. Tap the one you want to change it.
webapp-flagged = ⚠️ Re-score needed: the group's marks differ.
webapp-group-marks = Group's marks: { $marks }
webapp-offline = No connection. Marks are kept on the phone and sent when the connection is back.
webapp-unsent = Unsent: { $n }
webapp-sheet-done = ✅ All your aspects of this participant are scored. Check the table: any mark can be changed until you confirm.
webapp-to-worklist = Back to participants
webapp-next-target = Next participant ›
webapp-kept = Marks not sent yet ({ $n }) are kept on this phone and will be sent when you open the score sheet again.
