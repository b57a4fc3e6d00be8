"""The durable notification outbox: rows per recipient, a worker that delivers them.

:mod:`.enqueue` inserts (in the caller's transaction), :mod:`.worker` delivers,
:mod:`.api` shows deliveries to admins and lets them retry dead ones.
"""
