## The inbox (issue #13, items 1 and 5): an update that could not be handled, a second poller

inbox-gave-up = That did not work, please try again.
poller-busy = The bot was not started: another process ({ $holder }) is already receiving this bot's updates (lock: { $where }). Two processes with one token would answer the same messages twice. Stop the first process or wait until it exits, then start the bot again.
poller-lost = The update-polling lock was lost ({ $where }): this process stops receiving updates so as not to run beside another one.
