"""The personal-data recogniser: what it finds, what it must leave alone, how it masks."""

from __future__ import annotations

import pytest

from bot.privacy.pii import Kind, find_pii, iban_valid, luhn_valid, mask, redact, tax_code_valid


def found(text: str) -> list[tuple[Kind, str]]:
    return [(f.kind, f.text) for f in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("scrivetemi a mario.rossi@example.com grazie", Kind.EMAIL, "mario.rossi@example.com"),
        ("MARIO_R+atac@posta.comune.roma.it", Kind.EMAIL, "MARIO_R+atac@posta.comune.roma.it"),
        ("il mio codice fiscale è RSSMRA85T10A562S", Kind.TAX_CODE, "RSSMRA85T10A562S"),
        ("cf rssmra85t10a562s", Kind.TAX_CODE, "rssmra85t10a562s"),
        ("IBAN IT60 X054 2811 1010 0000 0123 456 grazie", Kind.IBAN, "IT60 X054 2811 1010 0000 0123 456"),
        ("rimborso su IT60X0542811101000000123456.", Kind.IBAN, "IT60X0542811101000000123456"),
        ("conto tedesco DE89 3704 0044 0532 0130 00", Kind.IBAN, "DE89 3704 0044 0532 0130 00"),
        ("carta 4111 1111 1111 1111 addebitata due volte", Kind.CARD, "4111 1111 1111 1111"),
        ("mastercard 5500-0000-0000-0004", Kind.CARD, "5500-0000-0000-0004"),
        ("amex 378282246310005", Kind.CARD, "378282246310005"),
        ("chiamatemi al 333 123 4567", Kind.PHONE, "333 123 4567"),
        ("cell. 3331234567", Kind.PHONE, "3331234567"),
        ("+39 333 1234567", Kind.PHONE, "+39 333 1234567"),
        ("0039 06 1234 5678", Kind.PHONE, "0039 06 1234 5678"),
        ("tel 06 12345678", Kind.PHONE, "06 12345678"),
        ("ufficio 06-1234-5678", Kind.PHONE, "06-1234-5678"),
        ("studio 02.1234.5678", Kind.PHONE, "02.1234.5678"),
        ("call me on +44 20 7946 0958", Kind.PHONE, "+44 20 7946 0958"),
        ("la mia auto AB 123 CD è stata urtata", Kind.PLATE, "AB 123 CD"),
        ("targa ab123cd", Kind.PLATE, "ab123cd"),
        ("auto EF-456-GH in doppia fila", Kind.PLATE, "EF-456-GH"),
        ("ciclomotore targa X2B3C4", Kind.PLATE, "X2B3C4"),
        ("moto AB12345", Kind.PLATE, "AB12345"),
        ("una vecchia RM 123456", Kind.PLATE, "RM 123456"),
        ("plate: ZZ 999 ZZ", Kind.PLATE, "ZZ 999 ZZ"),
    ],
)
def test_personal_data_is_found(text: str, kind: Kind, value: str) -> None:
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize(
    "text",
    [
        "il 64 è in ritardo",
        "il tram 8 funziona?",
        "linee 64 e 40, e il 910",
        "fermata 70340",
        "fermate 70340 70341 70342",
        "fermate 31234 31235",
        "linee 313 314 315",
        "bus 64 fermata 70340 ore 8:30",
        "alle 08:30", "alle 8.30", "dalle 7.30 alle 9.30",
        "il 64 delle 8:12 e il 40 delle 8:20",
        "costa 1,50 €", "ho pagato 35,00 euro", "multa da 104.00 euro",
        "il 01/12/2026", "01.12.2026", "2026-11-27", "il 12.12.2026 alle 18.45",
        "pratica n. 2026/12345", "/stato 123", "segnalazione #4521", "matricola 4521",
        "@ATAC_Roma ciao", "/linea@sportello_bot 64",
        "06 57003", "numero verde 800 123 456",
        "aspetto da 20 minuti", "ha fatto 100 km", "ha 100 km",
        "MA 123456",
        "RSSMRA85T10A562X",
        "IT60 X054 2811 1010 0000 0123 457",
        "4111 1111 1111 1112",
        "biglietto 12345678901234",
        "0000 0000 0000 0000",
        "metro A chiusa a Ottaviano?",
    ],
)
def test_look_alikes_are_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_tax_code_check_character() -> None:
    assert tax_code_valid("RSSMRA85T10A562S")
    assert not tax_code_valid("RSSMRA85T10A562T")
    assert tax_code_valid("rssmra85t10a562s")


def test_tax_code_with_omocodia_letters_is_checked_too() -> None:
    # The same person as RSSMRA85T10A562S with the last digit replaced by its letter (2 -> N).
    base = "RSSMRA85T10A56N"
    check = next(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if tax_code_valid(base + c))
    assert found(f"cf {base}{check}") == [(Kind.TAX_CODE, base + check)]


def test_iban_and_card_checks() -> None:
    assert iban_valid("IT60X0542811101000000123456")
    assert not iban_valid("IT61X0542811101000000123456")
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_several_kinds_in_one_message_in_order() -> None:
    text = "Sono Mario, cf RSSMRA85T10A562S, tel 3331234567, mail m.rossi@example.com"
    assert [k for k, _ in found(text)] == [Kind.TAX_CODE, Kind.PHONE, Kind.EMAIL]


def test_mask_keeps_a_hint_only() -> None:
    assert mask("scrivi a mario.rossi@example.com") == "scrivi a ••••@example.com"
    assert mask("CF RSSMRA85T10A562S") == "CF ••••••••••••562S"
    assert mask("carta 4111 1111 1111 1111") == "carta •••• •••• •••• 1111"
    assert mask("tel 3331234567") == "tel ••••••••67"
    assert mask("auto AB 123 CD") == "auto •• ••• ••"
    assert mask("il 64 è in ritardo") == "il 64 è in ritardo"


def test_redact_leaves_only_the_kind() -> None:
    assert redact("/linea mario.rossi@example.com") == "/linea [email]"
    assert redact("cf RSSMRA85T10A562S tel 333 123 4567") == "cf [cf] tel [telefono]"


def test_only_x_mentions_and_telegram_groups_are_public_threads() -> None:
    from bot.privacy.audience import public_thread

    assert public_thread("x", {"x_kind": "mention"}) and not public_thread("x", {"x_kind": "dm"})
    assert public_thread("telegram", {"chat_type": "supergroup"}) and not public_thread("telegram", {"chat_type": "private"})
    assert not public_thread("web", {}) and not public_thread("telegram", None)
