"""The scripts the reader reads: the table is data with its own test, and a message mostly in another script is found."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.reading.scripts import SCRIPTS, UNKNOWN, ScriptTable, ScriptTableError, letter_script, script_counts


def test_every_example_letter_is_in_the_script_it_stands_for() -> None:
    assert SCRIPTS.read  # the file loaded and checked itself
    for script, letter in SCRIPTS.read.items():
        assert letter_script(letter) == script


#: the scripts of the sentence encoder's own languages (ar, zh, nl, en, fr, de, it, ja, ko, pl, pt, es, th, tr, ru)
ENCODER_SCRIPTS = frozenset({"LATIN", "ARABIC", "CYRILLIC", "CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH", "FULLWIDTH",
                             "HANGUL", "THAI"})
TRAINING = Path(__file__).resolve().parents[3] / "knowledge" / "training"
#: fewest training messages mostly in a script, beyond the encoder's, for the n-grams to be said to read it
FEWEST_TAUGHT = 20


@pytest.mark.parametrize("script", ["LATIN", "ARABIC", "CYRILLIC", "GREEK", "CJK", "HANGUL", "HIRAGANA", "KATAKANA",
                                    "THAI"])
def test_the_scripts_of_the_readers_languages_are_read(script: str) -> None:
    assert script in SCRIPTS.read


@pytest.mark.parametrize("script", ["ETHIOPIC", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "TAMIL", "TELUGU",
                                    "KANNADA", "MALAYALAM", "SINHALA", "MYANMAR", "KHMER", "LAO", "GEORGIAN",
                                    "ARMENIAN", "HEBREW"])
def test_scripts_none_of_the_readers_languages_use_are_not_read(script: str) -> None:
    assert script not in SCRIPTS.read


def _main_script(text: str) -> str | None:
    counts = script_counts(text)
    return max(counts, key=counts.__getitem__) if counts else None


def test_every_script_read_beyond_the_encoders_is_taught_by_the_training_files() -> None:
    taught: Counter[str | None] = Counter()
    for path in sorted(TRAINING.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                taught[_main_script(str(json.loads(line)["text"]))] += 1
    assert taught["LATIN"] > 10_000  # the files were found
    untaught = {script: taught[script] for script in SCRIPTS.read
                if script not in ENCODER_SCRIPTS and taught[script] < FEWEST_TAUGHT}
    assert not untaught, f"scripts read by neither the encoder nor the training files: {untaught}"


def test_a_hebrew_message_is_one_the_reader_cannot_read() -> None:
    assert SCRIPTS.unread_script("האם הרכבת פועלת היום?") == "HEBREW"


def test_a_letter_without_a_unicode_name_is_in_no_known_script() -> None:
    assert letter_script("\ue000") == UNKNOWN  # private use
    assert letter_script("क") == "DEVANAGARI"


@pytest.mark.parametrize(("text", "script"), [
    ("ሰላም፣ ሜትሮ ዛሬ ይሰራል?", "ETHIOPIC"),
    ("मेट्रो आज चल रही है?", "DEVANAGARI"),
    ("মেট্রো কি আজ চলছে?", "BENGALI"),
    ("ამ დილით მეტრო მუშაობს?", "GEORGIAN"),
    ("metro 64 ሰላም ሜትሮ ዛሬ ይሰራል", "ETHIOPIC"),  # a line number and a Latin word do not make it readable
])
def test_a_message_mostly_in_a_script_the_reader_cannot_read_names_that_script(text: str, script: str) -> None:
    assert SCRIPTS.unread_script(text) == script


@pytest.mark.parametrize("text", [
    "il 64 passa?", "Fährt die U-Bahn heute?", "هل يعمل المترو اليوم؟", "метро сегодня работает?",
    "λειτουργεί το μετρό;", "地铁今天运行吗？", "今日は地下鉄が動いていますか", "지하철 오늘 운행해요?",
    "รถไฟใต้ดินวันนี้เปิดไหม", "ＡＢＣ ｶﾀｶﾅ",
])
def test_a_message_in_a_script_the_reader_reads_is_left_to_it(text: str) -> None:
    assert SCRIPTS.unread_script(text) is None


def test_a_message_half_in_an_unread_script_is_left_to_the_reader() -> None:
    assert SCRIPTS.unread_script("abcd कखगघ") is None  # "mostly" means more than half its letters
    assert SCRIPTS.unread_script("abc कखगघ") == "DEVANAGARI"


def test_a_message_without_letters_is_left_to_the_reader() -> None:
    assert SCRIPTS.unread_script("64? 🚌 !!!") is None
    assert SCRIPTS.unread_script("") is None


def test_an_example_letter_outside_its_script_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "scripts.yaml"
    path.write_text('read:\n  LATIN: "a"\n  THAI: "б"\n', encoding="utf-8")
    with pytest.raises(ScriptTableError, match="'THAI'"):
        ScriptTable.load(path)


def test_an_example_of_more_than_one_letter_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "scripts.yaml"
    path.write_text('read:\n  LATIN: "ab"\n', encoding="utf-8")
    with pytest.raises(ScriptTableError, match="'LATIN'"):
        ScriptTable.load(path)


@pytest.mark.parametrize("body", ["", "read: {}\n", "read: [LATIN]\n"])
def test_a_table_without_scripts_is_an_error(tmp_path: Path, body: str) -> None:
    path = tmp_path / "scripts.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ScriptTableError, match="'read'"):
        ScriptTable.load(path)


def test_styled_latin_letters_of_a_post_are_latin() -> None:
    bold = "𝐢𝐥 𝟔𝟒 𝐞̀ 𝐢𝐧 𝐫𝐢𝐭𝐚𝐫𝐝𝐨?"  # mathematical bold, as styled-text sites write it
    assert {letter_script(c) for c in bold if c.isalpha()} >= {"MATHEMATICAL"}
    assert SCRIPTS.unread_script(bold) is None


def test_an_ascii_text_is_read_without_counting_its_letters() -> None:
    """Every ASCII letter is in a script the reader reads, so a text all in ASCII is never unread (no count needed)."""
    assert all(letter_script(c) in SCRIPTS.read for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert SCRIPTS.unread_script("the 64 is late again!!") is None
    assert SCRIPTS.unread_script("ኣውቶቡስ 64 ኣይመጸን") == "ETHIOPIC"  # not ASCII: counted as before


@pytest.mark.parametrize(("text", "script"), [
    ("il 64 passa?", "LATIN"),
    ("Ｍｅｔｒｏ Ａ ok?", "LATIN"),  # full-width Latin letters of a Chinese keyboard
    ("今天地铁B线正常运行吗？", "CJK"),
    ("трамвай 8 їде до Casaletto сьогодні?", "CYRILLIC"),
    ("🚌❓ 64!!", None),
])
def test_the_main_script_of_a_message_is_the_one_most_of_its_letters_are_in(text: str, script: str | None) -> None:
    from bot.reading.scripts import SCRIPTS

    assert SCRIPTS.main_script(text) == script
