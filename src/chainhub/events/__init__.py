"""Events: what changed in the hub, as webhooks and the event stream announce it."""
