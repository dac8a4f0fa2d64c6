## Ошибки файла конкурса (models/contest_file.py → notifications/definition_errors.py).
## Ключ: def-err-<код ошибки>, «_» заменён на «-».
## Аргументы: $place — место в файле (всегда); где есть: $limit, $expected, $code, $line.

def-errors-title = Файл конкурса не загружен: найдено ошибок — { $count }. Ничего не изменено.
def-errors-more = …и ещё { $count }.
def-place-root = корень файла
def-place-line = строка { $line }

## Файл целиком

def-err-file-too-large = { $place }: файл слишком большой — допускается не больше 2 МБ.
def-err-not-utf8 = { $place }: файл не в кодировке UTF-8. Сохраните его как «UTF-8» и загрузите снова.
def-err-yaml-syntax = { $place }: ошибка синтаксиса YAML. Проверьте отступы, двоеточия, дефисы списков и парные кавычки.

## Значения полей

def-err-invalid = { $place }: недопустимое значение.
def-err-missing = { $place }: обязательное поле не заполнено.
def-err-unknown-key = { $place }: неизвестное поле. Проверьте написание названия или удалите его.
def-err-empty = { $place }: значение не должно быть пустым.
def-err-too-long = { $place }: текст слишком длинный (наибольшая допустимая длина: { $limit }).
def-err-bad-code = { $place }: недопустимые символы. Используйте латинские буквы, цифры и знаки «_», «.», «-», без пробелов.
def-err-not-text = { $place }: ожидается текст. Коды из одних цифр (например, «77») возьмите в кавычки.
def-err-not-integer = { $place }: ожидается целое число.
def-err-not-number = { $place }: ожидается число (без единиц измерения, например 20 или 2.5).
def-err-not-bool = { $place }: ожидается «true» (да) или «false» (нет).
def-err-too-small = { $place }: значение слишком маленькое (нижняя граница: { $limit }).
def-err-too-big = { $place }: значение слишком большое (верхняя граница: { $limit }).
def-err-list-too-short = { $place }: список пуст или слишком короткий (нужно элементов не меньше: { $limit }).
def-err-not-list = { $place }: ожидается список (каждый элемент с новой строки через «- » или в квадратных скобках).
def-err-not-mapping = { $place }: ожидается набор полей вида «название: значение».
def-err-not-one-of = { $place }: недопустимое значение. Допустимые значения: { $expected }.
def-err-bad-datetime = { $place }: ожидается дата ГГГГ-ММ-ДД или дата и время ГГГГ-ММ-ДД ЧЧ:ММ.
def-err-unknown-timezone = { $place }: неизвестный часовой пояс. Укажите пояс из базы IANA, например «Europe/Moscow».

## Смысловые проверки

def-err-duplicate-code = { $place }: код «{ $code }» уже использован выше в этом списке; коды должны быть уникальными.
def-err-age-range = { $place }: наименьший возраст (min_age) больше наибольшего (max_age).
def-err-no-application-deadline = { $place }: ни у одного этапа не указан срок подачи заявок (application_deadline).
def-err-deadline-order = { $place }: срок оценки раньше срока подачи заявок этого этапа.
def-err-deadline-before-start = { $place }: срок подачи заявок раньше начала этапа (starts_at).
def-err-unknown-region = { $place }: региона с кодом «{ $code }» нет в списке regions.
def-err-coordinator-needs-region = { $place }: у регионального координатора должен быть указан хотя бы один регион.
def-err-expert-needs-status = { $place }: у эксперта должен быть указан статус (expert_status).
def-err-duplicate-person-role = { $place }: этот человек (telegram_id) уже указан выше с той же ролью.
def-err-chief-must-be-expert = { $place }: главным экспертом (chief_for) может быть только эксперт (role: expert).
def-err-unknown-nomination = { $place }: номинации (компетенции) с кодом «{ $code }» нет в списке nominations.

## Схема оценки (R-SCH-1/2/4)
def-err-scheme-criteria-count = { $place }: в схеме { $count } критериев, а должно быть от 3 до 9.
def-err-scheme-aspect-count = { $place }: в схеме { $count } аспектов, а должно быть от 50 до 200 (рекомендуется 75–150).
def-err-scheme-total = { $place }: сумма баллов всех аспектов — { $total }, а должна быть ровно 100.
def-err-discrete-needs-options = { $place }: у дискретного аспекта должна быть таблица баллов — не меньше двух вариантов (label и points).
def-err-discrete-max-mismatch = { $place }: наибольший балл в таблице дискретного аспекта должен быть равен его максимальному баллу ({ $limit }).
def-err-options-only-discrete = { $place }: таблица вариантов бывает только у дискретного аспекта (kind: discrete).
def-err-group-size = { $place }: в группе оценки должно быть ровно { $limit } разных эксперта.
def-err-leader-not-member = { $place }: руководитель группы оценки должен быть одним из её членов.
def-err-unknown-group = { $place }: группы оценки с кодом «{ $code }» нет в списке groups.
def-err-scheme-locked = { $place }: схема оценки заблокирована главным экспертом и не может быть изменена.
def-err-not-an-expert = { $place }: пользователь { $code } не является экспертом этого конкурса.
def-err-bad-decimal = { $place }: слишком много знаков после запятой (допускается не больше двух).
scheme-errors-title = Схема оценки не загружена: найдено ошибок — { $count }. Ничего не изменено.
