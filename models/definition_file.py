"""What contest files and scheme files share (issue #14: the third module that breaks the
``contest_file ↔ scheme_file`` circle): the code and text field types, the problems as
:class:`DefinitionError` values (a place in the file and a catalogue key, rendered in Russian
by the front end) and the bounded, safe YAML loading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

import yaml
from pydantic import Field, ValidationError

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]

MAX_DEFINITION_BYTES = 2 * 1024 * 1024
#: the deepest nesting of lists and field sets a YAML file may have (issue #13, item 7): the
#: contest file needs under ten; a deeper file is refused before it is built, instead of
#: exhausting the parser's recursion
MAX_YAML_DEPTH = 50


@dataclass(frozen=True, slots=True)
class DefinitionError:
    """One problem in a contest file: where (``nominations[2].files[0].max_size_mb``, or a
    line for a YAML syntax error) and what (a catalogue key with arguments)."""

    place: str
    code: str
    args: dict[str, Any] = field(default_factory=dict)


class DefinitionInvalid(Exception):
    def __init__(self, errors: list[DefinitionError]) -> None:
        super().__init__(f"{len(errors)} error(s) in the contest definition")
        self.errors = errors


_PYDANTIC_CODES = {
    "missing": "missing",
    "extra_forbidden": "unknown_key",
    "string_too_short": "empty",
    "string_too_long": "too_long",
    "string_pattern_mismatch": "bad_code",
    "string_type": "not_text",
    "int_type": "not_integer",
    "int_parsing": "not_integer",
    "int_from_float": "not_integer",
    "float_type": "not_number",
    "float_parsing": "not_number",
    "decimal_type": "not_number",
    "decimal_parsing": "not_number",
    "decimal_max_places": "bad_decimal",
    "decimal_max_digits": "too_big",
    "decimal_whole_digits": "too_big",
    "bool_type": "not_bool",
    "bool_parsing": "not_bool",
    "greater_than": "too_small",
    "greater_than_equal": "too_small",
    "less_than": "too_big",
    "less_than_equal": "too_big",
    "too_short": "list_too_short",
    "list_type": "not_list",
    "model_type": "not_mapping",
    "dict_type": "not_mapping",
    "enum": "not_one_of",
    "literal_error": "not_one_of",
    "datetime_parsing": "bad_datetime",
    "datetime_type": "bad_datetime",
    "datetime_from_date_parsing": "bad_datetime",
    "date_parsing": "bad_datetime",
    "date_from_datetime_parsing": "bad_datetime",
}


def _place(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        elif part in ("datetime", "date", "int", "str", "float", "bool", "list", "function-after"):
            continue
        elif isinstance(part, str) and "[" in part:  # union branch labels
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "—"


def pydantic_errors(exc: ValidationError) -> list[DefinitionError]:
    seen: set[tuple[str, str]] = set()
    errors: list[DefinitionError] = []
    for err in exc.errors():
        place = _place(tuple(err["loc"]))
        etype = err["type"]
        if etype == "value_error":
            code = str(err.get("ctx", {}).get("error", "invalid")).strip() or "invalid"
            code = code if code.isidentifier() else "invalid"
        else:
            code = _PYDANTIC_CODES.get(etype, "invalid")
        ctx = err.get("ctx") or {}
        args: dict[str, Any] = {}
        for key in ("min_length", "max_length", "gt", "ge", "lt", "le"):
            if key in ctx:
                limit = ctx[key]
                if isinstance(limit, float) and limit.is_integer():
                    limit = int(limit)  # "0", not "0.0"
                args["limit"] = str(limit)
        if "expected" in ctx:
            # pydantic writes "'a', 'b' or 'c'": keep the values, drop the English "or"
            args["expected"] = str(ctx["expected"]).replace("' or '", "', '")
        if (place, code) in seen:  # a union reports each branch; one line is enough
            continue
        seen.add((place, code))
        errors.append(DefinitionError(place, code, args))
    return errors


def load_yaml_document(raw: bytes | str) -> Any:
    """A YAML file as plain data: size, encoding, nesting (:data:`MAX_YAML_DEPTH`), unknown or
    unsafe tags and syntax problems as :class:`DefinitionInvalid` (shared by contest files and
    scheme files)."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_DEFINITION_BYTES:
        raise DefinitionInvalid([DefinitionError("—", "file_too_large")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionInvalid([DefinitionError("—", "not_utf8")]) from None
    try:
        return yaml.load(text, Loader=_BoundedLoader)  # a SafeLoader with a depth limit
    except _YamlTooDeep as exc:
        raise DefinitionInvalid(
            [
                DefinitionError(
                    f"line {exc.line}", "yaml_too_deep", {"line": exc.line, "limit": MAX_YAML_DEPTH}
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        tag = _undefined_tag(exc)
        # a tag a SafeLoader has no constructor for is named, never «syntax error»
        if tag is not None and tag.startswith("!!python/"):
            raise DefinitionInvalid(
                [DefinitionError(f"line {line}", "yaml_unsafe_tag", {"line": line, "code": tag})]
            ) from None
        if tag is not None:
            raise DefinitionInvalid(
                [DefinitionError(f"line {line}", "yaml_unknown_tag", {"line": line, "code": tag})]
            ) from None
        raise DefinitionInvalid(
            [DefinitionError(f"line {line}", "yaml_syntax", {"line": line})]
        ) from None


class _YamlTooDeep(yaml.YAMLError):
    def __init__(self, line: int) -> None:
        super().__init__(f"nesting deeper than {MAX_YAML_DEPTH} levels at line {line}")
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """``yaml.safe_load`` that counts the nesting while composing: past
    :data:`MAX_YAML_DEPTH` levels it stops with :class:`_YamlTooDeep` (the composer is
    recursive; a deep file would otherwise end in ``RecursionError``)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                # PyYAML's stubs leave the parser's methods untyped
                raise _YamlTooDeep(self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_UNDEFINED_TAG = re.compile(r"could not determine a constructor for the tag '([^']*)'")


def _undefined_tag(exc: yaml.YAMLError) -> str | None:
    """The tag a SafeLoader refused (``!!python/object/apply:os.system``, ``!custom``), shown
    short and in plain characters; None for any other YAML error."""
    if not isinstance(exc, yaml.constructor.ConstructorError):
        return None
    match = _UNDEFINED_TAG.search(str(exc.problem or ""))
    if match is None:
        return None
    tag = match.group(1).replace("tag:yaml.org,2002:", "!!", 1)
    tag = re.sub(r"[^A-Za-z0-9!/:._-]", "", tag)[:60]
    return tag or "?"
