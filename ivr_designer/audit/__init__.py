"""The audit log: every admin change, append-only, readable by admins."""
