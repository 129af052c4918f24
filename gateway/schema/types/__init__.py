"""The Strawberry types of the schema. Each field read from Sentry's JSON declares its key
and reader with `gateway.schema.mapping.declare.sentry_field`."""
