// Composes subgraph SDL files with both Apollo's and The Guild's composers.
// stdin:  {"cases": {"<case>": [{"name": "sentry", "url": "http://...", "file": "/path.graphql"}, ...]}}
// stdout: {"<case>": {"apollo": Outcome, "guild": Outcome}}
//         Outcome = {"ok": true, "supergraphSdl": "..."} | {"ok": false, "errors": [{"code", "message"}]}
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices as apolloCompose } from "@apollo/composition";
import { composeServices as guildCompose, compositionHasErrors } from "@theguild/federation-composition";

const outcome = (errors, supergraphSdl) =>
  errors?.length
    ? { ok: false, errors: errors.map((e) => ({ code: e.extensions?.code ?? null, message: e.message })) }
    : { ok: true, supergraphSdl };

const { cases } = JSON.parse(readFileSync(0, "utf8"));
const results = {};
for (const [name, subgraphs] of Object.entries(cases)) {
  const services = () =>
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(readFileSync(s.file, "utf8")) }));
  const apollo = apolloCompose(services());
  const guild = guildCompose(services());
  results[name] = {
    apollo: outcome(apollo.errors, apollo.supergraphSdl),
    guild: outcome(compositionHasErrors(guild) ? guild.errors : [], guild.supergraphSdl),
  };
}
console.log(JSON.stringify(results));
