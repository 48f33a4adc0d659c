"""Documents over the API: submission, and reads through the visibility service."""
