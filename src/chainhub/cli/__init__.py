"""The chainhub command line: thin Typer commands over the domain services."""
