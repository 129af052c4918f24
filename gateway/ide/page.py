"""The GraphiQL page: served from local pinned assets when present, else from the CDN.

Both pages open on a real query against demo issue 2 with variables to go
with it, and both carry the explorer plugin. The CDN page is Strawberry's
own page with our example swapped in; the local page loads the same files
(same versions, same Subresource Integrity hashes) from ``/graphql/ide/``,
keeps no inline script or style, and goes out with a strict
Content-Security-Policy.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from gateway.compat import graphql_ide_html
from gateway.ide import assets

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

#: Where the IDE's files are served (pinned vendor files and our own two).
IDE_PREFIX = "/graphql/ide"
APP_DIR = Path(__file__).resolve().parent / "app"
APP_FILES = ("graphiql-page.css", "graphiql-init.js")

#: For the local page: its own origin only, plus the data: URLs GraphiQL's CSS
#: uses for fonts and icons. No inline script, no eval, no other host.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

TITLE = "sentry-events-gateway GraphiQL"


#: Seconds the CDN page waits for GraphiQL's scripts before it says why it is stuck.
CDN_TIMEOUT_SECONDS = 4
#: The command that makes the gateway serve GraphiQL's files itself.
FETCH_COMMAND = "python -m gateway.ide fetch"

#: Runs first on the CDN page, before any CDN script. Without internet access
#: those scripts fail (or hang), the page's own code then stops on a missing
#: `React`/`Cookies`, and "Loading..." would stay forever. This says why and
#: what to run, as soon as a script fails to load or after a few seconds.
CDN_WATCHDOG = f"""<script>
      (function () {{
        var shown = null;
        function show() {{
          if (shown || window.GraphiQL) return;
          shown = document.createElement("div");
          shown.id = "graphiql-cdn-unreachable";
          shown.setAttribute("role", "alert");
          shown.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;" +
            "padding:24px 32px;background:#fff8e1;color:#222;border-bottom:2px solid #e0a800;" +
            "font:16px/1.5 system-ui,sans-serif";
          var title = document.createElement("strong");
          title.textContent = "GraphiQL could not load its scripts from the CDN (unpkg.com) " +
            "(the page waits {CDN_TIMEOUT_SECONDS} seconds for them).";
          var advice = document.createElement("p");
          advice.textContent = "This page needs internet access, or the gateway can serve " +
            "GraphiQL's files itself: run the command below where the gateway runs (it needs " +
            "npm), then restart the gateway and reload this page.";
          var command = document.createElement("pre");
          command.style.cssText = "padding:8px 12px;background:#f4f4f4;font-size:15px";
          command.textContent = "{FETCH_COMMAND}";
          var api = document.createElement("p");
          api.textContent = "The GraphQL API itself works without it: POST queries to this URL.";
          shown.append(title, advice, command, api);
          (document.body || document.documentElement).appendChild(shown);
        }}
        window.addEventListener("error", function (event) {{
          var target = event.target;
          if (target && (target.tagName === "SCRIPT" || target.tagName === "LINK")) show();
        }}, true);
        setTimeout(show, {CDN_TIMEOUT_SECONDS * 1000});
        window.addEventListener("load", function () {{
          if (window.GraphiQL && shown) {{ shown.remove(); shown = null; }}
        }});
      }})();
    </script>"""


@lru_cache(maxsize=1)
def graphiql_html() -> str:
    """Strawberry's GraphiQL page (assets from the unpkg CDN) with our example."""
    page = graphql_ide_html()
    start = page.index("const EXAMPLE_QUERY = `")
    end = page.index("`;", start) + 2
    example = json.dumps(EXAMPLE_QUERY)
    variables = json.dumps(json.dumps(EXAMPLE_VARIABLES, indent=2))
    page = (
        page[:start]
        + f"const EXAMPLE_QUERY = {example};\n      const EXAMPLE_VARIABLES = {variables};"
        + page[end:]
    )
    head_script = page.index("<script", page.index("</style>"))
    page = page[:head_script] + CDN_WATCHDOG + "\n    " + page[head_script:]
    return page.replace(
        "React.useState(\n          parameters.variables,\n        )",
        "React.useState(\n          parameters.variables || (parameters.q ? undefined : EXAMPLE_VARIABLES),\n        )",
    ).replace("<title>Strawberry GraphiQL</title>", f"<title>{TITLE}</title>")


@lru_cache(maxsize=len(APP_FILES))
def _app_file_sri(name: str) -> str:
    return assets.sri((APP_DIR / name).read_bytes())


def _config_json() -> str:
    """The example as a JSON data block (inert: CSP does not treat it as script)."""
    config = {"EXAMPLE_QUERY": EXAMPLE_QUERY, "EXAMPLE_VARIABLES": json.dumps(EXAMPLE_VARIABLES, indent=2)}
    # `<` escaped so no string in it can close the <script> element.
    return json.dumps(config).replace("<", "\\u003c")


def local_html(prefix: str = IDE_PREFIX) -> str:
    """The GraphiQL page loading the pinned assets from `prefix` (no CDN, no inline code)."""

    def url(path: str) -> str:
        return html.escape(f"{prefix}/{path}", quote=True)

    styles: list[str] = []
    scripts: list[str] = []
    for package in assets.PACKAGES:
        for asset in package.assets:
            href = url("vendor/" + assets.local_path(package, asset))
            if asset.kind == "style":
                styles.append(f'<link rel="stylesheet" href="{href}" integrity="{asset.sri}" />')
            else:
                scripts.append(f'<script src="{href}" integrity="{asset.sri}"></script>')
    css, init = APP_FILES
    styles.append(f'<link rel="stylesheet" href="{url("app/" + css)}" integrity="{_app_file_sri(css)}" />')
    init_tag = f'<script src="{url("app/" + init)}" integrity="{_app_file_sri(init)}"></script>'
    # The graphiql script goes in <body>, after #graphiql, as in Strawberry's page.
    head_scripts = [s for s in scripts if "/graphiql@" not in s and "/@graphiql/" not in s]
    body_scripts = [s for s in scripts if s not in head_scripts]
    favicon = (
        "data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 100 100%22>"
        "<text y=%22.9em%22 font-size=%2280%22>&#x1f353;</text></svg>"
    )
    nl = "\n    "
    return f"""<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>{TITLE}</title>
    <link rel="icon" href="{favicon}" />
    {nl.join(styles)}
    {nl.join(head_scripts)}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
    <script id="graphiql-config" type="application/json">{_config_json()}</script>
    {nl.join(body_scripts)}
    {init_tag}
  </body>
</html>
"""


def _prefix(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/") + IDE_PREFIX


async def render_ide(request: Request) -> Response:
    """The GraphiQL page: local assets when the folder holds a complete manifest, else the CDN."""
    if assets.load_manifest() is not None:
        return HTMLResponse(
            local_html(_prefix(request)),
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-cache",
            },
        )
    return HTMLResponse(graphiql_html())


async def _serve(request: Request) -> Response:
    kind: str = request.path_params["kind"]
    path: str = request.path_params["path"]
    headers = {"X-Content-Type-Options": "nosniff"}
    if kind == "app" and path in APP_FILES:
        headers["Cache-Control"] = "no-cache"
        return FileResponse(APP_DIR / path, headers=headers)
    if kind == "vendor" and path in assets.pinned_paths():
        folder = assets.assets_dir()
        # Only files of a complete, verified manifest: never a half-fetched folder.
        if assets.load_manifest(folder) is not None:
            # Versioned paths (name@version/...): safe to cache for good.
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return FileResponse(folder / path, headers=headers)
    return PlainTextResponse("Not Found", status_code=404)


def ide_routes() -> list[BaseRoute]:
    """The routes serving the IDE's files under ``/graphql/ide/`` (add them to the app)."""
    return [Route(IDE_PREFIX + "/{kind:str}/{path:path}", _serve, methods=["GET", "HEAD"])]


__all__ = [
    "CDN_TIMEOUT_SECONDS",
    "CONTENT_SECURITY_POLICY",
    "EXAMPLE_QUERY",
    "FETCH_COMMAND",
    "EXAMPLE_VARIABLES",
    "IDE_PREFIX",
    "graphiql_html",
    "ide_routes",
    "local_html",
    "render_ide",
]
