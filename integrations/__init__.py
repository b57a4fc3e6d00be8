"""integrations domain (no Flask imports)."""
