"""Names and identifiers as keys that forgive case, accents, punctuation and word order.

``normalise_name("CABELLO RONDÓN, Diosdado")`` is ``"cabello rondon diosdado"`` and
:func:`name_key` of it is ``"cabello diosdado rondon"`` (the distinct words, sorted), so two
spellings that differ only in those ways have the same key.  Letters of other scripts are
kept (lower-cased); only punctuation and symbols become spaces.
"""

from __future__ import annotations

import re
import unicodedata

_DOTTED_LETTER = re.compile(r"(?<!\w)(\w)\.(?=\w(?!\w))")
_APOSTROPHES = re.compile(r"['\u2019\u2018`´]")
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_IDENTIFIER_PREFIX = re.compile(r"^(?:IMO|MMSI)(?=\d)")


def normalise_name(text: object) -> str:
    """Lower-case, accents and apostrophes removed, dotted letters joined, other punctuation as single spaces.

    ``"Sa'id AL-JAMAL, S.A."`` -> ``"said al jamal sa"`` (so "S.A." and "SA" are the same word).
    Never raises: anything that is not text is read as ``str(text)``; ``None`` and NaN give ``""``.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    plain = _without_accents(_without_accents(str(text)).casefold())  # again: casefold can make accents
    plain = _APOSTROPHES.sub("", _DOTTED_LETTER.sub(r"\1", plain))
    return _NOT_WORD.sub(" ", plain).strip()


def _without_accents(text: str) -> str:
    """Compatibility-decomposed (NFKD), combining marks dropped: 'Rondón' -> 'Rondon', 'ﬁ' -> 'fi'."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def name_key(text: object) -> str:
    """The distinct words of :func:`normalise_name`, sorted: the same key whatever the word order."""
    return " ".join(sorted(set(normalise_name(text).split())))


def normalise_identifier(text: object) -> str:
    """An identifier as upper-case letters and digits only, without an ``IMO``/``MMSI`` prefix.

    ``"IMO 9187629"``, ``"imo9187629"`` and ``"9187629"`` all give ``"9187629"``;
    ``"V-8.348.784"`` gives ``"V8348784"``.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    plain = _without_accents(str(text)).upper()
    return _IDENTIFIER_PREFIX.sub("", _NOT_ALNUM.sub("", plain))
