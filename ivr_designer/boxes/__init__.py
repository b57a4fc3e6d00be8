"""Voicemail and fax boxes: shared by flows (by key), received by their listeners."""
