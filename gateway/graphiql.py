"""Kept for old imports: the GraphiQL page now lives in :mod:`gateway.ide`."""

from gateway.ide.page import EXAMPLE_QUERY, EXAMPLE_VARIABLES, graphiql_html, ide_routes, render_ide

__all__ = ["EXAMPLE_QUERY", "EXAMPLE_VARIABLES", "graphiql_html", "ide_routes", "render_ide"]
