"""sentry-events-gateway: a GraphQL gateway over Sentry's issue events.

Layers, each importing only the ones below it:

    gateway.app          Starlette routes, lifespan, per-request context
    gateway.schema       Strawberry types, the Relay connection, error mapping
    gateway.sentry       per-request DataLoaders and the REST client
    gateway.demo         the embedded Sentry-compatible upstream (used by --demo and tests)
"""

__version__ = "0.1.0"
