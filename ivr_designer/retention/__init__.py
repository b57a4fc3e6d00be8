"""Retention: how long each kind of data is kept, per organisation, and the sweep.

``policy`` holds the defaults and bounds (the one place), ``sweep`` deletes what is
older than the horizon, ``operations``/``api`` let org admins read and change it.
"""
