"""The shape of each kind of publication document, and its JSON Schema.

Invariants (architecture principle 8, one rule in one place):

* :data:`SHAPES` is the one definition of every document's keys and types:
  :func:`~randsupervise.publish.formats.read_json` checks against it and
  :func:`json_schema` renders it, so the schema and the reader cannot disagree;
  ``docs/publish.md`` describes every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from randsupervise._core.strict_json import ANY, ListOf, MapOf, Nullable, Obj
from randsupervise.publish.document import PUBLICATION_FORMAT

__all__ = ["SHAPES", "json_schema"]


_TASK = Obj(
    required={
        "id": str,
        "name": str,
        "targeted": bool,
        "joint": bool,
        "type": str,
        "scope": MapOf(ListOf(str)),
        "scope_text": str,
        "items": ListOf(Obj(required={"id": str, "name": str, "kind": str})),
        "lead_department": str,
        "partner_departments": ListOf(str),
        "ratios": MapOf(float),
        "counts": MapOf(int),
        "random_batch_order": bool,
        "batches": ListOf(Obj(required={"id": str, "start": str, "end": str})),
        "stream": str,
    }
)
_ITEM = Obj(
    required={
        "id": str,
        "name": str,
        "kind": str,
        "kind_label": str,
        "department": str,
        "legal_basis": str,
        "content": str,
        "method": str,
        "target_kinds": ListOf(str),
        "ratio_cap": Nullable(float),
        "yearly_frequency_limit": int,
        "tasks": ListOf(str),
        "departments": ListOf(str),
        "windows": ListOf(Obj(required={"start": str, "end": str})),
    }
)
_FIRM = {"id": str, "name": str, "credit_code": Nullable(str)}
_HEAD = {"format": str, "version": int, "kind": str, "lang": str, "title": str, "year": int}
#: The shape of each kind of publication document (JSON), checked by :func:`read_json`;
#: ``docs/publish.md`` describes every field and :func:`json_schema` renders it as JSON
#: Schema.
SHAPES: Mapping[str, Obj] = {
    "announcement": Obj(
        required={
            **_HEAD,
            "announcement_kind": str,
            "date": str,
            "seed_date": str,
            "announcement_digest": str,
            "announcement": MapOf(ANY),
        }
    ),
    "plan": Obj(
        required={
            **_HEAD,
            "plan_digest": str,
            "items_digest": str,
            "items": ListOf(_ITEM),
            "tasks": ListOf(_TASK),
        }
    ),
    "drawn-list": Obj(
        required={
            **_HEAD,
            "form": str,
            "plan_title": str,
            "task": _TASK,
            "seed": str,
            "seed_source": str,
            "how_to_check": ListOf(str),
            "draws": ListOf(
                Obj(
                    required={
                        "stream": str,
                        "batches": ListOf(str),
                        "selected": ListOf(
                            Obj(
                                required={**_FIRM, "batch": str, "ticket": str},
                                optional={"risk_class": str},
                            )
                        ),
                        "record_digest": str,
                        "record": MapOf(ANY),
                    }
                )
            ),
        },
        optional={
            "announcement": Obj(
                required={"digest": str, "date": str, "seed_date": str, "href": str}
            )
        },
    ),
    "results": Obj(
        required={
            **_HEAD,
            "plan_title": str,
            "firms": ListOf(
                Obj(
                    required={
                        **_FIRM,
                        "inspections": ListOf(
                            Obj(
                                required={
                                    "task": str,
                                    "task_name": str,
                                    "type": str,
                                    "authority": ListOf(str),
                                    "completed_on": str,
                                    "result_codes": ListOf(str),
                                    "result": ListOf(str),
                                    "published_on": str,
                                }
                            )
                        ),
                    }
                )
            ),
        }
    ),
}


def _schema_of(shape: Any) -> dict[str, Any]:
    if shape is ANY:
        return {}
    if shape is str:
        return {"type": "string"}
    if shape is int:
        return {"type": "integer"}
    if shape is float:
        return {"type": "number"}
    if shape is bool:
        return {"type": "boolean"}
    if isinstance(shape, Nullable):
        inner = _schema_of(shape.shape)
        return {"anyOf": [inner, {"type": "null"}]}
    if isinstance(shape, ListOf):
        return {"type": "array", "items": _schema_of(shape.shape)}
    if isinstance(shape, MapOf):
        return {"type": "object", "additionalProperties": _schema_of(shape.shape)}
    assert isinstance(shape, Obj)
    props = {k: _schema_of(v) for k, v in {**shape.required, **shape.optional}.items()}
    return {
        "type": "object",
        "properties": props,
        "required": list(shape.required),
        "additionalProperties": False,
    }


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a publication document of ``kind``.

    Rendered from :data:`SHAPES`, the one definition :func:`read_json` checks against.

    Examples:
        >>> s = json_schema("results")
        >>> s["properties"]["kind"], s["required"][:3]
        ({'const': 'results'}, ['format', 'version', 'kind'])
    """
    out = _schema_of(SHAPES[kind])
    out["properties"]["format"] = {"const": PUBLICATION_FORMAT}
    out["properties"]["kind"] = {"const": kind}
    out["properties"]["lang"] = {"enum": ["zh", "en"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"randsupervise publication: {kind}",
        **out,
    }
