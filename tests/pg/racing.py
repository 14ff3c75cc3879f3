"""The parent side of the race tests: start racer processes (`tests/pg/racer.py`) and
start each command in all of them together."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: Time for every racer to read its command before the common start.
HEAD_START = 0.3


class Racers:
    """Racer processes (a context: they end with it); `race(cmd)` starts `cmd` in all of them
    together and returns their answers."""

    def __init__(self, *argvs: list[str]) -> None:
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.pg.racer", *argv],
                cwd=ROOT,
                text=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )  # fmt: skip
            for argv in argvs
        ]
        for proc in self.procs:
            assert "ready" in self._answer(proc)

    def _answer(self, proc: subprocess.Popen[str]) -> dict[str, Any]:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, f"racer {proc.pid} ended (exit code {proc.poll()})"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def race(self, cmd: dict[str, Any]) -> list[dict[str, Any]]:
        line = json.dumps({**cmd, "at": time.monotonic() + HEAD_START}) + "\n"
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(line)
            proc.stdin.flush()
        answers = [self._answer(proc) for proc in self.procs]
        errors = [a["error"] for a in answers if "error" in a]
        assert not errors, errors
        return answers

    def __enter__(self) -> Racers:
        return self

    def __exit__(self, *_exc: object) -> None:
        """End of input ends each racer; one that hangs is killed."""
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
