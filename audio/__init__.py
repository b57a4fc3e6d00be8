"""audio domain (no Flask imports)."""
