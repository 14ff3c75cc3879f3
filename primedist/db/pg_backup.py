"""Backups of a PostgreSQL database with pg_dump (`db.backup` writes them into place).

The app runs `pg_dump --format=custom` of the database its URL names, into a `.part` file
beside the backup (`db.backup._write_backup` renames it once it is complete and synced).
The connection goes to pg_dump through libpq's environment variables (PGHOST, PGPASSWORD…):
never on its command line, which every user of the PC can read. The process is watched
instead of given a fixed timeout (a big shop's dump takes as long as it takes): it is
killed when the app closes, when the user cancels, or when its file stops growing for
STALL_SECONDS (a server gone silent). Restoring stays outside the app: other PCs use the
database (`restore_command` says what to run).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import sqlalchemy as sa

from primedist.core.messages import Message, msg
from primedist.errors import Cancelled, StoreError

#: The file name ending of a pg_dump backup (a SQLite backup's is `.db`).
DUMP_SUFFIX = ".dump"
#: The first bytes of a pg_dump custom-format file.
DUMP_MAGIC = b"PGDMP"
#: A pg_dump to use instead of the one on PATH (a path; or its bin folder).
PG_DUMP_ENV = "PRIMEDIST_PG_DUMP"
#: The dump is killed when its file has not grown for this long: the server no longer
#: answers (a dump of a big shop keeps writing all along, however long it takes).
STALL_SECONDS = 600.0
#: How long pg_dump waits for the lock of a table (a migration running on another PC)
#: before it gives up, rather than hang (milliseconds).
LOCK_WAIT_MS = 120_000
#: How often the running dump is looked at (stop, cancel, growth).
POLL_SECONDS = 0.2
#: libpq's environment variable of each connection parameter a URL's query may give.
_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class PgDumpMissing(StoreError):
    """No pg_dump to run on this PC (`find_pg_dump`): none found (`not_found`), or
    PRIMEDIST_PG_DUMP names no pg_dump."""

    def __init__(self, message: str, *, not_found: bool = True) -> None:
        super().__init__(message)
        self.not_found = not_found


class DumpStopped(Exception):
    """The dump was stopped because the app is closing (its process killed)."""


class DumpFailed(Exception):
    """pg_dump failed: `reason` says why, in our words where they are known (a Message),
    else in pg_dump's own (its first error line)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Finding pg_dump -------------------------------------------------------------------------
def _exe(name: str) -> str:
    return f"{name}.exe" if sys.platform == "win32" else name


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_pg_dump(env: Mapping[str, str] | None = None) -> Path:
    """The pg_dump to run: PRIMEDIST_PG_DUMP (a path, or its bin folder) first, then the
    PATH, then on Windows the PostgreSQL installations under Program Files (the newest
    version first). PgDumpMissing when there is none."""
    env = os.environ if env is None else env
    configured = env.get(PG_DUMP_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if path.is_dir():
            path = path / _exe("pg_dump")
        if _runnable(path):
            return path
        raise PgDumpMissing(
            msg(
                "PRIMEDIST_PG_DUMP names {path}, which is not a pg_dump program: set it to "
                "the path of pg_dump (in the bin folder of the PostgreSQL client tools).",
                path=str(path),
            ),
            not_found=False,
        )
    found = shutil.which("pg_dump", path=env.get("PATH", os.defpath))
    if found:
        return Path(found)
    if sys.platform == "win32":
        program_files = Path(env.get("ProgramFiles") or r"C:\Program Files")
        for candidate in installed_versions(program_files / "PostgreSQL", "pg_dump.exe"):
            return candidate
    raise PgDumpMissing(
        msg(
            "pg_dump was not found on this PC: install the PostgreSQL client tools or set "
            "PRIMEDIST_PG_DUMP to its path."
        )
    )


def installed_versions(root: Path, program: str) -> list[Path]:
    """`root/<version>/bin/<program>` of each installed version, the newest first (16
    before 9.6: by number, not by name)."""

    def version(path: Path) -> tuple[int, ...]:
        parts = re.findall(r"\d+", path.parent.parent.name)
        return tuple(int(p) for p in parts)

    found = [p for p in root.glob(f"*/bin/{program}") if _runnable(p)]
    return sorted(found, key=version, reverse=True)


def pg_restore_program(env: Mapping[str, str] | None = None) -> str:
    """What to call pg_restore in a command to show: the one beside the pg_dump the app
    uses when that is not simply on the PATH (set by PRIMEDIST_PG_DUMP, or found under
    Program Files), else `pg_restore`."""
    env = os.environ if env is None else env
    try:
        pg_dump = find_pg_dump(env)
    except PgDumpMissing:
        return "pg_restore"
    if shutil.which("pg_dump", path=env.get("PATH", os.defpath)) == str(pg_dump):
        return "pg_restore"
    beside = pg_dump.with_name(_exe("pg_restore"))
    return f'"{beside}"' if _runnable(beside) else "pg_restore"


# The connection ---------------------------------------------------------------------------
def connection_env(url: str | sa.URL, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment pg_dump runs in: this process's (a libpq variable the URL does not
    set stays: the app's own connection reads it too), with libpq's variables set from
    the URL (its password in PGPASSWORD: never an argument) and pg_dump's messages in
    English."""
    from primedist.db.engine import PG_CONNECT_TIMEOUT_S

    u = sa.make_url(url)
    env = dict(os.environ if base is None else base)
    # pg_dump's errors in English: they are read here (LANGUAGE and LC_ALL would win).
    env.pop("LANGUAGE", None)
    env.pop("LC_ALL", None)
    env["LC_MESSAGES"] = "C"
    # As the app's own connection: its 10 s unless the URL sets one.
    env["PGCONNECT_TIMEOUT"] = str(PG_CONNECT_TIMEOUT_S)
    for name, value in u.query.items():
        variable = _QUERY_ENV.get(name)
        if variable is not None:
            env[variable] = value if isinstance(value, str) else value[-1]
    given = {"PGHOST": u.host, "PGPORT": u.port, "PGUSER": u.username,
             "PGPASSWORD": u.password, "PGDATABASE": u.database}  # fmt: skip
    env.update({k: str(v) for k, v in given.items() if v not in (None, "")})
    return env


def dump_command(program: Path, part: Path) -> list[str]:
    """pg_dump's arguments: the format and the file, nothing of the connection.
    `--no-password`: a missing password fails at once instead of waiting for one typed
    on a console nobody sees."""
    return [str(program), "--format=custom", "--no-password",
            f"--lock-wait-timeout={LOCK_WAIT_MS}", f"--file={part}"]  # fmt: skip


# Running it --------------------------------------------------------------------------------
def dump_into(
    program: Path,
    url: str | sa.URL,
    part: Path,
    *,
    stop: threading.Event,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Run pg_dump of the URL's database into `part` and put it on the disk (fsync).
    Raises DumpStopped (`stop` set: the app is closing), Cancelled (`cancelled()` became
    true), DumpFailed (pg_dump failed, or wrote nothing for STALL_SECONDS), OSError (the
    file could not be synced). The process is killed in every case it did not end."""
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window on Windows
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(  # no shell: our own arguments
                dump_command(program, part), env=connection_env(url),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                creationflags=flags,
            )  # fmt: skip
        except OSError as exc:
            raise DumpFailed(
                msg("pg_dump ({path}) could not be started: {error}", path=str(program),
                    error=exc.strerror or str(exc))
            ) from exc  # fmt: skip
        try:
            code = _watch(process, part, stop, cancelled)
        except BaseException:
            _kill(process)
            raise
        if code != 0:
            errors.seek(0)
            raise DumpFailed(failure_reason(errors.read(65_536).decode("utf-8", "replace"), code))
    with open(part, "rb") as fh:  # pg_dump does not sync: a power cut would lose the end
        os.fsync(fh.fileno())


def _watch(
    process: subprocess.Popen[bytes],
    part: Path,
    stop: threading.Event,
    cancelled: Callable[[], bool] | None,
) -> int:
    """Wait for pg_dump's exit code, looking at the stop flag, the cancel and the file's
    growth every POLL_SECONDS."""
    size, grew = -1, time.monotonic()
    while True:
        try:
            return process.wait(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        if stop.is_set():
            raise DumpStopped
        if cancelled is not None and cancelled():
            raise Cancelled()
        try:
            now_size = part.stat().st_size
        except OSError:
            now_size = -1
        if now_size != size:
            size, grew = now_size, time.monotonic()
        elif time.monotonic() - grew > STALL_SECONDS:
            raise DumpFailed(
                msg("pg_dump wrote nothing for {minutes} minutes and was stopped: is the "
                    "database server still reachable?",
                    minutes=max(1, round(STALL_SECONDS / 60)))
            )  # fmt: skip


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a process that cannot be reaped: left to the OS
        pass


_MISMATCH = re.compile(r"server version: (\d[^;\s]*);\s*pg_dump version: (\d[^\s(]*)")
#: The system's words for a file that cannot be written, as the SQLite backups say them.
_FILE_ERRORS = {
    "No space left on device": msg("No space left on device"),
    "Read-only file system": msg("Read-only file system"),
    "Permission denied": msg("Permission denied"),
}


def failure_reason(stderr: str, code: int) -> str:
    """Why pg_dump failed, from what it wrote on stderr: a version mismatch and a file
    that cannot be written in our words (translated), anything else as its first error
    line (a wrong password, a server that cannot be reached: libpq's words)."""
    mismatch = _MISMATCH.search(stderr)
    if mismatch is not None:
        server, client = mismatch.groups()
        return msg(
            "pg_dump {client} is older than the database server ({server}): install the "
            "PostgreSQL client tools of version {major} or newer, or set PRIMEDIST_PG_DUMP "
            "to such a pg_dump.",
            client=client,
            server=server,
            major=_major(server),
        )
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return msg("pg_dump stopped with code {code} without saying why.", code=str(code))
    first = next((line for line in lines if "error:" in line), lines[0])
    if "output file" in first:  # its file: a full disk, a read-only stick
        for words, reason in _FILE_ERRORS.items():
            if words in first:
                return reason
    first = re.sub(r"^pg_dump:\s*(error:\s*)?", "", first)
    return "pg_dump: " + re.sub(r"\s+", " ", first)[:300]


def _major(version: str) -> str:
    """The major version of a server's: 16.2 → 16, 9.6.24 → 9.6."""
    parts = version.split(".")
    return parts[0] if not parts[0].isdigit() or int(parts[0]) >= 10 else ".".join(parts[:2])


# Checking a dump ------------------------------------------------------------------------------
#: Tables whose data a dump of a shop holds (`check_dump`): its schema version and its orders.
SHOP_TABLES = ("alembic_version", "orders")
_TABLE_DATA = re.compile(r"^\d+; \d+ \d+ TABLE DATA \S+ (\S+) ", re.MULTILINE)


class BadDump(StoreError):
    """A file that is not a complete pg_dump backup of a shop (`check_dump`). The message
    names the file; `reason` says why without it (a dump just written: `db.backup`)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def find_pg_restore(env: Mapping[str, str] | None = None) -> Path | None:
    """The pg_restore beside the pg_dump the app uses (`find_pg_dump`: of its version, so
    it reads its dumps), None when there is none."""
    try:
        beside = find_pg_dump(env).with_name(_exe("pg_restore"))
    except PgDumpMissing:
        return None
    return beside if _runnable(beside) else None


def check_dump(path: Path, *, stop: threading.Event | None = None) -> Message | None:
    """Check that `path` is a complete pg_dump backup of a shop, with `find_pg_restore`'s
    pg_restore. `pg_restore --list` reads its table of contents, which must list the data
    of SHOP_TABLES; then the whole file is read back (`pg_restore --file=<null>`, writing
    nothing): the table of contents is at the start of the file, so --list passes a dump
    cut in half. Reading back takes a sixth of the dump's own time (1.3 s for a 68 MB
    dump that took 8.4 s; 0.05 s for a 20,000-order shop). Raises BadDump; DumpStopped
    when `stop` is set. Without pg_restore only the first bytes are checked: the note
    returned says so (else None)."""
    if not is_dump(path):
        raise BadDump(
            msg("{name} is not a pg_dump backup (.dump file).", name=path.name),
            msg("the file written is not a pg_dump backup"),
        )
    program = find_pg_restore()
    if program is None:
        return msg("pg_restore was not found beside pg_dump on this PC: only the start of "
                   "{name} was checked.", name=path.name)  # fmt: skip
    toc = _pg_restore(program, ["--list", str(path)], path, stop)
    listed = set(_TABLE_DATA.findall(toc))
    missing = [table for table in SHOP_TABLES if table not in listed]
    if missing:
        raise BadDump(
            msg("{name} is not a backup of a Prime Distribution shop: it holds no {tables} "
                "table.", name=path.name, tables=missing),
            msg("the dump holds no {tables} table", tables=missing),
        )  # fmt: skip
    _pg_restore(program, [f"--file={os.devnull}", str(path)], path, stop)
    return None


def _pg_restore(program: Path, args: list[str], path: Path, stop: threading.Event | None) -> str:
    """Run pg_restore (killed when `stop` is set); its output. BadDump with its first
    error line when it fails."""
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    env = dict(os.environ)  # its errors in English, as pg_dump's (`connection_env`)
    env.pop("LANGUAGE", None)
    env.pop("LC_ALL", None)
    env["LC_MESSAGES"] = "C"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(  # no shell, no connection: it reads the file only
                [str(program), *args], env=env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=errors, creationflags=flags,
            )  # fmt: skip
        except OSError as exc:
            raise BadDump(
                msg("pg_restore ({path}) could not be started: {error}", path=str(program),
                    error=exc.strerror or str(exc)),
                msg("pg_restore ({path}) could not be started: {error}", path=str(program),
                    error=exc.strerror or str(exc)),
            ) from exc  # fmt: skip
        try:
            while True:
                try:
                    code = process.wait(timeout=POLL_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    if stop is not None and stop.is_set():
                        raise DumpStopped from None
        except BaseException:
            _kill(process)
            raise
        out.seek(0)
        errors.seek(0)
        said = errors.read(65_536).decode("utf-8", "replace")
        if code == 0:
            return out.read().decode("utf-8", "replace")
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    first = next((line for line in lines if "error:" in line), lines[0] if lines else "")
    error = re.sub(r"\s+", " ", re.sub(r"^pg_restore:\s*(error:\s*)?", "", first))[:300]
    error = error or f"exit code {code}"
    raise BadDump(
        msg("{name} is damaged or incomplete: pg_restore says “{error}”. Copy it again from "
            "where the backup is kept, or choose another backup.", name=path.name,
            error=error),
        msg("the dump cannot be read back: pg_restore says “{error}”", error=error),
    )  # fmt: skip


# Restore -------------------------------------------------------------------------------------
def is_dump(path: Path) -> bool:
    """Whether the file is a pg_dump custom-format file (by its first bytes)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(DUMP_MAGIC)) == DUMP_MAGIC
    except OSError:
        return False


def restore_command(url: str | sa.URL, dump: Path, program: str = "pg_restore") -> str:
    """The command that restores `dump` into the URL's database (to run when every PC has
    closed the app): the server, port and user the URL names, never its password
    (pg_restore asks for it)."""
    u = sa.make_url(url)
    parts = [program, "--clean", "--if-exists"]
    for flag, value in (("-h", u.host), ("-p", u.port), ("-U", u.username)):
        if value not in (None, ""):
            parts += [flag, _quoted(str(value))]
    parts += ["-d", _quoted(u.database or ""), f'"{dump}"']
    return " ".join(parts)


def _quoted(value: str) -> str:
    return f'"{value}"' if not value or re.search(r"[\s\"'&|<>^;$`]", value) else value


def restore_refusal(url: str | sa.URL, dump: Path | None, note: Message | None = None) -> Message:
    """Why the app does not restore on a PostgreSQL server, and what to run instead;
    `note`: what `check_dump` says of a dump it could only partly check."""
    if note is not None:
        return msg("{refusal} {note}", refusal=restore_refusal(url, dump), note=note)
    if dump is None or not dump.name.endswith(DUMP_SUFFIX) and not is_dump(dump):
        return msg(
            "Restoring is not done from the app on a PostgreSQL server, which other PCs use "
            "at the same time: when every PC has closed the app, restore a backup (.dump) "
            "with pg_restore --clean --if-exists."
        )
    return msg(
        "Restoring is not done from the app on a PostgreSQL server, which other PCs use at "
        "the same time. When every PC has closed the app, run: {command}",
        command=restore_command(url, dump, pg_restore_program()),
    )


def not_for_sqlite(name: str) -> StoreError:
    """A pg_dump file given to restore into a SQLite store."""
    return StoreError(
        msg(
            "{name} is a backup of a PostgreSQL database (pg_dump): restore it with "
            "pg_restore into a PostgreSQL database, not into this shop's SQLite store.",
            name=name,
        )
    )
