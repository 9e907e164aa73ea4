"""Personal data in what citizens write: phones, e-mails, tax codes, IBANs, cards, plates; found and masked."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """A kind of personal data."""

    EMAIL = "email"
    TAX_CODE = "tax_code"
    IBAN = "iban"
    CARD = "card"
    PHONE = "phone"
    PLATE = "plate"


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and where it is in the text."""

    kind: Kind
    start: int
    end: int
    text: str


MASK = "•"
#: What replaces a whole finding where nothing of it may show (public replies, anonymised texts).
PLACEHOLDER = {
    Kind.EMAIL: "[email]",
    Kind.TAX_CODE: "[cf]",
    Kind.IBAN: "[iban]",
    Kind.CARD: "[carta]",
    Kind.PHONE: "[telefono]",
    Kind.PLATE: "[targa]",
}

# --- e-mail -------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")

# --- codice fiscale -----------------------------------------------------------------------

# Digits may be replaced by these letters when two people would get the same code (omocodia).
_OMO = "LMNPQRSTUV"
_D = f"[0-9{_OMO}]"
_TAX_CODE = re.compile(
    rf"(?<![A-Za-z0-9])[A-Z]{{6}}{_D}{{2}}[ABCDEHLMPRST]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z](?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Value of each character in an odd (1st, 3rd, ...) position; digits count as the letter of the same index.
_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)


def _char_index(char: str) -> int:
    return ord(char) - ord("0") if char.isdigit() else ord(char) - ord("A")


def tax_code_valid(code: str) -> bool:
    """Whether a 16-character codice fiscale's last character is its check character."""
    code = code.upper()
    if len(code) != 16 or not code.isalnum():
        return False
    total = 0
    for position, char in enumerate(code[:15]):
        index = _char_index(char)
        total += _ODD[index] if position % 2 == 0 else index
    return code[15] == chr(ord("A") + total % 26)


# --- IBAN ---------------------------------------------------------------------------------

_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?=[ ]?[A-Za-z0-9])")
_IBAN_MIN, _IBAN_MAX = 15, 34


def iban_valid(iban: str) -> bool:
    """Whether a compact IBAN passes the ISO 13616 mod-97 check."""
    iban = iban.upper()
    if not (_IBAN_MIN <= len(iban) <= _IBAN_MAX) or not iban.isalnum() or not iban[2:4].isdigit():
        return False
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def _ibans(text: str) -> list[Finding]:
    found: list[Finding] = []
    for start_match in _IBAN_START.finditer(text):
        start = start_match.start()
        chars: list[int] = []  # positions of the IBAN's characters in the text
        i = start
        while i < len(text) and len(chars) < _IBAN_MAX:
            if text[i].isascii() and text[i].isalnum():
                chars.append(i)
                i += 1
            elif text[i] == " " and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum() and chars:
                i += 1
            else:
                break
        for length in range(len(chars), _IBAN_MIN - 1, -1):
            end = chars[length - 1] + 1
            if end < len(text) and text[end].isascii() and text[end].isalnum():
                continue  # an IBAN never ends in the middle of a word
            if iban_valid("".join(text[p] for p in chars[:length])):
                found.append(Finding(Kind.IBAN, start, end, text[start:end]))
                break
    return found


# --- payment cards ------------------------------------------------------------------------

_CARD = re.compile(r"(?<![\d.,/-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d])")


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _cards(text: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _CARD.finditer(text):
        positions = [match.start() + i for i, c in enumerate(match.group()) if c.isdigit()]
        for length in range(min(len(positions), 19), 12, -1):
            end = positions[length - 1] + 1
            if end < len(text) and text[end].isdigit():
                continue  # a card number never ends inside a group of digits
            digits = "".join(text[p] for p in positions[:length])
            if luhn_valid(digits) and len(set(digits)) > 1:
                found.append(Finding(Kind.CARD, match.start(), end, text[match.start():end]))
                break
    return found


# --- phones -------------------------------------------------------------------------------

_SEP = r"[ .\-/]?"
_PHONES = (
    # + or 00 and a country code (+39 included), then 6 to 13 more digits
    re.compile(rf"(?<![\w+])(?:\+|00)[1-9]\d{{0,2}}(?:{_SEP}\(?0?\)?)?{_SEP}\d(?:[ .\-]?\d){{5,12}}(?!\d)"),
    # Italian mobile: ten digits from 3, written together or grouped after the first three
    re.compile(
        rf"(?<![\w+])\(?3\d{{2}}\)?(?:\d{{7}}|[ .\-/](?:\d{{3}}{_SEP}\d{{4}}|\d{{4}}{_SEP}\d{{3}}"
        rf"|\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{3}}|\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{2}}|\d{{7}}))(?!\d)"
    ),
    # Italian landline: 0 and an area code, 8 to 11 digits in all
    re.compile(rf"(?<![\w+])\(?0[1-9]\d{{0,2}}\)?{_SEP}(?:\d{{2,4}}{_SEP}\d{{2,4}}(?:{_SEP}\d{{2,4}})?|\d{{4,9}})(?!\d)"),
)
_DATE = re.compile(r"\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}")
_TIME = re.compile(r"\d{1,2}[.]\d{2}(?:\s*[-–]\s*\d{1,2}[.]\d{2})?")


def _phones(text: str) -> list[Finding]:
    found: list[Finding] = []
    for pattern in _PHONES:
        for match in pattern.finditer(text):
            value = match.group()
            digits = sum(c.isdigit() for c in value)
            if len({c for c in value if c.isdigit()}) < 3:
                continue  # 0000 0000, 333 3333333: filler, not a number
            if value.startswith(("0", "(0")) and not value.startswith("00") and not 8 <= digits <= 11:
                continue
            if _DATE.fullmatch(value) or _TIME.fullmatch(value):
                continue
            found.append(Finding(Kind.PHONE, match.start(), match.end(), value))
    return found


# --- licence plates -----------------------------------------------------------------------

# Italian plates use no I, O, Q or U.
_L = "[A-HJ-NPR-Za-hj-npr-z]"
_U = "[A-HJ-NPR-Z]"
# Since 1994 "AB 123 CD"; in lower case only when written together ("ab123cd"), so "ha 100 km" is no plate.
_PLATE_CAR = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_U}{{2}}[ \-]?\d{{3}}[ \-]?{_U}{{2}}|{_L}{{2}}\d{{3}}{_L}{{2}})(?![A-Za-z0-9])"
)
_PLATE_MOTO = re.compile(r"(?<![A-Za-z0-9])[A-HJ-NPR-Z]{2}[ \-]?\d{5}(?![A-Za-z0-9])")
_PROVINCES = (
    "AG AL AN AO AP AQ AR AT AV BA BG BI BL BN BO BR BS BT BZ CA CB CE CH CL CN CO CR CS CT CZ EN FC FE FG FI "
    "FM FR GE GO GR IM IS KR LC LE LI LO LT LU MB MC ME MI MN MO MS MT NA NO NU OR PA PC PD PE PG PI PN PO PR PT "
    "PU PV PZ RA RC RE RG RI RM RN RO SA SI SO SP SR SS SU SV TA TE TN TO TP TR TS TV UD VA VB VC VE VI VR VT VV"
).split()
# Plates before 1994: province, then six characters of which at least four are digits ("RM 123456", "RM S12345").
_PLATE_OLD = re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(_PROVINCES)}|ROMA)[ \-]?(?=(?:[A-Z]?\d){{4}})[A-Z0-9]{{6}}(?![A-Za-z0-9])")
# Any plate-like token right after the word for a plate ("targa X2B3C4", "plate AB-123-CD").
_PLATE_NAMED = re.compile(
    r"(?i:\b(?:targ[ae]|targat[oa]|(?:licen[cs]e |number )?plate)\b)[\s:.n°]*((?=[A-Za-z0-9 \-]*\d)(?=[A-Za-z0-9 \-]*[A-Za-z])[A-Za-z0-9]{1,4}(?:[ \-]?[A-Za-z0-9]{1,4}){1,3})(?![A-Za-z0-9])"
)


def _plates(text: str) -> list[Finding]:
    found = [Finding(Kind.PLATE, m.start(), m.end(), m.group()) for p in (_PLATE_CAR, _PLATE_MOTO, _PLATE_OLD) for m in p.finditer(text)]
    for match in _PLATE_NAMED.finditer(text):
        value = match.group(1)
        if 5 <= sum(c.isalnum() for c in value) <= 8:
            found.append(Finding(Kind.PLATE, match.start(1), match.end(1), value))
    return found


# --- all together -------------------------------------------------------------------------


def _emails(text: str) -> list[Finding]:
    return [Finding(Kind.EMAIL, m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)]


def _tax_codes(text: str) -> list[Finding]:
    return [Finding(Kind.TAX_CODE, m.start(), m.end(), m.group()) for m in _TAX_CODE.finditer(text) if tax_code_valid(m.group())]


#: Finders in order of precedence: where two findings overlap, the earlier kind wins.
_FINDERS = (_emails, _tax_codes, _ibans, _cards, _phones, _plates)


def find_pii(text: str) -> list[Finding]:
    """Every piece of personal data in ``text``, in order, none overlapping."""
    if not text:
        return []
    taken: list[Finding] = []
    for finder in _FINDERS:
        for finding in finder(text):
            if not any(finding.start < t.end and t.start < finding.end for t in taken):
                taken.append(finding)
    return sorted(taken, key=lambda f: f.start)


def has_pii(text: str) -> bool:
    """Whether ``text`` holds any personal data."""
    return bool(find_pii(text))


def _partial(finding: Finding) -> str:
    """A finding with just enough left to tell it apart: an e-mail's domain, the last few characters."""
    value = finding.text
    if finding.kind is Kind.EMAIL:
        return MASK * 4 + value[value.index("@"):]
    keep = {Kind.TAX_CODE: 4, Kind.IBAN: 4, Kind.CARD: 4, Kind.PHONE: 2, Kind.PLATE: 0}[finding.kind]
    alnum = [i for i, c in enumerate(value) if c.isalnum()]
    hidden = set(alnum[: len(alnum) - keep])
    return "".join(MASK if i in hidden else c for i, c in enumerate(value))


def mask(text: str) -> str:
    """``text`` with each piece of personal data hidden but for a hint (what agents see before revealing)."""
    return _replace(text, _partial)


def redact(text: str) -> str:
    """``text`` with each piece of personal data replaced by its kind (logs, exports, public echoes)."""
    return _replace(text, lambda f: PLACEHOLDER[f.kind])


def _replace(text: str, how: Callable[[Finding], str]) -> str:
    findings = find_pii(text)
    if not findings:
        return text
    parts: list[str] = []
    last = 0
    for finding in findings:
        parts.append(text[last:finding.start])
        parts.append(how(finding))
        last = finding.end
    parts.append(text[last:])
    return "".join(parts)


def _canonical(value: str) -> str:
    return "".join(c for c in value.casefold() if c.isalnum())


def without_echo(reply: str, said: str) -> str:
    """``reply`` with any personal data the citizen wrote in ``said`` replaced by its kind.

    The operator's own contacts in a reply (a FAQ's e-mail address, a phone line) stay.
    """
    theirs = {_canonical(f.text) for f in find_pii(said)}
    if not theirs:
        return reply
    return _replace(reply, lambda f: PLACEHOLDER[f.kind] if _canonical(f.text) in theirs else f.text)
