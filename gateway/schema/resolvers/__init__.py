"""The root fields (`Query`) and `Issue`, whose resolvers call Sentry through the loaders."""
