"""GraphiQL for the gateway, online (CDN) or offline (pinned assets served locally).

``python -m gateway.ide fetch [--dest DIR]`` fetches the pinned assets from
npm; the gateway then serves them itself (see :mod:`gateway.ide.page`).
"""

from gateway.ide.page import (
    CONTENT_SECURITY_POLICY,
    EXAMPLE_QUERY,
    EXAMPLE_VARIABLES,
    IDE_PREFIX,
    graphiql_html,
    ide_routes,
    local_html,
    render_ide,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "EXAMPLE_QUERY",
    "EXAMPLE_VARIABLES",
    "IDE_PREFIX",
    "graphiql_html",
    "ide_routes",
    "local_html",
    "render_ide",
]
