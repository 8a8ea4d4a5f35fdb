"""Each model field's docstring as its description, added only when a JSON Schema is made.

The docstring under a field is its documentation for clinicians who edit content, and
``procguide schema`` gives it to their editors. Pydantic's ``use_attribute_docstrings``
reads the source of every model class when the class is created, which every command paid
for on start-up; the models name ``describe_fields`` as their ``json_schema_extra``
instead, which pydantic calls only while it makes a schema. The result is the same schema.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Any


def describe_fields(schema: dict[str, Any], model: type) -> None:
    """Give each property of ``model``'s schema the docstring under its field."""
    properties = schema.get("properties", {})
    fields = getattr(model, "model_fields", {})
    for name, field in fields.items():
        doc = field_docstring(model, name)
        # Keyed by the alias (``from``) or by the name (``start``), as the schema was asked.
        key = field.alias if field.alias in properties else name
        prop = properties.get(key)
        if doc is None or prop is None or "description" in prop:
            continue
        # Pydantic drops a reference's description when it repeats the referenced model's
        # own (Codes is described as "Billing and terminology codes." in both places).
        if "$ref" in prop and _model_doc(field.annotation) == doc:
            continue
        prop["description"] = doc


def field_docstring(model: type, name: str) -> str | None:
    """The docstring under field ``name`` in the class that declares it, cleaned up."""
    for cls in model.__mro__:
        if name in cls.__dict__.get("__annotations__", {}):
            return _docstrings(cls.__module__).get(cls.__qualname__, {}).get(name)
    return None


def _model_doc(annotation: Any) -> str | None:
    doc = getattr(annotation, "__doc__", None) if isinstance(annotation, type) else None
    return inspect.cleandoc(doc) if doc else None


@functools.cache
def _docstrings(module_name: str) -> dict[str, dict[str, str]]:
    """Class name to {field: docstring} for the classes at the top of a module.

    A docstring belongs to a field when it is the statement right after the field's
    annotated assignment, as pydantic reads them. Without the source (a build with bytecode
    only), there are none, as with pydantic.
    """
    module = sys.modules.get(module_name)
    try:
        tree = ast.parse(inspect.getsource(module)) if module is not None else None
    except (OSError, TypeError):
        tree = None
    found: dict[str, dict[str, str]] = {}
    for node in tree.body if tree is not None else ():
        if isinstance(node, ast.ClassDef):
            found[node.name] = _class_docstrings(node)
    return found


def _class_docstrings(node: ast.ClassDef) -> dict[str, str]:
    docs: dict[str, str] = {}
    for statement, following in zip(node.body, node.body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs
