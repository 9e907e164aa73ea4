"""Street and place names reduced to a comparable key: case, accents, punctuation and abbreviations."""

from __future__ import annotations

import re
import unicodedata

# Abbreviations of Italian street types, as written on signs and in open street data.
ABBREVIATIONS = {
    "v.": "via", "v.le": "viale", "vle": "viale", "p.zza": "piazza", "pza": "piazza",
    "p.za": "piazza", "p.le": "piazzale", "c.so": "corso", "cso": "corso", "l.go": "largo",
    "lgo": "largo", "vic.": "vicolo", "vic": "vicolo", "str.": "strada", "lungomare": "lungomare",
    "p.tta": "piazzetta", "c.da": "contrada", "cda": "contrada", "s.": "san",
}
STREET_TYPES = ("via", "viale", "piazza", "piazzale", "piazzetta", "corso", "largo", "vicolo", "strada",
                "lungomare", "contrada", "borgo", "salita", "traversa", "vico", "rione", "lungotevere")


def fold(text: str) -> str:
    """Lower case without accents; apostrophes and punctuation become spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[’'`\"“”,;:!?()\[\]/-]", " ", plain)


def words(text: str) -> list[str]:
    """The folded words of ``text`` with street-type abbreviations expanded (a dot stays part of a word)."""
    out: list[str] = []
    for token in fold(text).split():
        expanded = ABBREVIATIONS.get(token)
        if expanded is None:
            expanded = ABBREVIATIONS.get(token.rstrip("."), token.strip("."))
        if expanded:
            out.append(expanded)
    return out


def street_key(name: str) -> str:
    """The comparable key of a street name: 'V.le Giuseppe Verdì' -> 'viale giuseppe verdi'."""
    return " ".join(words(name))
