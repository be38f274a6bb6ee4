"""Start and steer a harness worker process from a test."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading

from tests.conftest import REPO


class Worker:
    """``python -m tests.reliability.harness ...`` with its stdout read line by line in the background."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.harness", *args],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr.append), daemon=True).start()

    @staticmethod
    def _read(stream, sink) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            sink(line)

    def expect(self, prefix: str, timeout: float = 60) -> str:
        """Wait for a stdout line starting with ``prefix`` (STOP ..., DONE)."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"no {prefix!r} from the worker; stderr:\n{''.join(self.stderr)[-4000:]}"
                ) from None
            if line.startswith(prefix):
                return line.strip()

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=10) == -signal.SIGKILL

    def resume(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 60) -> None:
        self.expect("DONE", timeout)
        assert self.proc.wait(timeout=timeout) == 0, "".join(self.stderr)[-4000:]
