"""Personal API tokens for scripts and integrations using the JSON API."""
