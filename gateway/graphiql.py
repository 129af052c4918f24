"""The GraphiQL page, opening on an example query that works on the demo data.

Strawberry's page is reused as it is, with its welcome text replaced by a
real query against demo issue 2 and variables to go with it.
"""

from __future__ import annotations

import json
from functools import lru_cache

from strawberry.http.ides import get_graphql_ide_html

EXAMPLE_QUERY = """\
# sentry-events-gateway: Sentry's issue events as a GraphQL API.
#
# Press the run button. On the embedded demo upstream, issue 2 holds 320
# synthetic events and issue 1 Sentry's own example payloads. To page on,
# copy pageInfo.endCursor into the `after` variable.
query IssueEvents($issue: ID!, $first: Int = 5, $after: String) {
  issue(id: $issue) {
    issueId
    events(first: $first, after: $after) {
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges {
        cursor
        node {
          eventID
          title
          dateCreated
          tags { key value }
          entries {
            __typename
            ... on ExceptionEntry {
              values { type value stacktrace { frames { filename function lineNo } } }
            }
            ... on MessageEntry { formatted }
          }
        }
      }
    }
  }
}
"""

EXAMPLE_VARIABLES = {"issue": "2", "first": 5}


@lru_cache(maxsize=1)
def graphiql_html() -> str:
    """Strawberry's GraphiQL page with our example query and variables."""
    html = get_graphql_ide_html("graphiql")
    start = html.index("const EXAMPLE_QUERY = `")
    end = html.index("`;", start) + 2
    example = json.dumps(EXAMPLE_QUERY)
    variables = json.dumps(json.dumps(EXAMPLE_VARIABLES, indent=2))
    html = (
        html[:start]
        + f"const EXAMPLE_QUERY = {example};\n      const EXAMPLE_VARIABLES = {variables};"
        + html[end:]
    )
    return html.replace(
        "React.useState(\n          parameters.variables,\n        )",
        "React.useState(\n          parameters.variables || (parameters.q ? undefined : EXAMPLE_VARIABLES),\n        )",
    ).replace("<title>Strawberry GraphiQL</title>", "<title>sentry-events-gateway GraphiQL</title>")
