// The GraphQL over HTTP conformance audit of the npm package graphql-http (serverAudits),
// run against a live gateway.
// argv: <gateway /graphql URL> [Authorization header value]
//   With an Authorization value every audit request carries it (a caller with its own
//   token, to whom the CSRF guard does not apply).
// stdout: {"results": [{"id", "name", "status": "ok"|"error"|"warn"|"notice", "reason", "responseStatus"}]}
import { serverAudits } from "graphql-http";

const [url, authorization] = [process.argv[2], process.argv[3]];

const fetchFn = authorization
  ? (input, init = {}) => fetch(input, { ...init, headers: { ...(init.headers || {}), authorization } })
  : fetch;

const results = [];
for (const { fn } of serverAudits({ url, fetchFn })) {
  const result = await fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.reason ?? null,
    responseStatus: result.response ? result.response.status : null,
  });
}
console.log(JSON.stringify({ results }));
