"""The root fields (`Query`) and `Issue`, whose resolvers page, batch and refetch through
the loaders (`gateway.sentry.loaders`); they sit above paging and execution, which they use."""
