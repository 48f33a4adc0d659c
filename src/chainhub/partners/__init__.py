"""Partners, users, API tokens, data-sharing rules and audit."""
