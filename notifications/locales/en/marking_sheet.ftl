# issue #16: shared by the chat and the Mini App score sheet
err-mark-conflict = This mark was changed elsewhere (now: { $current }). Check the current value and mark again.
