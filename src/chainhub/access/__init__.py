"""Access: who calls (partner accounts, users, API tokens) and what was done (the audit log)."""
