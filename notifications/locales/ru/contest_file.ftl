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
def-err-scheme-criteria-count = { $place }: в схеме { $count } { $count ->
    [one] критерий
    [few] критерия
    [other] критерия
   *[many] критериев
}, а должно быть от 3 до 9.
def-err-scheme-aspect-count = { $place }: в схеме { $count } { $count ->
    [one] аспект
    [few] аспекта
    [other] аспекта
   *[many] аспектов
}, а должно быть от 50 до 200 (рекомендуется 75–150).
def-err-scheme-total = { $place }: сумма баллов всех аспектов — { $total }, а должна быть ровно 100.
def-err-discrete-needs-options = { $place }: у дискретного аспекта должна быть таблица баллов — не меньше двух вариантов (label и points).
def-err-discrete-max-mismatch = { $place }: наибольший балл в таблице дискретного аспекта должен быть равен его максимальному баллу ({ $limit }).
def-err-options-only-discrete = { $place }: таблица вариантов бывает только у дискретного аспекта (kind: discrete).
def-err-group-size = { $place }: в группе оценки должно быть ровно { $limit } { $limit ->
    [one] эксперт
    [few] разных эксперта
    [other] разных эксперта
   *[many] разных экспертов
}.
def-err-leader-not-member = { $place }: руководитель группы оценки должен быть одним из её членов.
def-err-unknown-group = { $place }: группы оценки с кодом «{ $code }» нет в списке groups.
def-err-scheme-locked = { $place }: схема оценки заблокирована главным экспертом и не может быть изменена.
def-err-not-an-expert = { $place }: пользователь { $code } не является экспертом этого конкурса.
def-err-bad-decimal = { $place }: слишком много знаков после запятой (допускается не больше двух).
scheme-errors-title = Схема оценки не загружена: найдено ошибок — { $count }. Ничего не изменено.

## Схема оценки: XLSX (models/scheme_xlsx.py)
## Места в книге Excel: лист, строка, столбец (по заголовку столбца).
def-place-xlsx-sheet = лист «{ $sheet }»
def-place-xlsx-row = лист «{ $sheet }», строка { $row }
def-place-xlsx-cell = лист «{ $sheet }», строка { $row }, столбец «{ $column }»
def-err-xlsx-too-large = { $place }: файл слишком большой — допускается книга Excel не больше { $limit } МБ.
def-err-xlsx-not-workbook = { $place }: это не книга Excel (XLSX) или файл повреждён. Сохраните таблицу как «Книга Excel (*.xlsx)» или пришлите схему в YAML.
def-err-xlsx-old-format = { $place }: файл в старом формате Excel (XLS) или защищён паролем. Снимите пароль и сохраните таблицу как «Книга Excel (*.xlsx)».
def-err-xlsx-missing-sheet = { $place }: в книге нет листа «{ $code }». Нужны листы «Параметры» и «Схема» (лист «Группы» — по желанию).
def-err-xlsx-empty-sheet = { $place }: на листе нет ни одного аспекта. Нужна строка заголовков и по строке на аспект.
def-err-xlsx-too-many-rows = { $place }: слишком много строк на листе (допускается не больше { $limit }).
def-err-xlsx-missing-column = { $place }: в строке заголовков нет столбца «{ $code }».
def-err-xlsx-unknown-parameter = { $place }: неизвестный параметр «{ $code }». В первом столбце допустимы: Номинация, Этап, Название, Места.
def-err-xlsx-duplicate-parameter = { $place }: параметр «{ $code }» уже указан в строке { $line }.
def-err-xlsx-missing-parameter = { $place }: нет строки «{ $code }». Впишите «{ $code }» в первый столбец, а код — во второй.
def-err-xlsx-bad-ranking = { $place }: непонятный порядок мест «{ $code }». Укажите «общий» или «по регионам».
def-err-xlsx-bad-number = { $place }: «{ $code }» — не число. Укажите число, например 2 или 1,5.
def-err-xlsx-bad-kind = { $place }: неизвестный вид аспекта «{ $code }». Укажите «судейская», «бинарная» или «дискретная».
def-err-xlsx-bad-options = { $place }: не удалось прочитать вариант «{ $code }» дискретной таблицы. Пишите варианты через точку с запятой в виде «балл: описание», например «0: не выполнено; 0,5: частично; 1: полностью».
def-err-xlsx-bad-telegram-id = { $place }: «{ $code }» — не Telegram ID. Укажите число, например 123456789.
def-err-xlsx-date-cell = { $place }: Excel превратил код в дату ({ $code }). Задайте столбцу текстовый формат и впишите код заново.
def-err-xlsx-title-mismatch = { $place }: название отличается от указанного для этого же кода в строке { $line }. Оставьте ячейку пустой или повторите то же название.
def-err-xlsx-group-mismatch = { $place }: для этого субкритерия уже указана группа «{ $code }» (строка { $line }); весь субкритерий оценивает одна группа.
scheme-cli-contest-not-found = Конкурс с кодом «{ $code }» не найден. Сначала загрузите файл конкурса: python -m bot load-contest ФАЙЛ
scheme-cli-loaded = Схема оценки «{ $title }» ({ $nomination }, этап { $stage }) { $created ->
        [yes] загружена
       *[no] обновлена
    }: критериев — { $criteria }, аспектов — { $aspects }, групп оценки — { $groups }.
scheme-cli-unchanged = Схема оценки «{ $title }» ({ $nomination }, этап { $stage }) без изменений: критериев — { $criteria }, аспектов — { $aspects }, групп оценки — { $groups }.
## Код ошибки службы оценки (models/services/scoring.py), которому не хватало текста.
def-err-unknown-stage = { $place }: этапа с кодом «{ $code }» нет в файле конкурса (stages).
def-err-commission-role-needs-member = { $place }: роль в апелляционной комиссии (commission_role) указывается только для role: commission_member.
