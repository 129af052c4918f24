// Apollo Client (InMemoryCache + relayStylePagination) walks every page of one issue's events
// with fetchMore, the way a "load more" list does, and reports the merged list from the cache.
// argv: <gateway URL> <issue id> <page size>
// stdout: {"pages": [{"size", "hasNextPage"}], "eventIDs": [...merged, in cache order],
//          "ids": [...global ids], "watchedEventIDs": [...what the watchQuery shows at the end],
//          "pageInfo": {...merged pageInfo}}
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

const [uri, issueId, first] = [process.argv[2], process.argv[3], Number(process.argv[4])];

const EVENTS = gql`
  query IssueEvents($issueId: ID!, $first: Int!, $after: String) {
    issue(id: $issueId) {
      id
      events(first: $first, after: $after) {
        edges {
          cursor
          node { id eventID }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

const client = new ApolloClient({
  link: new HttpLink({ uri, fetch }),
  cache: new InMemoryCache({
    typePolicies: { Issue: { fields: { events: relayStylePagination() } } },
  }),
});

const variables = { issueId, first };
const query = client.watchQuery({ query: EVENTS, variables });
let subscription;
let shown = null; // the last complete result the watcher emitted: what a UI would render
const firstPage = new Promise((resolve, reject) => {
  subscription = query.subscribe({
    next: (result) => result.dataState === "complete" && resolve((shown = result)),
    error: reject,
  });
});
const pages = [];
const record = (events) => pages.push({ size: events.edges.length, hasNextPage: events.pageInfo.hasNextPage });
let { data } = await firstPage;
record(data.issue.events);
while (data.issue.events.pageInfo.hasNextPage) {
  if (pages.length >= 1000) throw new Error("no end of the list after 1000 pages");
  const more = await query.fetchMore({ variables: { after: data.issue.events.pageInfo.endCursor } });
  record(more.data.issue.events); // the page the server sent
  data = client.readQuery({ query: EVENTS, variables }); // the merged list in the cache
}
// The watcher is notified asynchronously after each merge; give it a moment to catch up.
for (let waited = 0; shown.data.issue.events.edges.length !== data.issue.events.edges.length && waited < 5000; waited += 10) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const watched = shown.data.issue.events.edges.map((e) => e.node.eventID);
subscription.unsubscribe();

const edges = data.issue.events.edges;
console.log(JSON.stringify({
  pages,
  eventIDs: edges.map((e) => e.node.eventID),
  ids: edges.map((e) => e.node.id),
  watchedEventIDs: watched,
  pageInfo: data.issue.events.pageInfo,
}));
