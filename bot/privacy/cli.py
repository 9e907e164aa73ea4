"""``sportello privacy export|erase|retention``: a citizen's access request, erasure, and retention by hand."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from bot.config import Settings
from bot.domain import utcnow
from bot.errors import PrivacyError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.privacy.subject import Citizen


def add_privacy_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``privacy`` command and its sub-commands."""
    privacy = sub.add_parser("privacy", help="citizens' personal data: access, erasure, retention")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True)
    export = privacy_sub.add_parser("export", help="write everything held about a citizen as JSON")
    export.add_argument("--citizen", required=True, help="CHANNEL:ID, e.g. telegram:5001")
    export.add_argument("--output", help="file to write (default stdout)")
    export.add_argument("--config", help="configuration file (default ./config.yaml)")
    erase = privacy_sub.add_parser("erase", help="remove a citizen's data; anonymous counts stay")
    erase.add_argument("--citizen", required=True, help="CHANNEL:ID, e.g. telegram:5001")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.add_argument("--config", help="configuration file (default ./config.yaml)")
    retention = privacy_sub.add_parser("retention", help="anonymise what is past privacy.retain_days now")
    retention.add_argument("--config", help="configuration file (default ./config.yaml)")
    retention.add_argument("--now", help="apply the limits as of this ISO 8601 time (default: now)")


def privacy_command(name: str, args: argparse.Namespace, settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """Run ``sportello privacy <name>``; return the exit status."""
    from bot.privacy.subject import Citizen
    from storage.db import open_database

    citizen = Citizen.parse(args.citizen) if name in ("export", "erase") else None
    actor = "cli:" + (_whoami() or "unknown")
    if name == "erase" and not args.yes:
        if not stdin.isatty():
            msg = "erase: pass --yes to confirm (no terminal to ask on)"
            raise PrivacyError(msg)
        print(f"Type {citizen} again to erase everything held about them: ", end="", file=stdout, flush=True)
        if stdin.readline().strip() != str(citizen):
            print("not confirmed: nothing erased", file=sys.stderr)
            return 1
    engine = open_database(settings.storage.url)
    try:
        if name == "export" and citizen is not None:
            return _export(engine, citizen, args.output, actor, stdout)
        if name == "erase" and citizen is not None:
            return _erase(engine, citizen, actor, stdout)
        return _retention(engine, settings, args.now, stdout)
    finally:
        engine.dispose()


def _whoami() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _export(engine: Engine, citizen: Citizen, output: str | None, actor: str, stdout: TextIO) -> int:
    from bot.privacy.subject import export_citizen

    data = export_citizen(engine, citizen, actor=actor, now=utcnow())
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        with open(output, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    else:
        stdout.write(text + "\n")
    print(f"{citizen}: {len(data['messages'])} messages, {len(data['replies'])} replies, {len(data['cases'])} cases", file=sys.stderr)
    return 0


def _erase(engine: Engine, citizen: Citizen, actor: str, stdout: TextIO) -> int:
    from bot.privacy.subject import erase_citizen

    done = erase_citizen(engine, citizen, actor=actor, now=utcnow())
    print(
        f"{citizen}: erased {done.messages} messages, {done.replies} replies, {done.cases} cases, "
        f"{done.corrections} corrections, {done.subscriptions} subscriptions",
        file=stdout,
    )
    print("database files: " + ", ".join(done.files.steps), file=stdout)
    if done.files.note:
        print("note: " + done.files.note, file=stdout)
    return 0 if done.files.complete else 3


def _retention(engine: Engine, settings: Settings, now: str | None, stdout: TextIO) -> int:
    from dataclasses import asdict

    from bot.privacy.retention import apply_retention

    from bot.cli import parse_now

    done = apply_retention(engine, settings.privacy.retain_days, now=parse_now(now) or utcnow())
    print(", ".join(f"{k} {v}" for k, v in asdict(done).items()), file=stdout)
    return 0
