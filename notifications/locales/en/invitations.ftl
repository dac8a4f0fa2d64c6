## Staff invitations and per-role command menus (R-ROLE-1)

cmd-tasks = Tasks
cmd-queue = Verification requests
cmd-applications = Submitted applications
cmd-broadcast = Announcement to participants or staff
cmd-progress = Contest progress and Excel export
cmd-remote = Remote session schedule
cmd-protocols = Nomination protocols
cmd-publish = Publish the results
cmd-verify = Check a protocol PDF
cmd-dispute = Dispute: experts' vote
cmd-appeal = Appeal for a participant
cmd-commission = Appeals commission
cmd-load_contest = Load the contest file
cmd-invite = Invite staff
cmd-staff = Staff: roles and invitations

inv-role-coordinator = regional coordinator
inv-role-federal_coordinator = federal coordinator
inv-role-expert = expert
inv-role-commission_member = appeals commission member
inv-status-competence_manager = competition manager
inv-status-mentor = mentor expert
inv-status-industrial = industry expert
inv-status-methodist = methodologist expert
inv-commission-chair = commission chair
inv-commission-secretary = commission secretary
inv-commission-member = commission member

inv-choose-contest = Which contest should staff be invited to?
inv-start =
    <b>Staff invitations</b> · { $contest }
    Choose a role — or send a CSV or XLSX file with a list: columns «ФИО» (full name), «роль» (role), «регион» (region), «e-mail», and for experts «статус» (status). You will get back a file with a link for each person.
inv-ask-region = In which region will the coordinator work?
inv-ask-status = Expert status:
inv-ask-chief = The expert's role at the event:
inv-btn-not-chief = Expert (not chief)
inv-btn-chief = Chief expert: { $nomination }
inv-ask-commission-role = Role in the appeals commission:
inv-ask-name = Write the invitee's <b>full name</b> — the person will see it and confirm that it is them.
inv-created =
    The invitation for <b>{ $name }</b> ({ $role }) is ready. Forward the link to the person — it works once and is valid until { $expires }:
    { $link }
inv-btn-revoke-invitation = Cancel the invitation
inv-invitation-revoked = The invitation for { $name } is cancelled: the link no longer works.
inv-bulk-done = Invitations created: { $created }. Rows with errors: { $failed }.
inv-bulk-failed-rows = Errors in rows: { $rows } — see the «Error» column in the file.
inv-bulk-caption = Links for the invitees: each works once and is valid until { $expires }.
inv-col-link = Link
inv-col-expires = Valid until
inv-col-error = Error
inv-row-error = Row { $row }: { $error }
inv-send-file-type = Send the list as a CSV or XLSX file.

inv-offer =
    <b>Invitation</b>
    Contest: «{ $contest }»
    Role: { $role }{ $details }
    Full name: <b>{ $name }</b>

    If this is you, confirm. The role will be bound to this Telegram account.
inv-offer-regions = , regions: { $regions }
inv-offer-chief = , chief expert: { $nominations }
inv-btn-yes = Yes, this is me
inv-btn-no = No, this is not me
inv-declined = The invitation was not accepted. If the link reached you by mistake, tell the person who sent it.
inv-bound = Done: you are { $role } in the contest «{ $contest }». Your commands:

inv-staff-title = <b>Staff</b> · { $contest }
inv-staff-role = • { $name } — { $role }{ $details }
inv-staff-none = No roles yet.
inv-staff-pending = <b>Waiting for the invitation to be accepted</b>
inv-staff-pending-item = • { $name } — { $role }{ $link }
inv-staff-pending-no-link = , no link issued yet (from the contest file)
inv-staff-pending-expires = , link valid until { $expires }
inv-btn-revoke-role = Revoke: { $name }
inv-btn-issue-link = Link: { $name }
inv-btn-prev = « Back
inv-btn-next = Next »
inv-revoke-confirm = Revoke the role «{ $role }» from { $name }? Access ends at once, including buttons already shown to the person.
inv-btn-revoke-yes = Yes, revoke
inv-btn-cancel = Cancel
inv-revoked = The role «{ $role }» has been revoked from { $name }.
inv-cancelled = Nothing has changed.
# the sheet of the workbook of issued invitations
inv-sheet-title = Invitations

err-inv-unknown = The invitation link was not found. Check that it was copied in full, or ask for a new one.
err-inv-used = This invitation has already been used by another account ({ $at }). If this is a mistake, ask the coordinator for a new link.
err-inv-already-yours = You have already accepted this invitation ({ $at }) — the role is bound to your account.
err-inv-expired = The invitation has expired. Ask the coordinator for a new link.
err-inv-revoked = This invitation was cancelled { $who ->
        [none] when the contest file was updated ({ $at })
       *[other] ({ $who }, { $at })
    }. If this is a mistake, contact the coordinator.
err-inv-not-allowed = Staff can be invited by coordinators, federal coordinators and contest administrators.
err-inv-staff-only = The staff list and revoking roles are available to the administrator and the federal coordinator.
err-inv-role-not-allowed = A regional coordinator can invite only a coordinator of their own region, an expert, a team representative or a volunteer.
err-inv-region-out-of-scope = You can invite only to the regions you coordinate.
err-inv-bad-name = Give the full name (3 to 200 characters).
err-inv-bad-role = Unknown role. Allowed: coordinator, federal_coordinator, expert, commission_member — or in Russian: координатор, федеральный координатор, эксперт, член комиссии (председатель комиссии, секретарь комиссии).
err-inv-bad-status = Unknown expert status «{ $status }». Allowed: competence_manager, mentor, industrial, methodist.
err-inv-bad-email = Invalid e-mail address.
err-inv-unknown-region = The region «{ $region }» was not found in the contest.
err-inv-unknown-nomination = The nomination «{ $nomination }» was not found in the contest.
err-inv-needs-region = Give a region for a coordinator.
err-inv-needs-status = Give a status for an expert: competence_manager, mentor, industrial or methodist.
err-inv-status-needs-expert = A status and a role at the event are given only for an expert.
err-inv-bad-file = Could not read the file. Send a CSV (UTF-8) or XLSX table.
err-inv-bad-file-type = Send the list as a CSV or XLSX file.
err-inv-file-too-large = The file is too large: at most 2 MB.
err-inv-bad-header = The first row of the file must have the column headings: «ФИО» (full name), «роль» (role), «регион» (region), «e-mail», «статус» (status).
err-inv-too-many-rows = The file has more than { $limit } { $limit ->
    [one] row
   *[other] rows
} — split the list into parts.
err-inv-role-not-found = This role has already been revoked or was not found.

inv-help =
    <b>Staff</b>
    /invite — invite a staff member by link (a coordinator of your region, an expert, a team representative, a volunteer) or a list from a CSV/XLSX file
    /staff — for the administrator and the federal coordinator: staff, invitation links, revoking roles
