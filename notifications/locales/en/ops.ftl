## Operations: export of one person's data (subject-access request) and retention (R-PD-3)

ops-export-usage = Give the person's Telegram ID: <code>/export_person 123456789</code>
ops-admin-only = Only an administrator can export a person's data.
ops-export-empty = Nothing is held about the person with Telegram ID { $id }.
ops-export-caption =
    Everything held about the person with Telegram ID { $id } (a subject-access request).
    The SNILS in the file is not masked: give the file only to that person and do not forward it.

ops-retention-done = Retention { $years } { $years ->
    [one] year
   *[other] years
} (R-PD-3): participants anonymised — { $participants }, files deleted — { $files }, Telegram names erased — { $persons }, old message texts — { $deliveries }.
ops-retention-contest = • { $code } (ended { $ended }): participants — { $participants }, roles — { $roles }, files — { $files }
ops-retention-undated = Contests without stage dates (not anonymised automatically): { $codes }
ops-cli-export-written = Data about { $id } written to { $path } (SNILS not masked).
