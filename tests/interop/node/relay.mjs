// Runs relay-compiler on a Relay project folder, then sends the operations it generated to the
// gateway, as Relay's network layer would: the first page, the next page through
// Query.node (the @refetchable pagination query), and each Event of the first page refetched
// by its global id.
// argv: <project folder with relay.config.json> <gateway URL>
// stdout: {"compiler": {"status", "output"}, "artifacts": [...], "connection": and
//          "refetchable": the pagination fragment's metadata, "first", "next": responses,
//          "refetched": [one response per event of the first page]}
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import relayCompilerBinary from "relay-compiler";

const [project, gatewayUrl] = process.argv.slice(2);
const run = spawnSync(relayCompilerBinary, [], { cwd: project, encoding: "utf8" });
const compiler = { status: run.status, output: `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, "") };
const generated = join(project, "src", "__generated__");
if (run.status !== 0 || !existsSync(generated)) {
  console.log(JSON.stringify({ compiler }));
  process.exit(0);
}

// Artifacts are CommonJS modules ("eagerEsModules": false); import() hands back module.exports.
const artifact = async (name) => (await import(pathToFileURL(join(generated, `${name}.graphql.js`)))).default;
const send = async (name, variables) => {
  const { params } = await artifact(name);
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: params.text, variables, operationName: params.name }),
  });
  return response.json();
};

const first = await send("IssueEventsQuery", { issueId: "2", count: 5 });
const issue = first.data?.issue;
const next = await send("IssueEventsPaginationQuery", {
  id: issue?.id,
  count: 5,
  cursor: issue?.events?.pageInfo?.endCursor,
});
const refetched = [];
for (const edge of issue?.events?.edges ?? []) {
  refetched.push(await send("EventRowRefetchQuery", { id: edge.node.id }));
}

const { metadata } = await artifact("IssueEvents_issue");
console.log(JSON.stringify({
  compiler,
  artifacts: readdirSync(generated).sort(),
  connection: metadata.connection,
  refetchable: {
    operation: metadata.refetch.operation.params.name,
    connection: metadata.refetch.connection,
    fragmentPathInResult: metadata.refetch.fragmentPathInResult,
    identifierInfo: metadata.refetch.identifierInfo ?? null,
  },
  first,
  next,
  refetched,
}));
