"""Phone numbers and the provider accounts whose credentials sign their webhooks."""
