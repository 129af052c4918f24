"""How an operation runs: the pipeline extension (caches, limits, cost, error codes),
document limits, compiled completion, the request context, introspection and SDL."""
