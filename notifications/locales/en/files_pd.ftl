## Files and personal data (issue #15): file type by content, task answers in the store,
## «Show SNILS» for the participant's regional coordinator.

err-file-wrong-content = The file is named .{ $claimed }, but it is really { $actual ->
    [exe] an executable (EXE)
    [elf] an executable (ELF)
    [pdf] a PDF document
    [zip] a ZIP archive or an Office document (DOCX, PPTX, XLSX)
    [ole] an old-format Office document (DOC, PPT, XLS)
    [jpg] a JPEG image
    [png] a PNG image
    [gif] a GIF image
    [video] a video file ({ $actual_name })
    [audio] an audio file ({ $actual_name })
    [archive] an archive ({ $actual_name })
    [html] a web page (HTML)
    [unknown] a file of an unknown format
   *[other] a file of format { $actual_name }
}. The file was not accepted, nothing changed. Send a file in one of these formats: { $types }.
file-stored-refused = The file «{ $name }» was not stored: by its content it is not { $claimed }. Upload it again in the section «{ $title }».

task-answer-stored = A copy of the answer is stored (SHA-256 fingerprint: { $sha }…).

btn-show-snils = Show SNILS
coord-snils-shown = SNILS of participant { $name }: <code>{ $snils }</code>
    This showing is recorded in the audit log ({ $at }). Do not forward or keep this message.
coord-snils-again = This participant's SNILS was already shown to you at { $at } — see the message above. It can be shown again in a minute.
err-snils-not-your-region = Only the coordinator of the participant's region may see the full SNILS.
err-snils-none = The participant has no stored SNILS (the data were erased or the form is not filled in).
err-snils-unreadable = The SNILS cannot be decrypted: the personal-data key is not the one it was stored with. Contact the administrator.
