"""Pure domain rules: plain functions over plain types, no database, no Telegram.

Each rule cites its id in ``../shared/SPEC.md``. One module per area; everything is
imported from ``models.rules`` (this package re-exports every public name):

- ``identity``: СНИЛС and names (R-VER-2)
- ``entry``: statuses, deadlines, conditions, the championship (R-APP-3/7, R-VER-6, R-ROLE-4/5)
- ``files``: files and application completeness (R-APP-4)
- ``journey``: a participant's way and reminders (R-REM-*)
- ``scoring``: marks, points, places, medals, the scheme lock (R-SCH, R-SCO, R-RES)
- ``disputes``: appeals and pre-appeal votes (R-APL)
"""

from __future__ import annotations

from models.rules.disputes import (
    APPEAL_DECIDE_SAME_DAY_BEFORE as APPEAL_DECIDE_SAME_DAY_BEFORE,
)
from models.rules.disputes import (
    APPEAL_NEXT_DAY_UNTIL as APPEAL_NEXT_DAY_UNTIL,
)
from models.rules.disputes import (
    APPEAL_SAME_DAY_UNTIL as APPEAL_SAME_DAY_UNTIL,
)
from models.rules.disputes import (
    COMMISSION_SIZE as COMMISSION_SIZE,
)
from models.rules.disputes import (
    EXTRACT_WITHIN as EXTRACT_WITHIN,
)
from models.rules.disputes import (
    PRE_APPEAL_QUORUM_PERCENT as PRE_APPEAL_QUORUM_PERCENT,
)
from models.rules.disputes import (
    Quorum as Quorum,
)
from models.rules.disputes import (
    appeal_decision_day as appeal_decision_day,
)
from models.rules.disputes import (
    appeal_filing_deadline as appeal_filing_deadline,
)
from models.rules.disputes import (
    appeal_needs_time_confirmation as appeal_needs_time_confirmation,
)
from models.rules.disputes import (
    pre_appeal_outcome as pre_appeal_outcome,
)
from models.rules.disputes import (
    pre_appeal_quorum as pre_appeal_quorum,
)
from models.rules.entry import (
    ADULT_AGE as ADULT_AGE,
)
from models.rules.entry import (
    BIRTH_DATE_MAX_YEARS as BIRTH_DATE_MAX_YEARS,
)
from models.rules.entry import (
    CHAMPIONSHIP as CHAMPIONSHIP,
)
from models.rules.entry import (
    CHAMPIONSHIP_MIN_AGE as CHAMPIONSHIP_MIN_AGE,
)
from models.rules.entry import (
    CHAMPIONSHIP_REGISTRATION_DAYS as CHAMPIONSHIP_REGISTRATION_DAYS,
)
from models.rules.entry import (
    EXPERIENCE_FIELD as EXPERIENCE_FIELD,
)
from models.rules.entry import (
    EXPERIENCE_MAX_YEARS as EXPERIENCE_MAX_YEARS,
)
from models.rules.entry import (
    ApplicationStatus as ApplicationStatus,
)
from models.rules.entry import (
    ConditionAnswers as ConditionAnswers,
)
from models.rules.entry import (
    ConditionFailure as ConditionFailure,
)
from models.rules.entry import (
    Conditions as Conditions,
)
from models.rules.entry import (
    VerificationStatus as VerificationStatus,
)
from models.rules.entry import (
    age_on as age_on,
)
from models.rules.entry import (
    birth_date_out_of_range as birth_date_out_of_range,
)
from models.rules.entry import (
    birth_date_problem as birth_date_problem,
)
from models.rules.entry import (
    championship_old_enough as championship_old_enough,
)
from models.rules.entry import (
    championship_registration_last_day as championship_registration_last_day,
)
from models.rules.entry import (
    championship_registration_open as championship_registration_open,
)
from models.rules.entry import (
    check_conditions as check_conditions,
)
from models.rules.entry import (
    deadline_passed as deadline_passed,
)
from models.rules.entry import (
    entry_conditions as entry_conditions,
)
from models.rules.entry import (
    experience_years_problem as experience_years_problem,
)
from models.rules.entry import (
    is_minor_on as is_minor_on,
)
from models.rules.entry import (
    parse_birth_date as parse_birth_date,
)
from models.rules.entry import (
    parse_experience_years as parse_experience_years,
)
from models.rules.files import (
    FieldRequirement as FieldRequirement,
)
from models.rules.files import (
    FileKind as FileKind,
)
from models.rules.files import (
    FileRefusal as FileRefusal,
)
from models.rules.files import (
    FileRequirement as FileRequirement,
)
from models.rules.files import (
    Missing as Missing,
)
from models.rules.files import (
    OfferedFile as OfferedFile,
)
from models.rules.files import (
    check_file as check_file,
)
from models.rules.files import (
    effective_size_limit as effective_size_limit,
)
from models.rules.files import (
    file_extension as file_extension,
)
from models.rules.files import (
    missing_for_submission as missing_for_submission,
)
from models.rules.files import (
    size_mb as size_mb,
)
from models.rules.identity import (
    normalize_full_name as normalize_full_name,
)
from models.rules.identity import (
    short_name as short_name,
)
from models.rules.identity import (
    snils_checksum as snils_checksum,
)
from models.rules.identity import (
    snils_digits as snils_digits,
)
from models.rules.identity import (
    snils_format as snils_format,
)
from models.rules.identity import (
    snils_is_valid as snils_is_valid,
)
from models.rules.identity import (
    snils_mask as snils_mask,
)
from models.rules.journey import (
    DEADLINE_REMINDER_OFFSETS as DEADLINE_REMINDER_OFFSETS,
)
from models.rules.journey import (
    UNFINISHED_STAGES as UNFINISHED_STAGES,
)
from models.rules.journey import (
    VERIFICATION_ESCALATE_AFTER as VERIFICATION_ESCALATE_AFTER,
)
from models.rules.journey import (
    VERIFICATION_REMIND_AFTER as VERIFICATION_REMIND_AFTER,
)
from models.rules.journey import (
    Gap as Gap,
)
from models.rules.journey import (
    JourneyStage as JourneyStage,
)
from models.rules.journey import (
    current_deadline_reminder as current_deadline_reminder,
)
from models.rules.journey import (
    daily_due as daily_due,
)
from models.rules.journey import (
    format_local as format_local,
)
from models.rules.journey import (
    journey_stage as journey_stage,
)
from models.rules.journey import (
    participant_gaps as participant_gaps,
)
from models.rules.journey import (
    superseded_offsets as superseded_offsets,
)
from models.rules.scoring import (
    ASPECT_MAX_POINTS as ASPECT_MAX_POINTS,
)
from models.rules.scoring import (
    GROUP_SIZE as GROUP_SIZE,
)
from models.rules.scoring import (
    POINTS_QUANTUM as POINTS_QUANTUM,
)
from models.rules.scoring import (
    SCHEME_LOCK_LEAD as SCHEME_LOCK_LEAD,
)
from models.rules.scoring import (
    SCHEME_MAX_ASPECTS as SCHEME_MAX_ASPECTS,
)
from models.rules.scoring import (
    SCHEME_MAX_CRITERIA as SCHEME_MAX_CRITERIA,
)
from models.rules.scoring import (
    SCHEME_MIN_ASPECTS as SCHEME_MIN_ASPECTS,
)
from models.rules.scoring import (
    SCHEME_MIN_CRITERIA as SCHEME_MIN_CRITERIA,
)
from models.rules.scoring import (
    SCHEME_TOTAL_POINTS as SCHEME_TOTAL_POINTS,
)
from models.rules.scoring import (
    AspectKind as AspectKind,
)
from models.rules.scoring import (
    award_medals as award_medals,
)
from models.rules.scoring import (
    binary_points as binary_points,
)
from models.rules.scoring import (
    competition_places as competition_places,
)
from models.rules.scoring import (
    discrete_group_points as discrete_group_points,
)
from models.rules.scoring import (
    discrete_points as discrete_points,
)
from models.rules.scoring import (
    judgement_marks as judgement_marks,
)
from models.rules.scoring import (
    judgement_needs_rescore as judgement_needs_rescore,
)
from models.rules.scoring import (
    judgement_points as judgement_points,
)
from models.rules.scoring import (
    medals_for as medals_for,
)
from models.rules.scoring import (
    quantize_points as quantize_points,
)
from models.rules.scoring import (
    scheme_lock_late as scheme_lock_late,
)
