"""X's weighted length and numbered threads."""

from __future__ import annotations

from bot.channels.x_text import same_post, split_thread, weighted_length


def test_latin_text_counts_one_per_character() -> None:
    assert weighted_length("il 64 è in ritardo?") == 19


def test_a_url_counts_23_whatever_its_length() -> None:
    url = "https://www.atac.roma.it/linee-e-orari/" + "x" * 80
    assert weighted_length(f"vedi {url}") == 5 + 23


def test_a_bare_domain_counts_as_a_url() -> None:
    assert weighted_length("info su atac.roma.it") == 8 + 23


def test_emoji_cjk_and_joined_sequences_count_two() -> None:
    assert weighted_length("🚌") == 2
    assert weighted_length("👨‍👩‍👧‍👦") == 2  # a family joined with ZWJ is one emoji
    assert weighted_length("🇮🇹") == 2
    assert weighted_length("👍🏽") == 2
    assert weighted_length("東京") == 4


def test_arabic_and_hebrew_count_one() -> None:
    assert weighted_length("مرحبا") == 5
    assert weighted_length("שלום") == 4


def test_a_short_reply_stays_one_post_without_numbering() -> None:
    assert split_thread("Nessun disservizio sulla linea 64.") == ["Nessun disservizio sulla linea 64."]


def test_a_long_reply_becomes_numbered_posts_within_the_limit() -> None:
    text = " ".join(f"parola{i} 🚇 東" for i in range(300))
    parts = split_thread(text)
    assert len(parts) > 1
    assert all(weighted_length(p) <= 280 for p in parts)
    assert [p.rsplit(" ", 1)[1] for p in parts] == [f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)]
    rebuilt = " ".join(p.rsplit(" ", 1)[0] for p in parts)
    assert rebuilt == text


def test_a_url_is_never_cut_between_posts() -> None:
    url = "https://www.atac.roma.it/" + "a" * 300
    parts = split_thread("x " * 200 + url + " fine")
    assert any(url in p for p in parts)


def test_a_word_longer_than_a_post_is_cut_without_breaking_an_emoji() -> None:
    parts = split_thread("🚌" * 400)
    assert all(weighted_length(p) <= 280 for p in parts)
    assert "".join(p.rsplit(" ", 1)[0] for p in parts) == "🚌" * 400


def test_a_ten_thousand_character_reply_is_split_completely() -> None:
    text = ("Linea 64 deviata per lavori, fermate sospese a Largo Argentina. " * 160)[:10_000]
    parts = split_thread(text)
    assert all(weighted_length(p) <= 280 for p in parts)
    assert " ".join(p.rsplit(" ", 1)[0] for p in parts) == " ".join(text.split())


def test_a_post_read_back_matches_despite_mentions_entities_and_shortened_links() -> None:
    sent = "Orari & deviazioni: https://www.atac.roma.it/x"
    posted = "@citizen2001 Orari &amp; deviazioni: https://t.co/AbCdEfGhIj"
    assert same_post(posted, sent)
    assert not same_post(posted, "Orari e deviazioni: https://www.atac.roma.it/x")
