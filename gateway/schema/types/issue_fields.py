"""The issue's own fields: every key of Sentry's group serializer (SENTRY_ISSUES_API.md §1).

`IssueFields` is the half of `Issue` that comes from ``GET .../issues/{id}/`` or
the organization issue index: plain attributes, filled once from Sentry's JSON
by `issue_fields_from_json`, null until then (an `Issue` handle made for its
events alone never loads them). Which fields need that load is `ISSUE_DATA_FIELDS`.

Values follow the converters' rule (`gateway.schema.mapping.readers`): a value of
another type than documented becomes null, never an error. ``count`` is a
`BigInt` (Sentry sends a string so busy issues do not overflow); ``userCount``
an `Int`; ``firstSeen`` keeps Sentry's microseconds, ``lastSeen`` whole seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Optional, Union

import strawberry

from gateway.schema.mapping.declare import build, nested, sentry_field, values_of
from gateway.schema.mapping.readers import as_json, big_count, boolean, identifier, integer, mapping, string
from gateway.schema.types.scalars import JSON, BigInt, DateTime

__all__ = [
    "AssignedTeam",
    "AssignedUser",
    "Assignee",
    "ISSUE_DATA_FIELDS",
    "IssueAnnotation",
    "IssueFields",
    "Project",
    "issue_fields_from_json",
]


@strawberry.type(
    name="SentryProject",
    description="The Sentry project an issue belongs to (the issue's `project` key). Named "
    "`SentryProject`, not `Project`, so that a supergraph whose other subgraphs have a `Project` "
    "of their own still composes.",
)
class Project:
    id: strawberry.ID = sentry_field("id", identifier, description="The project's numeric id (Sentry sends a string).")
    slug: str = sentry_field("slug", string, description="The project's slug, as in URLs and short ids.")
    name: Optional[str] = sentry_field("name", string, description="The project's display name.")
    platform: Optional[str] = sentry_field(
        "platform",
        string,
        description="The project's platform (`python`, `javascript-react` ...); null if unset.",
    )


@strawberry.type(description='An issue assigned to a user (`assignedTo` with `type: "user"`).')
class AssignedUser:
    type: str = sentry_field("type", description='Always `"user"`.')
    id: strawberry.ID = sentry_field("id", identifier, description="The user's id.")
    name: Optional[str] = sentry_field("name", string, description="The user's display name.")
    email: Optional[str] = sentry_field("email", string, description="The user's email address.")


@strawberry.type(description='An issue assigned to a team (`assignedTo` with `type: "team"`).')
class AssignedTeam:
    type: str = sentry_field("type", description='Always `"team"`.')
    id: strawberry.ID = sentry_field("id", identifier, description="The team's id.")
    name: Optional[str] = sentry_field("name", string, description="The team's name (its slug).")


Assignee = Annotated[
    Union[AssignedUser, AssignedTeam],
    strawberry.union("Assignee", description="Who an issue is assigned to: a user or a team (Sentry's `assignedTo`)."),
]

_ASSIGNEE_CLASSES: Mapping[Any, type[AssignedUser | AssignedTeam]] = {"user": AssignedUser, "team": AssignedTeam}


@strawberry.type(description="A link Sentry shows on an issue, such as a linked ticket (`annotations`).")
class IssueAnnotation:
    displayName: Optional[str] = sentry_field("displayName", string, description="The link's text, e.g. `JIRA-123`.")
    url: Optional[str] = sentry_field("url", string, description="Where the link points.")


def _project(value: Any) -> Project | None:
    """The project; null unless it has an id and a slug (both non-null in the schema)."""
    project = _any_project(value)
    return None if project is None or project.id is None or project.slug is None else project


_any_project = nested(Project)


def _assignee(value: Any) -> AssignedUser | AssignedTeam | None:
    """A user or a team by Sentry's ``type``; null for another type or without an id."""
    data = mapping(value)
    cls = None if data is None else _ASSIGNEE_CLASSES.get(data.get("type"))
    if cls is None:
        return None
    assignee = build(cls, data)
    return None if assignee.id is None else assignee


def _annotations(value: Any) -> list[IssueAnnotation] | None:
    """Links: objects, or (older Sentry) plain strings, read as a link's text."""
    if not isinstance(value, list):
        return None
    return [
        build(IssueAnnotation, item if type(item) is not str else {"displayName": item})
        for item in value
        if type(item) is str or mapping(item) is not None
    ]


def _field(key: str, read: Any, description: str) -> Any:
    """An issue field: null until the issue's own JSON is loaded."""
    return sentry_field(key, read, description=description, default=None)


@strawberry.type(description="An issue's own fields, from Sentry's issue (group) serializer.")
class IssueFields:
    shareId: Optional[str] = _field("shareId", string, "The public share id; null unless the issue is shared.")
    shortId: Optional[str] = _field("shortId", string, "The short id, project slug and counter: `PROJ-1A`.")
    title: Optional[str] = _field(
        "title", string, "The title; Sentry updates it from each new event (it follows the latest)."
    )
    culprit: Optional[str] = _field(
        "culprit", string, "Where the error happened (module and function, or a transaction); follows the latest event."
    )
    permalink: Optional[str] = _field(
        "permalink", string, "The issue's page in Sentry; null when the caller is not a member of the organization."
    )
    logger: Optional[str] = _field("logger", string, "The logger name of the issue's events, if any.")
    level: Optional[str] = _field(
        "level", string, "`fatal`, `error`, `warning`, `info`, `debug` or `sample`; follows the latest event."
    )
    status: Optional[str] = _field(
        "status", string, "`unresolved`, `resolved`, `ignored`, `pending_deletion`, `pending_merge` or `reprocessing`."
    )
    statusDetails: Optional[JSON] = _field(
        "statusDetails",
        as_json,
        "Details of the status: `{}` or some of `inNextRelease`, `inRelease`, `inCommit`, `actor`, `ignoreCount`, `ignoreUntil`, `ignoreUserCount`, `ignoreUserWindow`, `ignoreWindow`, `autoResolved`, `pendingEvents`, `info`.",
    )
    substatus: Optional[str] = _field(
        "substatus", string, "`ongoing`, `new`, `regressed`, `escalating`, `archived_*` ...; null for resolved issues."
    )
    isPublic: Optional[bool] = _field(
        "isPublic", boolean, "True when the issue is shared publicly (it has a `shareId`)."
    )
    platform: Optional[str] = _field("platform", string, "The platform of the issue's events.")
    project: Optional[Project] = _field("project", _project, "The project the issue belongs to.")
    type: Optional[str] = _field(
        "type", string, "The event type of the issue: `error`, `default`, `csp`, `transaction` ..."
    )
    metadata: Optional[JSON] = _field(
        "metadata",
        as_json,
        "Sentry's open metadata (`type`, `value`, `filename`, `function`, `title` ...); follows the latest event.",
    )
    numComments: Optional[int] = _field("numComments", integer, "Number of comments on the issue.")
    assignedTo: Optional[Assignee] = _field(
        "assignedTo", _assignee, "Who the issue is assigned to (a user or a team); null when unassigned."
    )
    isBookmarked: Optional[bool] = _field("isBookmarked", boolean, "Whether the caller bookmarked the issue.")
    isSubscribed: Optional[bool] = _field(
        "isSubscribed", boolean, "Whether the caller is subscribed to the issue's notifications."
    )
    subscriptionDetails: Optional[JSON] = _field(
        "subscriptionDetails",
        as_json,
        "Why the caller is (or is not) subscribed: `{disabled: true}` or `{reason}`; null if neither.",
    )
    hasSeen: Optional[bool] = _field("hasSeen", boolean, "Whether the caller has seen the issue.")
    annotations: Optional[list[IssueAnnotation]] = _field(
        "annotations", _annotations, "Links Sentry shows on the issue (linked tickets ...)."
    )
    issueType: Optional[str] = _field(
        "issueType", string, "The kind of issue: `error`, `performance_n_plus_one_db_queries` ..."
    )
    issueCategory: Optional[str] = _field(
        "issueCategory", string, "The category: `error`, `performance`, `feedback` ..."
    )
    priority: Optional[str] = _field("priority", string, "`high`, `medium` or `low`; null if unset.")
    priorityLockedAt: Optional[DateTime] = _field(
        "priorityLockedAt", string, "When the priority was set by hand (Sentry no longer changes it); null otherwise."
    )
    isUnhandled: Optional[bool] = _field(
        "isUnhandled", boolean, "True when the latest event has an unhandled error mechanism."
    )
    count: Optional[BigInt] = _field(
        "count",
        big_count,
        "Events seen, all environments and all time (including events past retention). A `BigInt` (a string of digits): Sentry sends it as a string so busy issues do not overflow.",
    )
    userCount: Optional[int] = _field("userCount", integer, "Distinct users affected (Sentry's `user` tag), all time.")
    firstSeen: Optional[DateTime] = _field(
        "firstSeen",
        string,
        "When the first event was seen, with microseconds (Sentry lowers it when an older event arrives late).",
    )
    lastSeen: Optional[DateTime] = _field(
        "lastSeen",
        string,
        "When the latest stored event happened, in whole seconds; null when no event is left in storage (even if `count` > 0).",
    )


#: The fields of `IssueFields`: selecting any of them loads the issue's own JSON.
ISSUE_DATA_FIELDS = frozenset(
    field.name
    for field in IssueFields.__strawberry_definition__.fields  # type: ignore[attr-defined]
)


def issue_fields_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `IssueFields` from Sentry's issue JSON."""
    return values_of(IssueFields, data)
