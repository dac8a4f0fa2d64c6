## Rehearsal clock (CLOCK_START, issue 12 §4): the refusal to start and the line of /help for admins

clock-refused-production = The rehearsal clock (CLOCK_START={ $start }) does not run with a production database: DATABASE_URL points to PostgreSQL. With a shifted clock the bot would send real deadline reminders, refuse real appeals as late and close applications. Rehearse on a copy of the database; if this is the copy, set CLOCK_START_ALLOW_PRODUCTION=true. Otherwise remove CLOCK_START.
clock-no-database = The rehearsal clock (CLOCK_START) did not start: the start of the rehearsal could not be read from or written to the database ({ $error }). Apply the migrations (python -m bot migrate) or set CLOCK_START_AT — the wall-clock moment at which the bot's clock reads CLOCK_START.
clock-help-admin = 🕒 Rehearsal: the bot's clock has been running since { $start }, now by the bot's clock { $now }. Every deadline, reminder and automatic refusal follows this clock (setting CLOCK_START).
