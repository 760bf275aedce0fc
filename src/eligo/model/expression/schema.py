"""The JSON schema of the expression language, generated from the node classes.

``expression.schema.json`` beside this module is the generated file, kept in the repository so
other tools can read it without eligo; a test fails when it differs from :func:`json_schema`.
Regenerate with ``python -m eligo.model.expression.schema > expression.schema.json``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from eligo.model.expression.core import EXPRESSION_VERSION, KINDS, Arg

SCHEMA_ID = "https://eligo.dev/schema/expression-{version}.json"


def _slot_schema(spec: Arg) -> dict[str, Any]:
    if spec.type in ("node", "nodes"):
        kinds = spec.kinds or sorted(KINDS)
        refs = [{"$ref": f"#/$defs/{kind}"} for kind in kinds]
        one = refs[0] if len(refs) == 1 else {"oneOf": refs}
        if spec.type == "node":
            return one
        return {"type": "array", "items": one, "minItems": 1}
    if spec.type == "number":
        return {"type": "number"}
    if spec.type == "bool":
        return {"type": "boolean"}
    item: dict[str, Any] = {"type": "string"}
    if spec.choices is not None:
        item["enum"] = list(spec.choices)
    if spec.type == "strs":
        return {"type": "array", "items": item}
    return item


def _kind_schema(kind: str) -> dict[str, Any]:
    node_cls = KINDS[kind]
    properties: dict[str, Any] = {"kind": {"const": kind}}
    for key, spec in node_cls.arg_types.items():
        properties[key] = _slot_schema(spec)
        if spec.doc:
            properties[key]["description"] = spec.doc
    properties["span"] = {
        "type": "array",
        "items": {"type": "integer", "minimum": 0},
        "minItems": 2,
        "maxItems": 2,
    }
    properties["rule"] = {"type": "string"}
    properties["warning"] = {"type": "string"}
    required = ["kind", *(k for k, spec in node_cls.arg_types.items() if spec.required)]
    doc = " ".join((node_cls.__doc__ or "").split())
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if doc:
        schema["description"] = doc
    return schema


def json_schema() -> dict[str, Any]:
    """The schema (draft 2020-12) of one expression node, and of a versioned document."""
    defs: dict[str, Any] = {kind: _kind_schema(kind) for kind in sorted(KINDS)}
    defs["expression"] = {"oneOf": [{"$ref": f"#/$defs/{kind}"} for kind in sorted(KINDS)]}
    defs["document"] = {
        "type": "object",
        "properties": {
            "version": {"const": EXPRESSION_VERSION},
            "expression": {"$ref": "#/$defs/expression"},
        },
        "required": ["version", "expression"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(version=EXPRESSION_VERSION),
        "title": f"eligo criterion expression, version {EXPRESSION_VERSION}",
        "$ref": "#/$defs/expression",
        "$defs": defs,
    }


def stored_schema() -> dict[str, Any]:
    """The schema file shipped with the package."""
    text = resources.files(__package__).joinpath("expression.schema.json").read_text("utf-8")
    return json.loads(text)


if __name__ == "__main__":
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
