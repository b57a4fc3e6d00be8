"""What an organisation has, passed to validation as plain data.

The web app builds a `Catalogue` from the org's real audio assets, boxes, numbers and
flows; the CLI can read one from a JSON file. `None` instead of a catalogue means
"references are not checked" (a flow file validated on its own).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class AudioUse(StrEnum):
    PROMPT = "prompt"
    QUEUE_MESSAGE = "queue_message"
    HOLD_MUSIC = "hold_music"


@dataclass(frozen=True)
class AudioInfo:
    id: str
    name: str = ""
    use: AudioUse = AudioUse.PROMPT
    ready: bool = True  # transcoded and playable
    is_music: bool = False  # declared (or detected) as music
    rights_valid: bool = True  # a valid rights declaration covers it now
    collective_licence: bool = False  # music under the org's KODA/Gramex agreement


@dataclass(frozen=True)
class BoxInfo:
    id: str
    name: str = ""
    listeners: int = 0  # how many staff receive what lands in the box


@dataclass(frozen=True)
class Catalogue:
    audio: Mapping[str, AudioInfo] = field(default_factory=dict)
    voicemail_boxes: Mapping[str, BoxInfo] = field(default_factory=dict)
    fax_boxes: Mapping[str, BoxInfo] = field(default_factory=dict)
    numbers: frozenset[str] = frozenset()  # the org's own E.164 numbers
    flows: frozenset[str] = frozenset()  # names of the org's other flows (for goto_flow)
    music_lines_covered: int | None = None  # KODA/Gramex lines; None = no agreement
    # Numbers whose live flow, other than the one being validated, plays KODA/Gramex music.
    music_numbers_elsewhere: int = 0
    numbers_for_flow: int = 0  # numbers that answer with the flow being validated
