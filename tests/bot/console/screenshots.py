"""Write the console's screenshots in docs/ (queue, case view, search, team, reports, English web chat)
from a live console with sample traffic.

Run from the repository root: ``.venv/bin/python -m tests.bot.console.screenshots``.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from sqlalchemy import update

from bot.console.canned import save_canned
from bot.console.users import create_user
from storage.db import session_scope
from storage.models import Message, Reply
from tests.bot.console.live import CHROMIUM, CHROMIUM_ARGS, LiveService, wait_until

DOCS = Path(__file__).resolve().parents[3] / "docs"
PASSWORD = "screenshot-password"

#: (conversation, text, minutes ago) typed into the web chat.
TRAFFIC = [
    ("giulia", "Aiuto, un signore si è sentito male sulla metro A a Termini, è a terra!", 2),
    ("marco", "il 64 è in ritardo stamattina?", 25),
    ("marco", "L'autista del 64 ha saltato la fermata di Largo Argentina e non ha aperto le porte", 9),
    ("laura", "Il tram 8 oggi non passa? Aspetto da 20 minuti a Trastevere", 4),
    ("tom", "Is tram 8 running today? We are waiting at Piazza Venezia", 3),
    ("franco", "Vergogna, bus 40 sporchissimo e aria condizionata rotta", 1),
    ("pietro", "quanto costa il biglietto?", 6),
    ("elena", "Metro C di nuovo lentissima, treni ogni 12 minuti", 2),
    ("paola", "Il 64 ha saltato la mia fermata a Largo Argentina, l'autista non ha nemmeno rallentato", 40),
    ("luca", ("Scrivo per l'ennesima volta: il 64 delle 7:40 da San Pietro non si ferma mai a Largo Argentina. "
              "Aspettiamo in dieci, vediamo arrivare il bus pieno e tirare dritto. ") * 8, 12),
]
#: The agent's answer to the 'paola' message: suggested again when the same question comes back.
PAST_ANSWER = ("Ci dispiace, abbiamo segnalato la fermata saltata di Largo Argentina a chi controlla la linea 64 "
               "e chiesto di richiamare il conducente al rispetto delle fermate.")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        service = LiveService(f"sqlite:///{tmp}/sportello.db", auto_answers=True).start()
        try:
            engine = service.app.engine
            create_user(engine, "anna", PASSWORD, "supervisor")
            create_user(engine, "bruno", PASSWORD, "agent")
            save_canned(engine, title="Tram 8 sostituito", lang="it", by="anna",
                        text="Il tram 8 è sostituito da bus navetta 8BUS per lavori.")
            now = service.app.clock()
            ids = []
            for _conversation, text, _ in TRAFFIC:
                token = httpx.post(f"{service.url}/api/chat/conversations").json()["token"]
                response = httpx.post(
                    f"{service.url}/api/chat", json={"text": text}, headers={"Authorization": f"Bearer {token}"}
                )
                ids.append(response.json()["message_id"])
            wait_until(lambda: all(service.app.queue.get(i).state not in ("received", "routed") for i in ids))
            with session_scope(engine) as session:
                for message_id, (_, _, minutes) in zip(ids, TRAFFIC, strict=True):
                    received = now - timedelta(minutes=minutes)
                    session.execute(
                        update(Message).where(Message.id == message_id).values(received_at=received)
                    )
                    session.execute(
                        update(Reply).where(Reply.message_id == message_id)
                        .values(created_at=received + timedelta(seconds=4), posted_at=received + timedelta(seconds=5))
                    )
                session.execute(
                    update(Message).where(Message.id == ids[5]).values(claimed_by="bruno", claimed_at=now)
                )
            from bot.console.desk import Desk
            from bot.console.notes import add_note

            desk = Desk(service.app.queue, claim_minutes=15)
            paola = ids[8]
            if service.app.queue.get(paola).state in ("awaiting_review", "escalated"):
                desk.send(paola, "bruno", PAST_ANSWER)
                wait_until(lambda: service.app.queue.get(paola).state == "sent")
            add_note(engine, ids[2], "bruno", "Stesso problema segnalato ieri da un altro cittadino: chiesto al deposito.",
                     at=now)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, "--lang=it-IT"])
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="it-IT")
                page.goto(f"{service.url}/console/login")
                page.fill("input[name=username]", "anna")
                page.fill("input[name=password]", PASSWORD)
                page.click("button.primary")
                page.wait_for_selector("#queue li.item")
                page.wait_for_timeout(600)
                page.screenshot(path=str(DOCS / "console-queue.png"), full_page=False)
                page.goto(f"{service.url}/console/messages/{ids[2]}")
                page.wait_for_selector("#timeline")
                page.locator("#suggest-results li.suggestion").first.wait_for()
                page.locator("#canned-results li").first.wait_for()
                page.wait_for_timeout(400)
                page.screenshot(path=str(DOCS / "console-case.png"), full_page=True)
                page.goto(f"{service.url}/console/search?q=64+fermata")
                page.wait_for_selector("#search-hits li.item")
                page.wait_for_timeout(300)
                page.screenshot(path=str(DOCS / "console-search.png"), full_page=False)
                page.goto(f"{service.url}/console/team")
                page.wait_for_selector("#workload")
                page.screenshot(path=str(DOCS / "console-team.png"), full_page=False)
                page.goto(f"{service.url}/console/insight/response")
                page.wait_for_selector("table.report")
                page.screenshot(path=str(DOCS / "console-report.png"), full_page=False)
                english = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en"},
                                              viewport={"width": 720, "height": 640})
                chat = english.new_page()
                chat.goto(f"{service.url}/")
                chat.fill("#text", "Is tram 8 running today? " * 170)
                chat.locator("#counter.over").wait_for()
                chat.screenshot(path=str(DOCS / "chat-en.png"), full_page=False)
                browser.close()
        finally:
            service.stop()
    print(f"wrote console-queue, console-case, console-search, console-team, console-report and chat-en PNGs in {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
