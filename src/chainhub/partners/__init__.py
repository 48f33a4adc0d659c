"""Partners: the directory, data-sharing agreements and visibility, webhooks."""
