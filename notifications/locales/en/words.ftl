## Issue #15: the registry search (R-VER-1) — nothing matched exactly, the closest names

form-closest-organisations = Nothing matches «{ $query }» exactly. Perhaps you meant one of these organisations (the closest by spelling) — choose it with a button or write the name differently: words in any order and the usual abbreviations work.
