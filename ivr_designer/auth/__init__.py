"""Authentication: passwords, API tokens, login throttling and the auth API."""
