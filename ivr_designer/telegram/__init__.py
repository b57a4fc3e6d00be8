"""Telegram: the org's bot, linking chats to staff and boxes, and the bot's webhook.

Sending notifications is the outbox's job; this package sets the bot up, hands out
one-time ``/start`` links, and handles what Telegram posts back (``/start``, ``/stop``
and the "Claim" / "Handled" buttons).
"""
