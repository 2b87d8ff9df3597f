"""The record's JSON Schema and field table, generated from the dataclasses in :mod:`euspider.items`.

The shipped file ``euspider/schema/article-<major>.schema.json`` is this module's output
(``python -m euspider schema > euspider/schema/article-1.schema.json``); a test checks they match,
so the schema can never drift from the code.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields, is_dataclass
from importlib import resources
from typing import Any, get_args, get_origin, get_type_hints

from .items import SCHEMA_VERSION, Article

SCHEMA_ID = f"https://euspider.invalid/schema/article-{SCHEMA_VERSION.split('.')[0]}.schema.json"
SCHEMA_FILE = f"article-{SCHEMA_VERSION.split('.')[0]}.schema.json"

_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _type_schema(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        nullable = len(options) < len(get_args(hint))
        inner = (
            _type_schema(options[0], defs) if len(options) == 1 else {"anyOf": [_type_schema(o, defs) for o in options]}
        )
        if not nullable:
            return inner
        if "type" in inner and isinstance(inner["type"], str):
            return {**inner, "type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is list:
        (item,) = get_args(hint)
        return {"type": "array", "items": _type_schema(item, defs)}
    if origin is dict:
        _, value = get_args(hint)
        return {"type": "object", "additionalProperties": _type_schema(value, defs)}
    if is_dataclass(hint):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}  # reserve against recursion
            defs[name] = _object_schema(hint, defs)
        return {"$ref": f"#/$defs/{name}"}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    raise TypeError(f"no JSON Schema for {hint!r}")


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    properties: dict[str, Any] = {}
    for f in fields(cls):
        prop = _type_schema(hints[f.name], defs)
        meta = dict(f.metadata)
        description = meta.pop("doc", "")
        if "enum" in meta and "type" in prop:
            meta["enum"] = list(meta["enum"])
        prop = {**prop, **meta, "description": description}
        if "$ref" in prop:
            prop = {"allOf": [{"$ref": prop.pop("$ref")}], **prop}
        properties[f.name] = prop
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "required": [f.name for f in fields(cls)],
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    schema = _object_schema(Article, defs)
    schema["properties"]["schema_version"]["const"] = SCHEMA_VERSION
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "euspider article record",
        **schema,
        "$defs": dict(sorted(defs.items())),
    }


def shipped_schema() -> dict[str, Any]:
    """The schema file in the installed package."""
    return json.loads(resources.files("euspider").joinpath("schema", SCHEMA_FILE).read_text(encoding="utf-8"))


def _type_label(prop: dict[str, Any]) -> str:
    if "allOf" in prop:
        return "object (" + prop["allOf"][0]["$ref"].rsplit("/", 1)[-1] + ")"
    if "anyOf" in prop:
        refs = [p.get("$ref", "").rsplit("/", 1)[-1] or p.get("type", "") for p in prop["anyOf"]]
        return " or ".join(f"object ({r})" if r not in {"null", "string"} else r for r in refs)
    kind = prop.get("type", "")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        item = prop["items"]
        return "array of " + (item.get("$ref", "").rsplit("/", 1)[-1] or item.get("type", ""))
    return str(kind)


def field_table() -> str:
    """Markdown tables of every output field (the README's field reference)."""
    schema = build_schema()
    parts = ["| field | type | meaning |", "|---|---|---|"]
    for name, prop in schema["properties"].items():
        parts.append(f"| `{name}` | {_type_label(prop)} | {prop['description']} |")
    for name, sub in schema["$defs"].items():
        parts += ["", f"`{name}`: {sub['description']}", "", "| field | type | meaning |", "|---|---|---|"]
        for field_name, prop in sub["properties"].items():
            parts.append(f"| `{field_name}` | {_type_label(prop)} | {prop['description']} |")
    return "\n".join(parts)


__all__ = ["SCHEMA_FILE", "build_schema", "field_table", "shipped_schema"]
