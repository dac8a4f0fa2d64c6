"""(being written) Reminder kinds of remote events (R-COO-3, R-REM-5)."""
