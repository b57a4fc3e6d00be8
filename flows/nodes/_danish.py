"""Danish for the editor texts the node types declare (labels, descriptions, palette
categories, port labels, form titles and choices), keyed by the English text itself.

Keying by the text, not by type or field, keeps this free of a second list of node
types: the registry's declarations are the source, and the editor tests walk every
registered type and fail on any text missing here. Validation findings stay English.
"""

from __future__ import annotations

import re

__all__ = ["DANISH", "danish"]

DANISH: dict[str, str] = {
    # palette categories
    "Routing": "Styring af opkald",
    "Messages": "Beskeder",
    "People": "Personer",
    "Endings": "Afslutninger",
    # node types
    "Receive fax": "Modtag fax",
    "Receives a fax as PDF into a fax box; staff are notified.": (
        "Modtager en fax som PDF i en faxboks; medarbejderne får besked."
    ),
    "Go to flow": "Gå til flow",
    "Continues the call at the start of another flow.": (
        "Fortsætter opkaldet i starten af et andet flow."
    ),
    "Hang up": "Læg på",
    "Says goodbye (optional) and ends the call.": "Siger farvel (valgfrit) og afslutter opkaldet.",
    "Opening hours": "Åbningstider",
    "Sends the call one way when open, another when closed or on a holiday.": (
        "Sender opkaldet én vej, når der er åbent, og en anden, når der er lukket eller helligdag."
    ),
    "Menu": "Menu",
    "Asks the caller to press a key and routes by the key pressed.": (
        "Beder den, der ringer, trykke på en tast og sender opkaldet videre efter tasten."
    ),
    "Play message": "Afspil besked",
    "Plays a recorded message or speaks a text, then continues.": (
        "Afspiller en indtalt besked eller læser en tekst op og fortsætter."
    ),
    "Answer group": "Svargruppe",
    "Puts the caller in a queue with hold music until staff answer.": (
        "Sætter den, der ringer, i kø med ventemusik, til en medarbejder svarer."
    ),
    "Ring group": "Ringegruppe",
    "Rings a group of phones; continues when nobody answers.": (
        "Ringer til en gruppe telefoner; fortsætter, hvis ingen svarer."
    ),
    "Transfer": "Viderestil",
    "Forwards the call to an outside number.": "Viderestiller opkaldet til et eksternt nummer.",
    "Voicemail": "Telefonsvarer",
    "Records a message into a voicemail box; staff are notified.": (
        "Optager en besked i en telefonsvarerboks; medarbejderne får besked."
    ),
    # ports
    "After the fax (else: hang up)": "Efter faxen (ellers: læg på)",
    "Open": "Åbent",
    "Closed": "Lukket",
    "Holiday (else: closed)": "Helligdag (ellers: lukket)",
    "After too many tries": "Efter for mange forsøg",
    "Too many invalid keys": "For mange ugyldige taster",
    "Too long silence": "For lang stilhed",
    "Then": "Derefter",
    "After the call": "Efter samtalen",
    "Waited too long / queue full": "Ventet for længe / køen er fuld",
    "Nobody answered": "Ingen svarede",
    "No answer": "Intet svar",
    "After the message (else: hang up)": "Efter beskeden (ellers: læg på)",
    # form titles
    "Fax box": "Faxboks",
    "Flow": "Flow",
    "Goodbye message": "Farvelbesked",
    "Audio": "Lyd",
    "Text to speak": "Tekst, der læses op",
    "Language of the text": "Tekstens sprog",
    "Monday": "Mandag",
    "Tuesday": "Tirsdag",
    "Wednesday": "Onsdag",
    "Thursday": "Torsdag",
    "Friday": "Fredag",
    "Saturday": "Lørdag",
    "Sunday": "Søndag",
    "Time zone (empty: the organisation's)": "Tidszone (tom: organisationens)",
    "Public holidays of": "Helligdage for",
    "Also closed on these optional holidays": "Også lukket på disse valgfrie fridage",
    "Extra closed dates": "Ekstra lukkedage",
    "Override": "Tilsidesæt",
    "Menu message": "Menubesked",
    "Options": "Valgmuligheder",
    "Key": "Tast",
    "Label": "Betegnelse",
    "Seconds to wait for a key": "Sekunder der ventes på en tast",
    "Repeats after an invalid key or silence": "Gentagelser efter ugyldig tast eller stilhed",
    "Message after an invalid key": "Besked efter ugyldig tast",
    "Message after silence": "Besked efter stilhed",
    "Times to play": "Antal afspilninger",
    "Kind": "Type",
    "Queue name (empty: from the node)": "Kønavn (tomt: fra trinnet)",
    "Hold music": "Ventemusik",
    "Announcement while waiting": "Meddelelse under ventetiden",
    "Seconds between announcements": "Sekunder mellem meddelelser",
    "Longest wait before overflow": "Længste ventetid før overløb",
    "Members": "Medlemmer",
    "Ring strategy": "Ringestrategi",
    "Seconds to ring each member": "Sekunder der ringes til hvert medlem",
    "Caller ID shown": "Vist nummer (nummervisning)",
    "Number": "Nummer",
    "Seconds to ring": "Sekunder der ringes",
    "Voicemail box": "Telefonsvarerboks",
    "Greeting (empty: a standard text)": "Velkomst (tom: en standardtekst)",
    "Longest message": "Længste besked",
    "Beep before recording": "Bip før optagelsen",
    "Key that ends the message": "Tast, der afslutter beskeden",
    "Transcribe": "Skriv beskeden ud",
    # choices
    "Basic": "Basis",
    "Advanced": "Avanceret",
    "Receptionist": "Receptionist",
    "By the opening hours": "Efter åbningstiderne",
    "Always open": "Altid åbent",
    "Always closed": "Altid lukket",
    "Holiday": "Helligdag",
    "All at once": "Alle på én gang",
    "One after another": "Én ad gangen",
    "One after another, in random order": "Én ad gangen, i tilfældig rækkefølge",
}

# Texts built from a value (a menu's key ports).
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = ((re.compile(r"^Key (.)$"), "Tast {0}"),)


def danish(text: str) -> str | None:
    """The Danish of an English editor text; None when the catalogue lacks it.

    >>> danish("Key 5"), danish("Then"), danish("no such text")
    ('Tast 5', 'Derefter', None)
    """
    found = DANISH.get(text)
    if found is not None:
        return found
    for pattern, template in _PATTERNS:
        match = pattern.match(text)
        if match:
            return template.format(*match.groups())
    return None
