"""The audio library in the web app: assets, rights, agreements, processing, serving.

The domain work (probing, transcoding, rights rules) lives in the ``audio`` package;
this package stores its results per organisation and exposes them over the API.
Settings (AUDIO_*) are in ``ivr_designer.config.DEFAULTS``.
"""
