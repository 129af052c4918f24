"""Reading Sentry's JSON into the schema's types: the declarations' machinery (`declare`),
the readers (`readers`), the event serializers' differences (`events`) and where a NEL report
keeps its network error (`nel`). Imports nothing of the types themselves."""
