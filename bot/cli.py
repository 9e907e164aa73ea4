"""The ``sportello`` command: run the service, route or evaluate messages, manage users."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from bot import redact
from bot.config import Settings, load_settings
from bot.errors import SportelloError
from bot.ops import logs
from bot.privacy.cli import add_privacy_parser, privacy_command

log = logging.getLogger("sportello")

DEFAULT_CONFIG = "config.yaml"

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    """Register a sub-command handler under ``name`` (``"faq match"`` for nested ones)."""

    def wrap(func: Command) -> Command:
        COMMANDS[name] = func
        return func

    return wrap


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from ``--config`` (or ./config.yaml when it exists) and the environment."""
    path = getattr(args, "config", None)
    if path is None and Path(DEFAULT_CONFIG).exists():
        path = DEFAULT_CONFIG
    return load_settings(path)


def parse_now(value: str | None) -> datetime | None:
    """``--now`` as an aware datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        msg = f"--now: expected an ISO 8601 time such as 2026-11-27T08:30:00+01:00, got {value!r}"
        raise SportelloError(msg) from exc
    from bot.domain import as_utc

    return as_utc(moment)


def _positive_int(text: str) -> int:
    """An argument that must be a whole number of at least 1, or a usage error that says so."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"must be a whole number of at least 1, not {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _knowledge_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="configuration file (default ./config.yaml)")
    parser.add_argument("--gtfs", help="GTFS folder or zip (overrides knowledge.gtfs)")
    parser.add_argument("--stop-names", help="stop names in other languages, GTFS translations.txt format "
                        "(overrides knowledge.stop_names)")
    parser.add_argument("--alerts", help="GTFS-Realtime alerts file (.pb or .textproto)")
    parser.add_argument("--faq", action="append", help="FAQ folder or YAML file (repeatable)")
    parser.add_argument("--now", help="fix the clock, ISO 8601 (e.g. 2026-11-27T08:30:00+01:00)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(prog="sportello", description=__doc__)
    parser.add_argument("--version", action="version", version=f"sportello {version()}",
                        help="print sportello's version and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the service: workers, scheduler, channels, web")
    run.add_argument("--config", help="configuration file (default ./config.yaml)")
    run.add_argument("--workers", type=int, help="worker threads (in each worker process, see workers.processes)")
    run.add_argument("--no-web", action="store_true", help="do not serve HTTP (worker-only process)")

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    migrate.add_argument("--config", help="configuration file (default ./config.yaml)")

    route = sub.add_parser("route", help="route JSON Lines from stdin; write decisions to stdout")
    _knowledge_flags(route)

    evaluate = sub.add_parser("eval", help="score the router on a labelled JSON Lines file")
    evaluate.add_argument("file", help="labelled messages (JSON Lines)")
    _knowledge_flags(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.add_argument("--mistakes", action="store_true", help="list every wrong message")

    evaluate.add_argument("--model", help="reader model file to score (default: the one in service)")
    evaluate.add_argument("--previous", help="a second model file, scored beside the first")

    training = sub.add_parser("train", help="train the reader on the labelled files and corrections")
    _knowledge_flags(training)
    training.add_argument("file", nargs="*", help="labelled JSON Lines files (default: the repository's and reader.training)")
    training.add_argument("--corrections", action="store_true", help="also learn from the database's corrections")
    training.add_argument("--output", help="write the model here (default: put in service if no worse)")
    training.add_argument(
        "--recipe", choices=("default", "in-service", "split", "anew", "reread"), default="default",
        help="how to train: default, the code's recipe; in-service, the recipe the model in service was trained "
        "with, read from its file (to retrain it on new messages alone); split, the danger part of the model in "
        "service kept unchanged and the calm part (calm intents, category, calibration) trained anew; anew, the "
        "code's danger part fitted anew and the split calm part fitted on top of it; reread, "
        "nothing fitted: the model in service with its danger part read as the code's recipe reads danger, its "
        "thresholds set again from its own held-out readings, accepted when the messages it never trained on lose "
        "no emergency and gain no false alarm",
    )
    training.add_argument("--epochs", type=int, help="gradient steps of the intent head (default: the recipe's)")
    training.add_argument("--folds", type=int, help="held-out folds for calibration (default: the recipe's, 5)")
    training.add_argument("--writer-folds", action=argparse.BooleanOptionalAction, default=None,
                          help="held-out folds that never split a writer, or random ones with --no-writer-folds "
                          "(default: the recipe's; writer-grouped)")
    training.add_argument("--danger-false-alarms", type=float, metavar="SHARE",
                          help="a false-alarm budget for the danger thresholds of a recipe that fits a danger part "
                          "(default, in-service, anew): each threshold is raised until at most this share of held-out calm "
                          "messages reach it, if recall alone would let more in (default: none, recall alone)")
    training.add_argument("--jobs", type=_positive_int, default=1,
                          help="left-out files whose heads the retrain gate fits at once, each in a process of its "
                          "own (default 1; the same verdict whatever the number: give it the cores the machine can "
                          "spare)")

    calibrate = sub.add_parser(
        "calibrate", help="choose the reader's auto-reply threshold on labelled messages it never trained on")
    _knowledge_flags(calibrate)
    calibrate.add_argument("file", nargs="+", help="labelled JSON Lines files (messages the model trained on are "
                           "left out)")
    calibrate.add_argument("--target", type=float, default=0.985,
                           help="the share of answers posted alone that must be right (default 0.985)")
    calibrate.add_argument("--model", help="the model file (default: the one in service)")
    calibrate.add_argument("--output", help="write the model with the chosen threshold here (default: print only)")

    faq = sub.add_parser("faq", help="the FAQ engine alone")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True)
    match = faq_sub.add_parser("match", help="match {id,text} lines to FAQ entries")
    match.add_argument("--faq", action="append", help="FAQ folder or YAML file (repeatable)")
    match.add_argument("--config", help="configuration file (default ./config.yaml)")
    match.add_argument("--threshold", type=float, help="minimum calibrated score")
    match.add_argument(
        "--engine", choices=("lexical", "fused"),
        help="default: the configuration's knowledge.faq_engine. lexical: the transit FAQ engine (several phrasings "
        "an entry); fused: for utility FAQs with one formal question and a long answer per entry",
    )

    users = sub.add_parser("users", help="console users")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="create a user; the password is read from stdin")
    add.add_argument("name", help="the sign-in name")
    add.add_argument("--role", required=True, choices=["agent", "supervisor", "admin"],
                     help="agent works the queue; supervisor also assigns and reads reports; admin manages users")
    add.add_argument("--config", help="configuration file (default ./config.yaml)")

    corrections = sub.add_parser("corrections", help="agents' corrections of the router")
    corrections_sub = corrections.add_subparsers(dest="corrections_command", required=True)
    export = corrections_sub.add_parser("export", help="write them as labelled JSON Lines (for eval)")
    export.add_argument("--config", help="configuration file (default ./config.yaml)")
    export.add_argument("--output", help="file to write (default stdout)")

    add_privacy_parser(sub)

    report = sub.add_parser("report", help="operations reports")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    problems = report_sub.add_parser("problems", help="reports by line, stop, category, hour")
    _report_flags(problems, period=True, formats=["table", "csv", "json", "png"])
    problems.add_argument("--route", help="only the reports naming this line (route id or name, e.g. 64, MA); "
                                          "the same as --subject line:64")
    problems.add_argument("--subject", metavar="KIND:ID",
                          help="only the reports naming this subject: line:64, stop:70340, street:072006:via argiro, "
                               "district:BA-MURAT, service_point:FONT-BA-UMBERTO (an id or the label people read)")
    problems.add_argument("--service", help="only one service's reports, on a desk of several (services.<name>)")
    problems.add_argument("--lang", choices=["it", "en"], default="en",
                          help="the language of the charts' titles, legend and axes with --format png (default en)")
    service = report_sub.add_parser("service", help="trips promised versus delivered")
    _report_flags(service, period=False, formats=["table", "csv", "json"])
    service.add_argument("--date", required=True, help="the day: 2026-11-27, 20261127, today or yesterday")
    service.add_argument("--route", help="one line's trips, gaps and stops (route id or name, e.g. 64)")
    response = report_sub.add_parser("response", help="how fast we answer")
    _report_flags(response, period=True, formats=["table", "csv", "json"])
    response.add_argument("--route", help="only the messages naming this line (route id or name, e.g. 64); "
                                          "the same as --subject line:64")
    response.add_argument("--subject", metavar="KIND:ID",
                          help="only the messages naming this subject: line:64, stop:70340, street:072006:via argiro, "
                               "district:BA-MURAT, service_point:FONT-BA-UMBERTO (an id or the label people read)")
    response.add_argument("--service", help="only one service's messages, on a desk of several (services.<name>)")
    return parser


def _report_flags(parser: argparse.ArgumentParser, *, period: bool, formats: list[str]) -> None:
    parser.add_argument("--config", help="configuration file (default ./config.yaml)")
    if period:
        parser.add_argument("--since", help="start: a local date (2026-11-20), an ISO time, today, yesterday, "
                                            "or an age such as 7d, 12h, 2w (default: 7 days before --until)")
        parser.add_argument("--until", help="end, in the same forms; a date means the end of that day (default: now)")
    parser.add_argument("--format", choices=formats, default="table",
                        help=f"{', '.join(formats)} (default table)" + ("; png needs --output" if "png" in formats else ""))
    parser.add_argument("--output", help="write to this file (default standard output)")


def version() -> str:
    """The installed package's version (the source tree's when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("sportello")
    except PackageNotFoundError:
        return "unknown (not installed)"


@command("run")
def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    logs.configure(settings.logging, verbose=args.verbose)
    redact.install(settings)
    if args.no_web:
        from bot.app import Application

        Application(settings, workers=args.workers, web=False, verbose=args.verbose).run_forever()
        return 0
    from bot.startup import serve  # the port answers at once; the application is built behind it

    serve(settings, workers=args.workers, worker_processes=settings.workers.processes, verbose=args.verbose)
    return 0


@command("migrate")
def _migrate(args: argparse.Namespace) -> int:
    from storage.db import open_database

    settings = settings_from(args)
    open_database(settings.storage.url)
    print(f"schema up to date at {settings.storage.url}")
    return 0


@command("route")
def _route(args: argparse.Namespace) -> int:
    from bot.routing_cli import route_lines

    route_lines(args, settings_from(args), sys.stdin, sys.stdout)
    return 0


@command("eval")
def _eval(args: argparse.Namespace) -> int:
    from bot.evaluate import evaluate_command

    return evaluate_command(args, settings_from(args), sys.stdout)


@command("train")
def _train(args: argparse.Namespace) -> int:
    from bot.reading.retrain import train_command

    return train_command(args, settings_from(args), sys.stdout)


@command("calibrate")
def _calibrate(args: argparse.Namespace) -> int:
    from bot.reading.calibrate_command import calibrate_command

    return calibrate_command(args, settings_from(args), sys.stdout)


@command("faq match")
def _faq_match(args: argparse.Namespace) -> int:
    from knowledge.faq import DEFAULT_THRESHOLD, FaqIndex, run_faq_match

    knowledge = settings_from(args).knowledge
    paths = args.faq or list(knowledge.faq)
    if (args.engine or knowledge.faq_engine) == "fused":
        from knowledge.faq_entries import read_entries
        from knowledge.faq_fused import ANSWER_LINE, FusedFaqIndex

        threshold = ANSWER_LINE if args.threshold is None else args.threshold
        index = FusedFaqIndex(read_entries(paths), threshold=threshold, cache_dir=knowledge.cache_dir)
        run_faq_match(index, sys.stdin, sys.stdout)
        return 0
    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    run_faq_match(FaqIndex.load(paths, threshold=threshold), sys.stdin, sys.stdout)
    return 0


@command("users add")
def _users_add(args: argparse.Namespace) -> int:
    from bot.console.users import add_user_command

    return add_user_command(args, settings_from(args), sys.stdin, sys.stdout)


@command("corrections export")
def _corrections_export(args: argparse.Namespace) -> int:
    from storage.corrections import export_corrections
    from storage.db import open_database

    engine = open_database(settings_from(args).storage.url)
    try:
        if args.output:
            with open(args.output, "w", encoding="utf-8") as out:
                count = export_corrections(engine, out)
        else:
            count = export_corrections(engine, sys.stdout)
    finally:
        engine.dispose()
    print(f"{count} corrected messages", file=sys.stderr)
    return 0


def _report(name: str) -> Command:
    def run(args: argparse.Namespace) -> int:
        from bot.insight.cli import report_command

        return report_command(name, args, settings_from(args), sys.stdout)

    return run


for _name in ("problems", "service", "response"):
    COMMANDS[f"report {_name}"] = _report(_name)


def _privacy(name: str) -> Command:
    def run(args: argparse.Namespace) -> int:
        return privacy_command(name, args, settings_from(args), sys.stdin, sys.stdout)

    return run


for _name in ("export", "erase", "retention"):
    COMMANDS[f"privacy {_name}"] = _privacy(_name)


def _command_name(args: argparse.Namespace) -> str:
    nested = {
        "faq": "faq_command",
        "users": "users_command",
        "report": "report_command",
        "corrections": "corrections_command",
        "privacy": "privacy_command",
    }
    if args.command in nested:
        return f"{args.command} {getattr(args, nested[args.command])}"
    return str(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sportello`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(verbose=args.verbose)
    try:
        return COMMANDS[_command_name(args)](args)
    except SportelloError as exc:
        print(f"sportello: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
