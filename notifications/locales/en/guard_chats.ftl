## Private chats only, odd input (issue #13, items 6–7): bot.chat_guard, models.contest_file

guard-private-only = This is done only in a private chat with the bot: in a group the bot shows nobody's data and decides nothing. Open the private chat with the button below.
guard-private-only-short = This works only in a private chat with the bot. Open it and press /start.
btn-guard-open-private = Open a private chat with the bot

## YAML files (contest and scheme): nesting and unsafe tags

def-err-yaml-too-deep = { $place }: nesting is too deep — more than { $limit } { $limit ->
    [one] level
   *[other] levels
} of lists and field sets. Such a file is not parsed; check the indentation and brackets.
def-err-yaml-unsafe-tag = { $place }: unsafe YAML tag “{ $code }” — tags like !!python/… can run code and are not accepted. Remove the tag.
def-err-yaml-unknown-tag = { $place }: unknown YAML tag “{ $code }”. Remove the tag: values are written without tags.
