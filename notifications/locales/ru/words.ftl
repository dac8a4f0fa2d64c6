## Issue #15: the registry search (R-VER-1) — nothing matched exactly, the closest names

form-closest-organisations = По запросу «{ $query }» точных совпадений нет. Возможно, вы имели в виду одну из этих организаций (ближайшие по написанию) — выберите её кнопкой или напишите название иначе, например «ТЦСО Арбат».
