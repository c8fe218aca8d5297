"""The OpenAPI schema as the API behaves (issue 15): every refusal documented, and only real
lists documented as pages. Apart from core.api: drf-spectacular imports DRF's views, which
read the parser setting that names core.api."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

# The refusals every operation may answer with, in the one shape they all share.
REFUSAL_SCHEMA = {
    "type": "object",
    "description": (
        "`detail` says what is wrong, `code` is a stable word and `field` names the field; "
        "a form's refusal lists each field with its messages instead."
    ),
    "additionalProperties": True,
}
REFUSALS = {
    "400": "The request is not valid: the body says which field and why.",
    "401": "No valid token or session.",
    "403": "Not allowed for this user.",
    "404": "No such object, or not visible to this user.",
    "405": "This method is not allowed here.",
    "409": "Someone changed it first, or its state does not allow this step.",
    "413": "The body is too large.",
    "415": "The body's content type is not accepted.",
    "429": "Too many requests; retry after the time the Retry-After header gives.",
}


def document_refusals(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing: add the refusals to every operation's responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Refusal"] = REFUSAL_SCHEMA
    reference = {"$ref": "#/components/schemas/Refusal"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in REFUSALS.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result


class AutoSchema(SpectacularAutoSchema):
    """Only a viewset's `list` (or an action given its own pagination class) is documented
    as paginated; other actions that answer with several objects answer with an array."""

    def _get_paginator(self) -> Any:
        action = getattr(self.view, "action", None)
        handler = getattr(self.view, action, None) if action else None
        own_pages = "pagination_class" in getattr(handler, "kwargs", {})
        if action not in (None, "list") and not own_pages:
            return None
        return super()._get_paginator()
