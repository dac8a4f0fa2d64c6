## Contest file errors (models/contest_file.py → notifications/definition_errors.py).
## Key: def-err-<error code>, with «_» replaced by «-».
## Arguments: $place — the place in the file (always); where relevant: $limit, $expected, $code, $line.

def-errors-title = The contest file was not loaded: { $count } errors found. Nothing has changed.
def-errors-more = …and { $count } more.
def-place-root = root of the file
def-place-line = line { $line }

## The whole file

def-err-file-too-large = { $place }: the file is too large — at most 2 MB is allowed.
def-err-not-utf8 = { $place }: the file is not in UTF-8 encoding. Save it as «UTF-8» and upload it again.
def-err-yaml-syntax = { $place }: YAML syntax error. Check the indentation, colons, list dashes and paired quotes.

## Field values

def-err-invalid = { $place }: invalid value.
def-err-missing = { $place }: a required field is not filled in.
def-err-unknown-key = { $place }: unknown field. Check the spelling of the name or remove it.
def-err-empty = { $place }: the value must not be empty.
def-err-too-long = { $place }: the text is too long (maximum length: { $limit }).
def-err-bad-code = { $place }: invalid characters. Use Latin letters, digits and the characters «_», «.», «-», without spaces.
def-err-not-text = { $place }: text expected. Put codes made only of digits (for example, «77») in quotes.
def-err-not-integer = { $place }: a whole number expected.
def-err-not-number = { $place }: a number expected (without units, for example 20 or 2.5).
def-err-not-bool = { $place }: «true» (yes) or «false» (no) expected.
def-err-too-small = { $place }: the value is too small (lower limit: { $limit }).
def-err-too-big = { $place }: the value is too large (upper limit: { $limit }).
def-err-list-too-short = { $place }: the list is empty or too short (at least { $limit } items needed).
def-err-not-list = { $place }: a list expected (each item on a new line after «- », or in square brackets).
def-err-not-mapping = { $place }: a set of fields of the form «name: value» expected.
def-err-not-one-of = { $place }: invalid value. Allowed values: { $expected }.
def-err-bad-datetime = { $place }: a date YYYY-MM-DD or a date and time YYYY-MM-DD HH:MM expected.
def-err-unknown-timezone = { $place }: unknown time zone. Give a zone from the IANA database, for example «Europe/Moscow».

## Consistency checks

def-err-duplicate-code = { $place }: the code «{ $code }» is already used above in this list; codes must be unique.
def-err-age-range = { $place }: the minimum age (min_age) is greater than the maximum (max_age).
def-err-no-application-deadline = { $place }: no stage has an application deadline (application_deadline).
def-err-deadline-order = { $place }: the scoring deadline is earlier than this stage's application deadline.
def-err-deadline-before-start = { $place }: the application deadline is earlier than the start of the stage (starts_at).
def-err-unknown-region = { $place }: there is no region with the code «{ $code }» in the regions list.
def-err-coordinator-needs-region = { $place }: a regional coordinator must have at least one region.
def-err-expert-needs-status = { $place }: an expert must have a status (expert_status).
def-err-duplicate-person-role = { $place }: this person (telegram_id) is already listed above with the same role.
def-err-chief-must-be-expert = { $place }: only an expert (role: expert) can be a chief expert (chief_for).
def-err-unknown-nomination = { $place }: there is no nomination (competition) with the code «{ $code }» in the nominations list.

## Scoring scheme (R-SCH-1/2/4)
def-err-scheme-criteria-count = { $place }: the scheme has { $count } { $count ->
    [one] criterion
   *[other] criteria
}, but it must have 3 to 9.
def-err-scheme-aspect-count = { $place }: the scheme has { $count } { $count ->
    [one] aspect
   *[other] aspects
}, but it must have 50 to 200 (75–150 recommended).
def-err-scheme-total = { $place }: the points of all aspects add up to { $total }, but they must add up to exactly 100.
def-err-discrete-needs-options = { $place }: a discrete aspect needs a points table — at least two options (label and points).
def-err-discrete-max-mismatch = { $place }: the highest score in a discrete aspect's table must equal its maximum score ({ $limit }).
def-err-options-only-discrete = { $place }: only a discrete aspect (kind: discrete) has an options table.
def-err-group-size = { $place }: a scoring group must have exactly { $limit } { $limit ->
    [one] expert
   *[other] different experts
}.
def-err-leader-not-member = { $place }: the leader of a scoring group must be one of its members.
def-err-unknown-group = { $place }: there is no scoring group with the code «{ $code }» in the groups list.
def-err-scheme-locked = { $place }: the scoring scheme has been locked by the chief expert and cannot be changed.
def-err-not-an-expert = { $place }: user { $code } is not an expert of this contest.
def-err-bad-decimal = { $place }: too many decimal places (at most two allowed).
scheme-errors-title = The scoring scheme was not loaded: { $count } errors found. Nothing has changed.

## Scoring scheme: XLSX (models/scheme_xlsx.py)
## Places in the Excel workbook: sheet, row, column (by column heading).
def-place-xlsx-sheet = sheet «{ $sheet }»
def-place-xlsx-row = sheet «{ $sheet }», row { $row }
def-place-xlsx-cell = sheet «{ $sheet }», row { $row }, column «{ $column }»
def-err-xlsx-too-large = { $place }: the file is too large — an Excel workbook of at most { $limit } MB is allowed.
def-err-xlsx-not-workbook = { $place }: this is not an Excel workbook (XLSX) or the file is damaged. Save the table as «Excel Workbook (*.xlsx)» or send the scheme in YAML.
def-err-xlsx-old-format = { $place }: the file is in the old Excel format (XLS) or is password-protected. Remove the password and save the table as «Excel Workbook (*.xlsx)».
def-err-xlsx-missing-sheet = { $place }: the workbook has no sheet «{ $code }». The sheets «Параметры» (parameters) and «Схема» (scheme) are required; the sheet «Группы» (groups) is optional.
def-err-xlsx-empty-sheet = { $place }: the sheet has no aspects. It needs a header row and one row per aspect.
def-err-xlsx-too-many-rows = { $place }: too many rows on the sheet (at most { $limit } allowed).
def-err-xlsx-missing-column = { $place }: the header row has no column «{ $code }».
def-err-xlsx-unknown-parameter = { $place }: unknown parameter «{ $code }». Allowed in the first column: Номинация (nomination), Этап (stage), Название (title), Места (places).
def-err-xlsx-duplicate-parameter = { $place }: the parameter «{ $code }» is already given in row { $line }.
def-err-xlsx-missing-parameter = { $place }: there is no row «{ $code }». Write «{ $code }» in the first column and the code in the second.
def-err-xlsx-bad-ranking = { $place }: unclear ranking «{ $code }». Give «overall» or «by_region».
def-err-xlsx-bad-number = { $place }: «{ $code }» is not a number. Give a number, for example 2 or 1,5.
def-err-xlsx-bad-kind = { $place }: unknown aspect kind «{ $code }». Give «judgement», «binary» or «discrete».
def-err-xlsx-bad-options = { $place }: could not read the option «{ $code }» of a discrete table. Write the options separated by semicolons as «points: description», for example «0: not done; 0,5: partly; 1: fully».
def-err-xlsx-bad-telegram-id = { $place }: «{ $code }» is not a Telegram ID. Give a number, for example 123456789.
def-err-xlsx-date-cell = { $place }: Excel turned the code into a date ({ $code }). Give the column a text format and enter the code again.
def-err-xlsx-title-mismatch = { $place }: the title differs from the one given for the same code in row { $line }. Leave the cell empty or repeat the same title.
def-err-xlsx-group-mismatch = { $place }: this sub-criterion already has the group «{ $code }» (row { $line }); one group scores the whole sub-criterion.
scheme-cli-contest-not-found = No contest with the code «{ $code }». Load the contest file first: python -m bot load-contest FILE
scheme-cli-loaded = Scoring scheme «{ $title }» ({ $nomination }, stage { $stage }) { $created ->
        [yes] loaded
       *[no] updated
    }: criteria — { $criteria }, aspects — { $aspects }, scoring groups — { $groups }.
scheme-cli-unchanged = Scoring scheme «{ $title }» ({ $nomination }, stage { $stage }) unchanged: criteria — { $criteria }, aspects — { $aspects }, scoring groups — { $groups }.
## Error code of the scoring service (models/services/scoring.py) that lacked a text.
def-err-unknown-stage = { $place }: there is no stage with the code «{ $code }» in the contest file (stages).
def-err-commission-role-needs-member = { $place }: a role in the appeals commission (commission_role) is given only for role: commission_member.
