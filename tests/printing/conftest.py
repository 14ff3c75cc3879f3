"""A real CUPS for the printing tests, started without systemd (see the printing spec).

The session fixture `cups` installs a capture backend (each job's bytes land in a temp
dir as `<job id>.bin`, renamed into place when complete), starts cupsd when it is not
running, and adds three raw queues: one that captures, one paused (offline) and one that
rejects jobs. It skips only on a developer machine without cupsd; in CI (CI=true) a
missing cupsd fails the tests.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CUPSD = "/usr/sbin/cupsd"
BACKEND_DIR = Path("/usr/lib/cups/backend")
BACKEND = "primedist-capture"
CAPTURE = "PRIMEDIST_CAPTURE"
PAUSED = "PRIMEDIST_PAUSED"
REJECTING = "PRIMEDIST_REJECTING"
# The backend runs as root (mode 0700), so it may write into pytest's private temp dir.
BACKEND_SCRIPT = """#!/bin/sh
[ $# -eq 0 ] && { echo 'file primedist-capture:/ "Capture" "primedist test capture"'; exit 0; }
d=${DEVICE_URI#primedist-capture:}
if [ -n "${6:-}" ]; then cat "$6"; else cat; fi > "$d/$1.tmp" && mv "$d/$1.tmp" "$d/$1.bin"
"""


@dataclass(frozen=True)
class Cups:
    capture_dir: Path
    capture: str = CAPTURE
    paused: str = PAUSED
    rejecting: str = REJECTING

    def jobs(self) -> set[str]:
        return set(glob.glob(str(self.capture_dir / "*.bin")))

    def wait_job(self, before: set[str], timeout: float = 15) -> Path:
        """The job that arrived after `before` was taken (complete once it appears)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            new = self.jobs() - before
            if new:
                assert len(new) == 1, new
                return Path(new.pop())
            time.sleep(0.03)
        raise AssertionError(f"no job reached {self.capture} within {timeout} s")

    def wait_jobs(self, before: set[str], count: int, timeout: float = 15) -> list[Path]:
        """The `count` jobs that arrived after `before` was taken (they may land between
        two looks at the folder together)."""
        end = time.monotonic() + timeout
        new: set[str] = set()
        while time.monotonic() < end:
            new = self.jobs() - before
            if len(new) >= count:
                assert len(new) == count, new
                return [Path(p) for p in sorted(new)]
            time.sleep(0.03)
        raise AssertionError(f"{len(new)} of {count} jobs reached {self.capture} in {timeout} s")


def scheduler_running() -> bool:
    out = subprocess.run(["lpstat", "-r"], capture_output=True, text=True).stdout.strip()
    return out == "scheduler is running"  # lpstat -r exits 0 either way


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CUPS is required in CI: {reason} (setup.sh installs it)")
    pytest.skip(reason)


def _lpadmin(*args: str) -> None:
    # CUPS 2.4 warns that raw queues are deprecated; harmless, so stderr is dropped.
    subprocess.run(["lpadmin", *args], check=True, capture_output=True)


_session: Cups | None = None


@pytest.fixture(scope="session")
def cups(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Cups:
    """The CUPS of this test session (tests/ui/printing shares it: one start, one stop)."""
    global _session
    if _session is None:
        _session = _start(tmp_path_factory, request)
    return _session


def _start(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Cups:
    if not os.path.exists(CUPSD) or not shutil.which("lpadmin"):
        _unavailable("cupsd is not installed (apt-get install cups cups-client)")
    if os.geteuid() != 0:
        _unavailable("the CUPS tests install a backend and start cupsd: run them as root")
    backend = BACKEND_DIR / BACKEND
    backend.write_text(BACKEND_SCRIPT)
    backend.chmod(0o700)
    started = False
    if not scheduler_running():
        subprocess.run([CUPSD], check=True)
        started = True
        end = time.monotonic() + 10
        while not scheduler_running():
            if time.monotonic() > end:
                pytest.fail("cupsd did not start within 10 s")
            time.sleep(0.05)
    folder = tmp_path_factory.mktemp("cups-capture")
    uri = f"{BACKEND}:{folder}"
    for queue in (CAPTURE, PAUSED, REJECTING):
        _lpadmin("-p", queue, "-v", uri, "-E")
    subprocess.run(["cupsdisable", PAUSED], check=True)
    subprocess.run(["cupsreject", REJECTING], check=True)

    def stop() -> None:
        subprocess.run(["cancel", "-a", PAUSED], capture_output=True)
        for queue in (CAPTURE, PAUSED, REJECTING):
            subprocess.run(["lpadmin", "-x", queue], capture_output=True)
        if started:
            _stop_cupsd()

    request.addfinalizer(stop)
    return Cups(folder)


def _stop_cupsd() -> None:
    try:
        pid = int(Path("/run/cups/cupsd.pid").read_text().strip())
    except (OSError, ValueError):
        return
    os.kill(pid, signal.SIGTERM)
    end = time.monotonic() + 5
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


@pytest.fixture
def shop_ctx(owner_ctx):
    """The owner, with the shop details documents print at the top."""
    from primedist.printing.content import ShopDetails
    from primedist.printing.store import save_shop_details

    save_shop_details(
        owner_ctx,
        ShopDetails(
            name="Nến Thơm Sài Gòn", address="45 Nguyễn Huệ, Phường Sài Gòn, TP. Hồ Chí Minh",
            phone="028 3822 1234", tax_code="0312345678",
        ),
    )  # fmt: skip
    return owner_ctx


@pytest.fixture
def sample_order(engine, shop_ctx):
    from tests.printing.support import vietnamese_order

    return vietnamese_order(engine, shop_ctx)
