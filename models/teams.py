"""Teams of the championship and who speaks for a participant (R-APL-2); volunteers (R-RES-3).

A team (команда региона) is the participants of one region (субъект РФ) in a contest. Its
представитель команды is «лицо, определенное региональным оператором … за координацию
участия конкурсантов … и экспертов-наставников» (002 §5.3): a role of the contest declared
in the contest file or invited like other staff, bound to exactly one region; at most one
representative per 15 participants of that region.

Who may appeal (002 §8, R-APL-2): «эксперта-наставника, представителя команды, а в случае
его отсутствия — руководителя Регионального координационного центра». The mentor of the
participant and the representative of the participant's team may; the head of the regional
coordination centre (the region's coordinator) only when the participant has neither — the
fallback keeps a participant from being left with nobody to appeal for them, and never
stands beside someone who can.

Pure functions with plain types, no database.
"""

from __future__ import annotations

from enum import StrEnum

#: 002 §5.3: «не более 1 представителя команды на 15 конкурсантов» of a region
PARTICIPANTS_PER_REPRESENTATIVE = 15


class ApplicantRole(StrEnum):
    """Who files an appeal (``Appeal.applicant_role``)."""

    MENTOR = "mentor"  # эксперт-наставник участника
    TEAM_REPRESENTATIVE = "team_representative"  # представитель команды региона участника
    REGIONAL_HEAD = "regional_head"  # руководитель РКЦ (координатор региона)


def representatives_allowed(participants: int) -> int:
    """How many team representatives a region may have (002 §5.3): one per 15 participants,
    rounded up — and one before any participant is registered (the team is being formed)."""
    return max(1, -(-max(participants, 0) // PARTICIPANTS_PER_REPRESENTATIVE))


def appeal_applicant(
    *,
    is_mentor: bool,
    represents_team: bool,
    heads_region: bool,
    has_mentor: bool,
    has_representative: bool,
) -> ApplicantRole | None:
    """R-APL-2: in what capacity this person may appeal for a participant, or None.

    ``is_mentor``: the person is the participant's эксперт-наставник (an expert now);
    ``represents_team``: the person is a representative of the participant's region;
    ``heads_region``: the person coordinates the participant's region;
    ``has_mentor`` / ``has_representative``: the participant has a mentor / their region an
    active representative."""
    if is_mentor:
        return ApplicantRole.MENTOR
    if represents_team:
        return ApplicantRole.TEAM_REPRESENTATIVE
    if heads_region and not has_mentor and not has_representative:
        return ApplicantRole.REGIONAL_HEAD
    return None


def appeal_refusal(
    *, represents_other_team: bool, heads_region: bool, has_representative: bool
) -> str:
    """Why a person may not appeal for a participant (an ``err-*`` code), once
    :func:`appeal_applicant` said None: the representative of another region's team; the
    regional head while the team has a representative; else the general rule."""
    if represents_other_team:
        return "appeal_not_your_team"
    if heads_region and has_representative:
        return "appeal_team_has_representative"
    return "not_an_applicant"


__all__ = [
    "PARTICIPANTS_PER_REPRESENTATIVE",
    "ApplicantRole",
    "appeal_applicant",
    "appeal_refusal",
    "representatives_allowed",
]
