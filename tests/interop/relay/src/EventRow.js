// One row of the list: a fragment on Event that Relay can refetch by its global id.

graphql`
  fragment EventRow_event on Event @refetchable(queryName: "EventRowRefetchQuery") {
    eventID
    title
    dateCreated
    message
  }
`;
