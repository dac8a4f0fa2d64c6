# issue #16: shared by the chat and the Mini App score sheet
err-mark-conflict = Эту оценку уже изменили в другом месте (сейчас: { $current }). Посмотрите текущее значение и поставьте оценку ещё раз.
