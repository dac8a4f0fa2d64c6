## Эксплуатация: выгрузка данных о человеке (запрос субъекта ПДн) и сроки хранения (R-PD-3)

ops-export-usage = Укажите Telegram ID человека: <code>/export_person 123456789</code>
ops-admin-only = Выгрузка данных о человеке доступна только администратору.
ops-export-empty = О человеке с Telegram ID { $id } ничего не хранится.
ops-export-caption =
    Всё, что хранится о человеке с Telegram ID { $id } (запрос субъекта персональных данных).
    СНИЛС в файле не скрыт: передайте файл только самому человеку и не пересылайте дальше.

ops-retention-done = Срок хранения { $years } { $years ->
    [one] год
    [few] года
    [other] года
   *[many] лет
} (R-PD-3): обезличено участников — { $participants }, удалено файлов — { $files }, стёрто имён в Telegram — { $persons }, текстов старых сообщений — { $deliveries }.
ops-retention-contest = • { $code } (окончен { $ended }): участников — { $participants }, ролей — { $roles }, файлов — { $files }
ops-retention-undated = Конкурсы без дат этапов (автоматически не обезличиваются): { $codes }
ops-cli-export-written = Данные о { $id } записаны в { $path } (СНИЛС не скрыт).
