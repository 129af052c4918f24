// GraphQL Mesh peer (issue 5): Hive Gateway over an OpenAPI description of Sentry's list endpoint.
// Composed by `mesh-compose -o supergraph.graphql` with UPSTREAM=http://127.0.0.1:PORT set.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('Sentry', {
        source: './openapi.json',
        endpoint: process.env.UPSTREAM || 'http://127.0.0.1:9100',
        operationHeaders: { Authorization: 'Bearer sntryu_demo' },
      }),
    },
  ],
});
