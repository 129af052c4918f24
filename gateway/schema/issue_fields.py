"""The issue's own fields: every key of Sentry's group serializer (SENTRY_ISSUES_API.md §1).

`IssueFields` is the half of `Issue` that comes from ``GET .../issues/{id}/`` or
the organization issue index: plain attributes, filled once from Sentry's JSON
by `issue_fields_from_json`, null until then (an `Issue` handle made for its
events alone never loads them). Which fields need that load is `ISSUE_DATA_FIELDS`.

Values follow the converters' rule (`gateway.schema._convert`): a value of
another type than documented becomes null, never an error. ``count`` is a
`BigInt` (Sentry sends a string so busy issues do not overflow); ``userCount``
an `Int`; ``firstSeen`` keeps Sentry's microseconds, ``lastSeen`` whole seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Optional, Union

import strawberry

from ._convert import boolean, identifier, integer, mapping, string
from .scalars import JSON, BigInt, DateTime

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
    id: strawberry.ID = strawberry.field(description="The project's numeric id (Sentry sends a string).")
    slug: str = strawberry.field(description="The project's slug, as in URLs and short ids.")
    name: Optional[str] = strawberry.field(description="The project's display name.")
    platform: Optional[str] = strawberry.field(
        description="The project's platform (`python`, `javascript-react` ...); null if unset."
    )


@strawberry.type(description="An issue assigned to a user (`assignedTo` with `type: \"user\"`).")
class AssignedUser:
    type: str = strawberry.field(description='Always `"user"`.')
    id: strawberry.ID = strawberry.field(description="The user's id.")
    name: Optional[str] = strawberry.field(description="The user's display name.")
    email: Optional[str] = strawberry.field(description="The user's email address.")


@strawberry.type(description="An issue assigned to a team (`assignedTo` with `type: \"team\"`).")
class AssignedTeam:
    type: str = strawberry.field(description='Always `"team"`.')
    id: strawberry.ID = strawberry.field(description="The team's id.")
    name: Optional[str] = strawberry.field(description="The team's name (its slug).")


Assignee = Annotated[
    Union[AssignedUser, AssignedTeam],
    strawberry.union(
        "Assignee", description="Who an issue is assigned to: a user or a team (Sentry's `assignedTo`)."
    ),
]


@strawberry.type(description="A link Sentry shows on an issue, such as a linked ticket (`annotations`).")
class IssueAnnotation:
    displayName: Optional[str] = strawberry.field(description="The link's text, e.g. `JIRA-123`.")
    url: Optional[str] = strawberry.field(description="Where the link points.")


def _description(text: str) -> Any:
    return strawberry.field(default=None, description=text)


@strawberry.type(description="An issue's own fields, from Sentry's issue (group) serializer.")
class IssueFields:
    shareId: Optional[str] = _description("The public share id; null unless the issue is shared.")
    shortId: Optional[str] = _description("The short id, project slug and counter: `PROJ-1A`.")
    title: Optional[str] = _description("The title; Sentry updates it from each new event (it follows the latest).")
    culprit: Optional[str] = _description("Where the error happened (module and function, or a transaction); follows the latest event.")
    permalink: Optional[str] = _description("The issue's page in Sentry; null when the caller is not a member of the organization.")
    logger: Optional[str] = _description("The logger name of the issue's events, if any.")
    level: Optional[str] = _description("`fatal`, `error`, `warning`, `info`, `debug` or `sample`; follows the latest event.")
    status: Optional[str] = _description("`unresolved`, `resolved`, `ignored`, `pending_deletion`, `pending_merge` or `reprocessing`.")
    statusDetails: Optional[JSON] = _description("Details of the status: `{}` or some of `inNextRelease`, `inRelease`, `inCommit`, `actor`, `ignoreCount`, `ignoreUntil`, `ignoreUserCount`, `ignoreUserWindow`, `ignoreWindow`, `autoResolved`, `pendingEvents`, `info`.")
    substatus: Optional[str] = _description("`ongoing`, `new`, `regressed`, `escalating`, `archived_*` ...; null for resolved issues.")
    isPublic: Optional[bool] = _description("True when the issue is shared publicly (it has a `shareId`).")
    platform: Optional[str] = _description("The platform of the issue's events.")
    project: Optional[Project] = _description("The project the issue belongs to.")
    type: Optional[str] = _description("The event type of the issue: `error`, `default`, `csp`, `transaction` ...")
    metadata: Optional[JSON] = _description("Sentry's open metadata (`type`, `value`, `filename`, `function`, `title` ...); follows the latest event.")
    numComments: Optional[int] = _description("Number of comments on the issue.")
    assignedTo: Optional[Assignee] = _description("Who the issue is assigned to (a user or a team); null when unassigned.")
    isBookmarked: Optional[bool] = _description("Whether the caller bookmarked the issue.")
    isSubscribed: Optional[bool] = _description("Whether the caller is subscribed to the issue's notifications.")
    subscriptionDetails: Optional[JSON] = _description("Why the caller is (or is not) subscribed: `{disabled: true}` or `{reason}`; null if neither.")
    hasSeen: Optional[bool] = _description("Whether the caller has seen the issue.")
    annotations: Optional[list[IssueAnnotation]] = _description("Links Sentry shows on the issue (linked tickets ...).")
    issueType: Optional[str] = _description("The kind of issue: `error`, `performance_n_plus_one_db_queries` ...")
    issueCategory: Optional[str] = _description("The category: `error`, `performance`, `feedback` ...")
    priority: Optional[str] = _description("`high`, `medium` or `low`; null if unset.")
    priorityLockedAt: Optional[DateTime] = _description("When the priority was set by hand (Sentry no longer changes it); null otherwise.")
    isUnhandled: Optional[bool] = _description("True when the latest event has an unhandled error mechanism.")
    count: Optional[BigInt] = _description("Events seen, all environments and all time (including events past retention). A `BigInt` (a string of digits): Sentry sends it as a string so busy issues do not overflow.")
    userCount: Optional[int] = _description("Distinct users affected (Sentry's `user` tag), all time.")
    firstSeen: Optional[DateTime] = _description("When the first event was seen, with microseconds (Sentry lowers it when an older event arrives late).")
    lastSeen: Optional[DateTime] = _description("When the latest stored event happened, in whole seconds; null when no event is left in storage (even if `count` > 0).")


#: The fields of `IssueFields`: selecting any of them loads the issue's own JSON.
ISSUE_DATA_FIELDS = frozenset(
    field.name for field in IssueFields.__strawberry_definition__.fields  # type: ignore[attr-defined]
)


def _project(value: Any) -> Project | None:
    data = mapping(value)
    if data is None:
        return None
    project_id, slug = identifier(data.get("id")), string(data.get("slug"))
    if project_id is None or slug is None:
        return None
    return Project(id=strawberry.ID(project_id), slug=slug, name=string(data.get("name")), platform=string(data.get("platform")))


def _assignee(value: Any) -> AssignedUser | AssignedTeam | None:
    data = mapping(value)
    if data is None or (actor_id := identifier(data.get("id"))) is None:
        return None
    kind = data.get("type")
    if kind == "user":
        return AssignedUser(type="user", id=strawberry.ID(actor_id), name=string(data.get("name")), email=string(data.get("email")))
    if kind == "team":
        return AssignedTeam(type="team", id=strawberry.ID(actor_id), name=string(data.get("name")))
    return None


def _annotations(value: Any) -> list[IssueAnnotation] | None:
    if not isinstance(value, list):
        return None
    found = []
    for item in value:
        data = mapping(item)
        if data is not None:
            found.append(IssueAnnotation(displayName=string(data.get("displayName")), url=string(data.get("url"))))
        elif isinstance(item, str):  # older Sentry sent plain strings
            found.append(IssueAnnotation(displayName=item, url=None))
    return found


def _count(value: Any) -> int | None:
    """Sentry's string count (or an int) as an int of any size."""
    if type(value) is int:
        return value
    if type(value) is str and value.isdigit() and len(value) <= 40:
        return int(value)
    return None


def _json(value: Any) -> Any:
    return value


def issue_fields_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of `IssueFields` from Sentry's issue JSON."""
    return {
        "shareId": string(data.get("shareId")),
        "shortId": string(data.get("shortId")),
        "title": string(data.get("title")),
        "culprit": string(data.get("culprit")),
        "permalink": string(data.get("permalink")),
        "logger": string(data.get("logger")),
        "level": string(data.get("level")),
        "status": string(data.get("status")),
        "statusDetails": _json(data.get("statusDetails")),
        "substatus": string(data.get("substatus")),
        "isPublic": boolean(data.get("isPublic")),
        "platform": string(data.get("platform")),
        "project": _project(data.get("project")),
        "type": string(data.get("type")),
        "metadata": _json(data.get("metadata")),
        "numComments": integer(data.get("numComments")),
        "assignedTo": _assignee(data.get("assignedTo")),
        "isBookmarked": boolean(data.get("isBookmarked")),
        "isSubscribed": boolean(data.get("isSubscribed")),
        "subscriptionDetails": _json(data.get("subscriptionDetails")),
        "hasSeen": boolean(data.get("hasSeen")),
        "annotations": _annotations(data.get("annotations")),
        "issueType": string(data.get("issueType")),
        "issueCategory": string(data.get("issueCategory")),
        "priority": string(data.get("priority")),
        "priorityLockedAt": string(data.get("priorityLockedAt")),
        "isUnhandled": boolean(data.get("isUnhandled")),
        "count": _count(data.get("count")),
        "userCount": integer(data.get("userCount")),
        "firstSeen": string(data.get("firstSeen")),
        "lastSeen": string(data.get("lastSeen")),
    }
