"""A dbt process started ahead of its command, so that a CLI run does not wait for dbt to import.

A daily `call-attribution run` spends about 3 s of its time in a fresh dbt process importing dbt
and its DuckDB adapter before dbt reads a file. The CLI therefore starts one such process
(`start()`) before it imports Dagster: the process imports dbt while the CLI imports Dagster and
loads its definitions (both take seconds, and the machine has a core for each), compiles the
macro templates the last build used until the command comes (dbt_templates.py), then waits for
its one command.

When the run's warehouse step invokes dbt, dagster-dbt starts this module as its "dbt executable"
(`python -m orchestration.warehouse.warm_dbt build ...`, see `command()`). That client hands its
standard streams, arguments, environment and working directory to the waiting process over a
Unix socket (the streams as file descriptors), forwards Ctrl-C and termination to it, and exits
with its exit code: dagster-dbt reads dbt's output exactly as from `dbt`. With no process waiting
(the UI, the schedule, a second command, a platform without Unix sockets) the client becomes the
`dbt` executable itself (dbt runs in the client's process), so the command and its result are the same
either way. In both, dbt starts ready nodes longest chain first (dbt_order.py) and the macros
the command uses are kept for the next one.

Outside a process that runs dbt, only the standard library is imported here.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SOCKET_ENV = "ATTRIBUTION_WARM_DBT_SOCKET"
MAX_MESSAGE = 1 << 20  # one JSON message: arguments and environment
IDLE_SECONDS = 3 * 3600  # a run that lands for hours still finds it waiting; then it gives up
# The cyclic collector's first threshold in the processes of a run (this one, and the CLI's): Dagster
# and dbt load objects that live until exit, and the default (700) passes over them again and again.
GC_FIRST_THRESHOLD = 50_000


def supported() -> bool:
    return hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


def start(macros: Path | None = None) -> subprocess.Popen | None:
    """Start a waiting dbt process for this process's next dbt command; its socket is named in
    the environment (inherited by dagster-dbt's dbt command). None where unsupported. While it
    waits, it compiles the macro templates listed in `macros` (dbt_templates.py)."""
    if not supported():
        return None
    path = Path(tempfile.mkdtemp(prefix="attribution-dbt-")) / "dbt.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))  # bound here, so a client that comes early waits in the backlog
        server.listen(1)
        process = subprocess.Popen(
            [sys.executable, "-m", __name__, "--serve", str(path), str(os.getpid())],
            pass_fds=[server.fileno()], env={**os.environ, "ATTRIBUTION_WARM_DBT_FD": str(server.fileno()),
                                               "ATTRIBUTION_WARM_DBT_MACROS": str(macros or ""),
                                               "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    except OSError:  # no waiting process: the run starts dbt itself, as before
        _remove(str(path))
        return None
    finally:
        server.close()
    os.environ[SOCKET_ENV] = str(path)
    return process


def keep_dbt_out() -> None:
    """Keep dbt-core out of this process, which only starts dbt processes (the CLI's): dagster-dbt
    then reads what it needs from the manifest, as it does beside dbt Fusion, which has no Python
    package. When it can, dagster-dbt imports dbt-core (2 s of CPU at every start of the CLI, beside
    the waiting process importing it for the build). Call it before dagster_dbt is imported; once dbt
    is imported it does nothing."""
    if "dbt" not in sys.modules:
        sys.modules["dbt"] = None  # the import system's marker: `import dbt...` raises ImportError


def stop(process: subprocess.Popen) -> None:
    """After the run: end a waiting process that got no command (the build never reached dbt)."""
    path = os.environ.pop(SOCKET_ENV, None)
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if path:
        _remove(path)


def command() -> list[str]:
    """The dbt executable and leading arguments for dagster-dbt: this module's client, which hands
    the command to a waiting process when this process started one, else runs dbt itself."""
    return [sys.executable, "-m", __name__]


def _run_dbt(argv: list[str]) -> None:
    """Be the `dbt` executable in this process (exits with dbt's exit code), longest chain first."""
    from dbt.cli.main import cli

    from orchestration.warehouse.dbt_order import NodeOrder
    from orchestration.warehouse.dbt_templates import UsedMacros

    order, macros = NodeOrder.from_environment(), UsedMacros.from_environment()
    order.install()
    macros.install()
    sys.argv = ["dbt", *argv]
    try:
        cli()
    finally:
        try:
            order.save()
            macros.save()
        except OSError as exc:  # both only make the next command start sooner
            print(f"dbt: could not keep the node times or the macros used: {exc}", file=sys.stderr)


# --- the client: what dagster-dbt starts ---------------------------------------------------------


def _client(argv: list[str]) -> int:
    path = os.environ.pop(SOCKET_ENV, "")
    if not path or not supported():  # no process was started for this run: be dbt
        _run_dbt(argv)
        return 0
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:  # nothing waiting (any more): be dbt
        conn.close()
        _run_dbt(argv)
        return 0
    message = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    socket.send_fds(conn, [len(message).to_bytes(8, "big") + message], [0, 1, 2])
    reply = conn.makefile("r", encoding="utf-8")
    line = reply.readline()
    if not line:
        print("dbt: the dbt process ended before it started the command", file=sys.stderr)
        return 2
    pid = int(json.loads(line)["pid"])
    for sig in (signal.SIGINT, signal.SIGTERM):  # dagster-dbt stops dbt with SIGINT
        signal.signal(sig, lambda signum, _frame: os.kill(pid, signum))
    line = reply.readline()
    if not line:
        print("dbt: the dbt process ended without an exit code", file=sys.stderr)
        return 2
    return int(json.loads(line)["exit"])


# --- the waiting process -------------------------------------------------------------------------


def _serve(path: str, parent: int) -> int:
    server = socket.socket(fileno=int(os.environ.pop("ATTRIBUTION_WARM_DBT_FD")))
    import dbt.adapters.duckdb  # noqa: F401 - the imports this process is here to do ahead of time
    from dbt.cli.main import cli  # noqa: F401 - the same, ahead: _run_dbt runs it

    from orchestration.warehouse.dbt_templates import compile_ahead

    macros = os.environ.pop("ATTRIBUTION_WARM_DBT_MACROS", "")
    compile_ahead(Path(macros) if macros else None, stop=lambda: _client_waiting(server))

    # One short-lived command: the modules just imported are never garbage, and a larger first
    # generation spares the cyclic collector most of its passes over dbt's manifest (1.0 s of a
    # daily build's Python time before, 0.5 s after). Objects are still freed as usual.
    gc.freeze()
    gc.set_threshold(GC_FIRST_THRESHOLD, 20, 20)

    server.settimeout(1.0)
    waited = 0.0
    while True:
        try:
            conn, _ = server.accept()
            break
        except TimeoutError:
            waited += 1.0
            if os.getppid() != parent or waited > IDLE_SECONDS:  # the CLI is gone, or never asked
                _remove(path)
                return 0
    _remove(path)  # one command per process: a later client runs dbt itself
    server.close()
    conn.settimeout(None)
    raw, fds, _flags, _addr = socket.recv_fds(conn, MAX_MESSAGE + 8, 3)
    size = int.from_bytes(raw[:8], "big")
    while len(raw) < size + 8:
        raw += conn.recv(MAX_MESSAGE)
    request = json.loads(raw[8:8 + size])
    for target, fd in enumerate(fds):  # the client's stdin, stdout, stderr become this process's
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    conn.sendall((json.dumps({"pid": os.getpid()}) + "\n").encode())
    try:
        _run_dbt(request["argv"])
        code = 0
    except SystemExit as exc:  # what the `dbt` executable exits with
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # noqa: BLE001 - reported like an uncaught error of `dbt`
        import traceback

        traceback.print_exception(exc)
        code = 1
    try:
        _close_duckdb()
    except Exception as exc:  # noqa: BLE001 - what dbt committed stays committed (DuckDB's log)
        print(f"dbt: closing the warehouse failed: {exc}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    conn.sendall((json.dumps({"exit": code}) + "\n").encode())
    return code


def _client_waiting(server: socket.socket) -> bool:
    """Whether the command has arrived (a connection waits to be accepted)."""
    readable, _, _ = select.select([server], [], [], 0)
    return bool(readable)


def _close_duckdb() -> None:
    """Close the database dbt-duckdb keeps open until exit (closing checkpoints it), so that the
    process can end at once: the collector's passes over dbt's objects at exit are spared. `_ENV`
    and `_LOCK` are private to the pinned dbt-duckdb (1.11.1); the e2e tests check that a build
    leaves the warehouse checkpointed."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


def _remove(path: str) -> None:
    """The socket and its private folder (whichever still exist)."""
    for remove, target in ((os.unlink, path), (os.rmdir, os.path.dirname(path))):
        try:
            remove(target)
        except OSError:
            pass


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        exit_code = _serve(sys.argv[2], int(sys.argv[3]))
        logging.shutdown()  # dbt's log files, flushed and closed
        os._exit(exit_code)  # nothing is left to clean up (streams flushed, database closed)
    sys.exit(_client(sys.argv[1:]))
