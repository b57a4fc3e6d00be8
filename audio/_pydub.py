"""The one place pydub (and audioop) is imported.

pydub 0.25 imports ``audioop``, which Python 3.11 deprecates; the project runs with
warnings as errors, so the import is wrapped here, silencing exactly that warning.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"'audioop' is deprecated", category=DeprecationWarning
    )
    import audioop

    from pydub import AudioSegment, generators, silence

__all__ = ["AudioSegment", "audioop", "generators", "silence"]
