// Starts GraphiQL with the explorer plugin: Strawberry's inline page script,
// served as a file so the page's Content-Security-Policy needs no inline
// script. The example query and variables come from the page's JSON block.
(function () {
  "use strict";

  const config = JSON.parse(
    document.getElementById("graphiql-config").textContent,
  );
  const EXAMPLE_QUERY = config.EXAMPLE_QUERY;
  const EXAMPLE_VARIABLES = config.EXAMPLE_VARIABLES;

  // Parse URL parameters for sharing queries
  const parameters = {};

  for (const entry of window.location.search.slice(1).split("&")) {
    const eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(
        entry.slice(eq + 1),
      );
    }
  }

  function updateURL(data) {
    Object.assign(parameters, data);

    const newSearch =
      "?" +
      Object.keys(parameters)
        .filter(function (key) {
          return Boolean(parameters[key]);
        })
        .map(function (key) {
          return (
            encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key])
          );
        })
        .join("&");
    history.replaceState(null, null, newSearch);
  }

  const fetchURL = window.location.href.split("?")[0];

  function httpUrlToWebSocketUrl(url) {
    const parsedURL = new URL(url);
    parsedURL.protocol = parsedURL.protocol === "http:" ? "ws:" : "wss:";
    parsedURL.hash = "";
    return parsedURL.toString();
  }

  const defaultHeaders = {};
  const csrfToken = Cookies.get("csrftoken");

  if (csrfToken) {
    defaultHeaders["x-csrftoken"] = csrfToken;
  }

  const fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    headers: defaultHeaders,
    subscriptionUrl: httpUrlToWebSocketUrl(fetchURL),
  });

  function GraphiQLWithExplorer() {
    const [query, setQuery] = React.useState(parameters.q || EXAMPLE_QUERY);
    const [variables, setVariables] = React.useState(
      parameters.variables || (parameters.q ? undefined : EXAMPLE_VARIABLES),
    );
    const [headers, setHeaders] = React.useState(parameters.headers);

    function onEditQuery(newQuery) {
      setQuery(newQuery);
      updateURL({ q: newQuery });
    }

    function onEditVariables(newVariables) {
      setVariables(newVariables);
      updateURL({ variables: newVariables });
    }

    function onEditHeaders(newHeaders) {
      setHeaders(newHeaders);
    }

    const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorerPlugin],
      query: query,
      variables: variables,
      headers: headers,
      onEditQuery: onEditQuery,
      onEditVariables: onEditVariables,
      onEditHeaders: onEditHeaders,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQLWithExplorer));
})();
