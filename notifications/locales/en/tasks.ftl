## Task texts (R-COO-4)

task-published =
    📄 Task published: «{ $title }» (contest «{ $contest }»).{ $limit ->
        [0] {""}
       *[other] {" "}You have { $limit } min to complete it from the moment you open it.
    }
    The time of first opening is recorded.
task-btn-open = Open the task

## /tasks — participant

task-list-title = <b>Tasks</b>
task-list-empty = No tasks yet.
task-item = • { $title }{ $state }
task-state-new = — not opened
task-state-open = — opened { $opened }
task-state-deadline = , answer by { $deadline }
task-state-closed = , time ran out { $deadline }
task-state-answered = , answer sent { $at }
task-btn-open-item = Open: { $title }
task-btn-answer = Send the answer: { $title }
task-opened =
    Task «{ $title }». Time of first opening: { $opened }.
task-opened-deadline = Answers are accepted until { $deadline }.
task-opened-closed = The time to complete it ran out { $deadline }: answers are no longer accepted.
task-opened-answer = When your answer is ready, press the button below and send the file.
task-opened-limit = Limit: { $limit } min from the first opening.
task-ask-answer = Send the file with your answer to the task «{ $title }» as a document.{ $deadline }
task-ask-answer-deadline = {" "}Deadline — { $deadline }.
task-answer-need-file = I am waiting for the answer file as a document.
task-answer-saved = ✅ The answer to the task «{ $title }» was accepted { $at }. You can send a corrected file before the deadline — the last one counts.

## /tasks — coordinator

task-admin-title = <b>Tasks of the contest «{ $contest }»</b>
task-admin-item = • { $title }{ $limit } — opened: { $opened }, answered: { $answered }
task-admin-limit = {" "}({ $limit } min)
task-btn-publish = ➕ Publish a task
task-ask-file = Send the task file as a document.
task-need-file = I am waiting for the task file as a document.
task-ask-title = Task title (as participants will see it):
task-ask-limit = Time limit in minutes from the first opening (a number), or «-» if there is no limit:
task-bad-limit = A whole number of minutes or «-» is needed.
task-published-ok = ✅ The task «{ $title }» is published. Participants with a confirmed right to take part have been sent a notice with the «Open the task» button.

## Errors

err-task-closed = The time to complete the task ran out { $deadline }. The answer was not accepted.
err-task-not-opened = Open the task first — the time of first opening is recorded.
err-task-not-participant = Tasks are available to participants whose right to take part is confirmed.
err-task-not-found = Task not found.
err-task-federal-only = Only the federal coordinator can publish tasks for the whole contest.
err-task-bad-title = A task title is needed, at most { $limit } { $limit ->
    [one] character
   *[other] characters
}.
err-task-bad-limit = The limit is from 1 to { $limit } { $limit ->
    [one] minute
   *[other] minutes
}.
err-task-no-file = The task file is needed.
err-task-closes-in-past = The deadline { $at } has already passed.
