"""Organisations (tenants) and their settings."""
