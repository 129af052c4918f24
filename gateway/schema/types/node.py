"""Global object identification: the `Node` interface and opaque global ids.

A global id is ``base64("<Type>:<key>")`` as in Relay and GitHub's API. The key
holds exactly what refetching needs: the issue id for an `Issue`, and
``<issue id>:<event id>`` for an `Event` (the detail endpoint needs both).
Nothing secret ever goes into an id.
"""

from __future__ import annotations

import base64
import binascii

import strawberry


@strawberry.interface(description="An object with a global id that `Query.node(id:)` can refetch.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque global id of this object; pass it to `Query.node(id:)` to refetch it."
    )


class InvalidGlobalId(ValueError):
    """The text is not a global id this gateway issued."""


def encode_global_id(type_name: str, key: str) -> str:
    """The opaque id of the object of type `type_name` found by `key`."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


def decode_global_id(global_id: str) -> tuple[str, str]:
    """Split a global id into ``(type name, key)``, or raise `InvalidGlobalId`."""
    try:
        text = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidGlobalId(
            f"{global_id!r} is not a valid global id: pass the `id` field of an object this gateway returned"
        ) from None
    type_name, sep, key = text.partition(":")
    if not sep or not type_name or not key:
        raise InvalidGlobalId(
            f"{global_id!r} is not a valid global id: pass the `id` field of an object this gateway returned"
        )
    return type_name, key
