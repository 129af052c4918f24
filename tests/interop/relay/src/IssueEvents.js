// Read by relay-compiler only (babel-plugin-relay would replace these literals in an app).
// A paginated list of an issue's events: @connection on Issue.events, made refetchable so
// Relay's usePaginationFragment can load more through Query.node.

graphql`
  query IssueEventsQuery($issueId: ID!, $count: Int!) {
    issue(id: $issueId) {
      issueId
      ...IssueEvents_issue @arguments(count: $count)
    }
  }
`;

graphql`
  fragment IssueEvents_issue on Issue
  @refetchable(queryName: "IssueEventsPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    events(first: $count, after: $cursor) @connection(key: "IssueEvents_events") {
      edges {
        node {
          id
          ...EventRow_event
        }
      }
    }
  }
`;
