# Issue #15: entry to the «Профессионалы» championship (R-VER-6, R-ROLE-4) and the answers
# asked before a nomination opens (birth date, experience)

## R-VER-6: registration closes 5 calendar days before the stage starts

err-championship-registration-closed = Registration for the championship has closed: the last day was { $last_day }, { $days ->
        [one] { $days } calendar day
       *[other] { $days } calendar days
    } before the stage «{ $stage }» starts ({ $start }). It is no longer possible to register; if you think this is a mistake, contact your region's coordinator.

## R-ROLE-4: a championship participant is at least 14 on the stage's first day

champ-ask-birth-date = The championship needs your date of birth: on the day the stage starts ({ $day }) a participant must be at least { $limit }. Enter it as DD.MM.YYYY.
err-championship-too-young = Championship participants must be at least { $limit } on the day the stage starts, and on { $day } you will be { $age }. You cannot register for this stage.

## A birth date no one can have

err-birth-date-future = A date of birth cannot be in the future. Check the year and enter the date as DD.MM.YYYY, for example 05.03.2008.
err-birth-date-too-old = That date of birth is more than { $limit ->
        [one] { $limit } year
       *[other] { $limit } years
    } ago — probably a typo in the year. Enter the date as DD.MM.YYYY, for example 05.03.1990.

## Experience: a whole number of full years

err-field-years-fraction = Enter a whole number of full years: experience is counted in full years, for example 5.
err-field-years-format = A number is needed: enter a whole number of full years, for example 5.
err-field-years-range = Experience is from 0 to { $limit } full years. Enter a whole number of full years.

## QA of issue #15: no dead ends at the championship's entry

btn-entry-status = My status
btn-entry-nominations = ‹ To the nominations
btn-entry-fix-birth-date = Correct the date of birth
status-not-registered = You are not registered in «{ $contest }».
status-registration-closed = Registration for the championship has closed: the last day was { $last_day }. The form can no longer be sent; if you think this is a mistake, contact your region's coordinator.
status-entry-refused = No nomination chosen:
entry-refused-hint = If the date of birth was mistyped, press «Correct the date of birth».
err-birth-date-no-such-date = There is no such date in the calendar: { $value }. Check the day and the month and enter the date as DD.MM.YYYY, for example 05.03.2008.
conv-participant-consent = To begin, press «I consent to the processing of personal data» below this message. Participation is impossible without consent; to refuse, press «I do not consent».
form-ask-organisation-championship = Choose the <b>school, college or organisation</b> you take part in the championship from (region «{ $region }»). Found: { $total }. To find it faster, type part of its name.
