"""Outgoing webhook endpoints: registration, secrets, test-sends and the delivery log."""
