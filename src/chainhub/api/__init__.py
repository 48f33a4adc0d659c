"""The glue every router stands on: dependencies, error bodies, language, the runtime."""
