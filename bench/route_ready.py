"""How long `sportello route` takes from launch to its first decision, with the 8,723-stop Rome feed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SPORTELLO_SHARED") or REPO.parent / "shared")


def main() -> int:
    """Launch the command three times (one core), print the seconds to the first output line."""
    command = [sys.executable, "-m", "bot.cli", "route", "--gtfs", str(SHARED / "eval" / "gtfs"), "--alerts",
               str(SHARED / "eval" / "alerts.pb"), "--faq", str(SHARED / "eval" / "faq"),
               "--now", "2026-11-27T08:30:00+01:00"]
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        proc = subprocess.Popen(["taskset", "-c", "0", *command], cwd=REPO, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdin and proc.stdout
        proc.stdin.write(json.dumps({"id": 1, "text": "il 64 passa?"}) + "\n")
        proc.stdin.flush()
        proc.stdout.readline()
        runs.append(round(time.perf_counter() - started, 3))
        proc.stdin.close()
        proc.wait()
    print(json.dumps({"ready_seconds": runs, "best": min(runs)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
