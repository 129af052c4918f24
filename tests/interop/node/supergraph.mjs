// Apollo Gateway over two subgraphs: the running sentry-events-gateway and a small "triage"
// subgraph (@apollo/subgraph + @apollo/server) that adds Issue.triage and Query.triagedIssues.
// argv: <sentry subgraph URL> <triage SDL file>; stdin: {"queries": [{"query", "variables"}]}
// stdout: {"results": [response body per query], "fetches": [{"subgraph", "operation",
//          "representations"}] in the order the gateway sent them}
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from "@apollo/gateway";

const [sentryUrl, triageSdlFile] = process.argv.slice(2);
const { queries } = JSON.parse(readFileSync(0, "utf8"));

const TRIAGE = { 2: "alice", 3: "bob" };
const triage = new ApolloServer({
  schema: buildSubgraphSchema({
    typeDefs: parse(readFileSync(triageSdlFile, "utf8")),
    resolvers: {
      Query: {
        triagedIssues: () => [{ issueId: "2" }, { issueId: "3" }, { issueId: "2" }],
        triageBoard: () => Array.from({ length: 50 }, (_, i) => ({ issueId: String(100 + i) })),
      },
      Issue: {
        __resolveReference: (ref) => ({ issueId: ref.issueId }),
        triage: (issue) => TRIAGE[issue.issueId] ?? null,
      },
    },
  }),
  plugins: [ApolloServerPluginInlineTraceDisabled()],
});
const { url: triageUrl } = await startStandaloneServer(triage, { listen: { host: "127.0.0.1", port: 0 } });

const fetches = [];
const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: "sentry", url: sentryUrl },
      { name: "triage", url: triageUrl },
    ],
  }),
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request }) {
        if (request.query.includes("_service")) return; // composition's SDL fetch
        const representations = request.variables?.representations;
        fetches.push({
          subgraph: name,
          operation: request.query,
          representations: representations ?? null,
        });
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: 0 } });

const results = [];
for (const body of queries) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  results.push(await response.json());
}
await server.stop();
await triage.stop();
console.log(JSON.stringify({ results, fetches }));
