"""Turn pydantic's errors into ``FILE:LINE: field: message`` problems a clinician can act on."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from procguide.content.keys import Key, dotted
from procguide.content.yamlsafe import Loaded
from procguide.errors import ContentError, Problem

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], loaded: Loaded) -> M:
    """Validate ``loaded.data`` as ``model``; raise ContentError listing every problem."""
    if not isinstance(loaded.data, dict):
        kind = type(loaded.data).__name__
        message = (
            f"the file must be a mapping of fields (key: value), not a {_KIND.get(kind, kind)}"
        )
        raise ContentError([Problem(message, loaded.path, 1)])
    try:
        return model.model_validate(loaded.data)
    except ValidationError as error:
        problems = [_problem(model, loaded, detail) for detail in error.errors()]
        raise ContentError(sorted(problems, key=lambda p: p.line or 0)) from None


_KIND = {"list": "list", "str": "single value", "int": "number", "NoneType": "empty value"}


def field_name(key: Key) -> str:
    """``("recovery", 0, "to")`` as ``recovery.0.to``."""
    return dotted(key)


def _problem(model: type[BaseModel], loaded: Loaded, detail: Any) -> Problem:
    loc: tuple[str | int, ...] = tuple(detail["loc"])
    kind = detail["type"]
    message = str(detail["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        message = "is required but missing; add it"
    elif kind == "extra_forbidden":
        message = _unknown_field(model, loc)
    elif kind in ("model_type", "model_attributes_type"):
        message = "must be a mapping of fields here (key: value on the lines below)"
    elif kind in ("tuple_type", "list_type"):
        message = "must be a list here (lines starting with '- ')"
    elif kind == "string_type":
        message = "must be text; put it in quotes if it looks like a number, date or yes/no"
    elif kind == "dict_type":
        message = "must be a mapping (key: value) here"
    elif kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "aliases"):
        message = "use lower-case letters, digits and single hyphens, like blood-patch"
    elif kind == "string_pattern_mismatch" and "checks" in loc:
        message = "an item id: lower-case letters, digits and single hyphens, like leg-weakness"
    elif kind == "string_pattern_mismatch" and "flags" in loc:
        message = "flag names use lower-case letters, digits and hyphens, like sedation"
    elif kind == "string_pattern_mismatch" and loc and loc[-1] == "url":
        message = "must be an https:// address a clinician can look up, never a local file name"
    elif kind == "too_short":
        message = "must not be empty"
    # `when`/`unless` may end in a list index; report at the list itself when that is missing.
    line = loaded.line_of(loc)
    return Problem(message, loaded.path, line, field_name(loc) or None)


def _unknown_field(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    name = str(loc[-1])
    parent = _model_at(model, loc[:-1])
    if parent is None:
        return f"unknown field '{name}'; remove it or check the spelling"
    valid = [field.alias or key for key, field in parent.model_fields.items()]
    close = difflib.get_close_matches(name, valid, n=1)
    if close:
        return f"unknown field '{name}'; did you mean '{close[0]}'?"
    return f"unknown field '{name}'; valid fields here: {', '.join(valid)}"


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next(
            (f for key, f in current.model_fields.items() if (f.alias or key) == part), None
        )
        if field is None:
            return None
        current = _inner(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner(annotation: Any) -> Any:
    # Unwrap tuple[X, ...], X | None and Annotated[X, ...] to the model class X.
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (tuple, list, typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a not in (type(None), Ellipsis)]
            if not args:
                return annotation
            annotation = args[0]
        else:
            return annotation
