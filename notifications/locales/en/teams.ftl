## Team representatives (R-APL-2, Regulation 002 §5.3) and volunteers (R-RES-3, 002 §5.5, §6.9)

inv-role-team_representative = team representative
inv-role-volunteer = volunteer
teams-ask-region-team_representative = Which region's team does the representative represent? They will be able to appeal for the participants of that region.
teams-ask-region-volunteer = In which region does the volunteer work?
teams-help-team_representative =
    <b>For a team representative</b>
    /appeal — an appeal for a participant of your region's team (R-APL-2)
teams-help-volunteer =
    <b>For a volunteer</b>
    The letter of thanks comes to this chat as soon as the first results of the stage are published. If they are published already, the letter has been sent — find it above in the chat.

err-appeal-not-your-team = The participant is from the region «{ $region }», and you represent the team of «{ $own }». Their appeal is filed by their mentor expert or the team representative of their region (R-APL-2).
err-appeal-team-has-representative = The team of the region «{ $region }» has a representative — { $representative }: they or the participant's mentor expert file the appeal. The head of the regional coordination centre files it only when there is neither (R-APL-2).

err-inv-team-one-region = A team representative represents the team of one region: give exactly one region.
err-inv-volunteer-needs-region = Give the volunteer's region — your own region.
err-inv-team-full = The team of the region «{ $region }» already has { $count ->
        [1] a representative
       *[other] { $count } representatives
    } ({ $names }), and at most one per 15 participants is allowed (Regulation, item 5.3; participants from the region: { $participants }). An earlier invitation is cancelled with the button under it; a role is revoked by the federal coordinator in /staff.

def-err-team-needs-one-region = { $place }: a team representative (role: team_representative) represents the team of exactly one region — give one region in regions.

teams-note-thanks-volunteer = Thank you for helping to run the stage «{ $stage }»! A letter of thanks is attached.
doc-thanks-volunteer = for helping to organise and run the championship as a volunteer
