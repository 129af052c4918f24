"""Reading Sentry's JSON into the schema's types: the declarations' machinery (`declare`),
the leaf readers (`readers`), and the event serializers' differences (`events`). Imports
nothing of the types themselves."""
