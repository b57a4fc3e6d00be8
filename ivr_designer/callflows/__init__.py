"""Flows in the app: drafts, validation against the org's catalogue, published versions."""
