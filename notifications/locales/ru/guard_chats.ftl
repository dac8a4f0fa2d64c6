## Private chats only, odd input (issue #13, items 6–7): bot.chat_guard, models.contest_file

guard-private-only = Это делается только в личном чате с ботом: в группе бот не показывает ничьих данных и ничего не решает. Откройте личный чат кнопкой ниже.
guard-private-only-short = Это работает только в личном чате с ботом. Откройте его и нажмите /start.
btn-guard-open-private = Открыть личный чат с ботом

## YAML files (contest and scheme): nesting and unsafe tags

def-err-yaml-too-deep = { $place }: слишком глубокая вложенность — больше { $limit } { $limit ->
    [one] уровня
   *[other] уровней
} списков и наборов полей. Такой файл не разбирается; проверьте отступы и скобки.
def-err-yaml-unsafe-tag = { $place }: небезопасный тег YAML «{ $code }» — теги вида !!python/… могут выполнять код и не принимаются. Уберите тег.
def-err-yaml-unknown-tag = { $place }: неизвестный тег YAML «{ $code }». Уберите тег: значения пишутся без тегов.
