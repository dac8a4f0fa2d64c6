## Heavy files (issue #13, item 4): checks before parsing, parsing in a child process with time
## and memory bounds (models/sandbox.py). A refusal names the limit the file broke.

heavy-checking = Checking the file…

err-file-download-too-large = The file is too large: at most { $limit } MB is accepted.
err-file-broken = The file could not be read: it is not an Excel workbook (XLSX) or it is damaged.
err-file-too-many-parts = The file was refused: the Excel workbook has { $count } internal { $count ->
    [one] part
   *[other] parts
}, at most { $limit } { $limit ->
    [one] is
   *[other] are
} accepted. Save the table again as «Excel Workbook (*.xlsx)».
err-file-unpacked-too-large = The file was refused: unpacked, the workbook takes { $size } MB, at most { $limit } MB is accepted. Remove extra sheets, rows and formatting.
err-file-part-too-large = The file was refused: the workbook part «{ $part }» takes { $size } MB, at most { $limit } MB is accepted. Remove extra formatting and empty rows.
err-file-ratio-too-high = The file was refused: the workbook part «{ $part }» is compressed { $ratio } { $ratio ->
    [one] time
   *[other] times
}, at most { $limit } { $limit ->
    [one] time
   *[other] times
} is accepted. This is what zip bombs look like; save the table again in Excel.
err-file-sheet-too-large = The file was refused: the sheet's size is declared as { $range } ({ $rows } { $rows ->
    [one] row
   *[other] rows
}, { $columns } { $columns ->
    [one] column
   *[other] columns
}), at most { $limit_rows } { $limit_rows ->
    [one] row
   *[other] rows
} and { $limit_columns } { $limit_columns ->
    [one] column
   *[other] columns
} are accepted. Delete the empty rows and columns after the table.
err-file-too-slow = The file is too complex: checking it took more than { $seconds } s and was stopped. Simplify the file (fewer rows, sheets and formatting) and send it again.
err-file-too-complex = The file is too complex: checking it needed more than { $memory } MB of memory and was stopped. Simplify the file (fewer rows, sheets and formatting) and send it again.

## The same refusals in the error list of a contest file or a scoring scheme (place: the file root)

def-err-file-broken = { $place }: this is not an Excel workbook (XLSX) or the file is damaged.
def-err-file-too-many-parts = { $place }: the Excel workbook has { $count } internal { $count ->
    [one] part
   *[other] parts
}, at most { $limit } { $limit ->
    [one] is
   *[other] are
} accepted. Save the table again as «Excel Workbook (*.xlsx)».
def-err-file-unpacked-too-large = { $place }: unpacked, the workbook takes { $size } MB, at most { $limit } MB is accepted.
def-err-file-part-too-large = { $place }: the workbook part «{ $part }» takes { $size } MB, at most { $limit } MB is accepted. Remove extra formatting and empty rows.
def-err-file-ratio-too-high = { $place }: the workbook part «{ $part }» is compressed { $ratio } { $ratio ->
    [one] time
   *[other] times
}, at most { $limit } { $limit ->
    [one] time
   *[other] times
} is accepted. This is what zip bombs look like; save the table again in Excel.
def-err-file-sheet-too-large = { $place }: the sheet's size is declared as { $range } ({ $rows } { $rows ->
    [one] row
   *[other] rows
}, { $columns } { $columns ->
    [one] column
   *[other] columns
}), at most { $limit_rows } { $limit_rows ->
    [one] row
   *[other] rows
} and { $limit_columns } { $limit_columns ->
    [one] column
   *[other] columns
} are accepted. Delete the empty rows and columns after the table.
err-file-download-failed = Could not get the file from Telegram — please send it again. Nothing was changed.
