"""The build server: a process that has loaded ankigen once and forks a build per command.

A build in a fresh process pays, every time, for the interpreter and for loading ankigen,
markdown-it, Pygments and the syntax modules before it can render the one card that changed
(~0.1 s of a 0.2 s one-card edit at 1,000 cards). After a build run in a terminal, ankigen
starts a server in the background that loads all of it once and waits. The next ``build``,
``check`` or ``diff`` hands it the command: the server forks, the fork takes the command's
own standard streams (passed over a Unix socket), working folder, environment and umask,
runs the command as a fresh process would, and its exit status becomes the command's.
A fork whose command succeeded then takes the server's place: it keeps the rendered pages
and the lockfile its build read (as ``watch`` keeps them), so the next command does not
read them back from disk. The fork of a command that failed or was interrupted ends, and
the server goes on as it was; the render cache, the lockfile and the deck on disk are what
every build checks its memory against, as always.

- ``ANKIGEN_SERVER``: ``auto`` (default) uses and starts a server only when the command's
  error stream is a terminal and ``CI`` is not set; ``1`` always; ``0`` never.
- A server serves one interpreter, one ``sys.path`` and one state of ankigen's sources and
  of the installed libraries: after an edit to ankigen or a ``pip install``, commands no
  longer find it (the socket's name holds all of that) and start a new one.
- It ends after ``ANKIGEN_SERVER_IDLE`` seconds without a command (default 600), or on
  ``ankigen server stop``; ``ankigen server status`` lists the running ones.
- Ctrl-C on the command interrupts the build (``ankigen: interrupted``, exit 130); a command
  killed outright has its build killed, which leaves the files as a killed build does.
- A command run with interpreter options (``-X importtime``, ``-W``, ``-O``...), a command
  with ``--watch``, and every platform without ``fork`` and fd passing run in the process.

This module is loaded by every command, before anything else: it imports nothing beyond the
interpreter's own low-level modules until it is the server.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from typing import TYPE_CHECKING

from ankigen.codefiles import code_files

if TYPE_CHECKING:
    import io
    import socket as socket_module
    from collections.abc import Iterator, Mapping, Sequence

    # what a command hands over: its arguments, folder, environment, umask, and the
    # encoding and error handling of its stdout and stderr
    Job = tuple[list[str], str, dict[str, str], int, tuple[tuple[str, str], tuple[str, str]]]

__all__ = ["handed_over", "server_command", "start_server"]

PROTOCOL = 1
IDLE_SECONDS = 600
SERVED = ("build", "check", "diff")
# run here: help and version answer at once, watch runs until stopped (argparse takes any
# unambiguous prefix of a long option: --wat is --watch)
_NOT_SERVED_FLAGS = ("--help", "--version", "--watch")
_MAX_REQUEST = 1 << 24
_TIDY_AFTER = 1.0  # seconds without a command before the server collects garbage
_MAX_SOCKET_PATH = 100  # bytes; sockaddr_un holds 104 (macOS) to 108 (Linux)


def wanted(argv: Sequence[str], environ: Mapping[str, str], stream_is_terminal: bool) -> bool:
    """Whether this command would be handed to a server (and start one when there is none)."""
    mode = environ.get("ANKIGEN_SERVER", "auto").strip().lower()
    if mode in ("0", "no", "off", "false"):
        return False
    if mode not in ("1", "yes", "on", "true") and (
        environ.get("CI", "").strip().lower() not in ("", "0", "false") or not stream_is_terminal
    ):
        return False
    return _served_command(argv) and not _interpreter_options() and _can_serve()


def _can_serve() -> bool:
    import socket  # noqa: PLC0415

    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


def _served_command(argv: Sequence[str]) -> bool:
    for arg in argv:
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        if name == "-h" or (
            len(name) > 2 and any(flag.startswith(name) for flag in _NOT_SERVED_FLAGS)
        ):
            return False
    if not argv:
        return True
    first = argv[0]
    if first in SERVED:
        return True
    from ankigen.cli import COMMANDS  # noqa: PLC0415

    return first not in COMMANDS and first != "server" and not first.startswith("-")


def _interpreter_options() -> bool:
    """Whether this interpreter runs with options a forked server would not share."""
    flags = sys.flags
    odd = (
        flags.optimize,
        flags.dev_mode,
        flags.isolated,
        flags.ignore_environment,
        flags.no_site,
        flags.no_user_site,
        flags.verbose,
        flags.bytes_warning,
        flags.hash_randomization == 0,
        flags.safe_path,
    )
    return any(odd) or bool(sys.warnoptions) or bool(sys._xoptions)


# -- where a server listens ---------------------------------------------------------------------


def _folder(environ: Mapping[str, str]) -> str | None:
    """The folder of this user's server sockets, made private to them; None when it is not."""
    base = environ.get("XDG_RUNTIME_DIR") or ""
    folder = os.path.join(base, "ankigen") if base else f"/tmp/ankigen-{os.getuid()}"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return None
    import stat  # noqa: PLC0415

    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None  # someone else's, or open to others: never hand our streams there
    return folder


def server_key(package: str | None = None) -> str:
    """What a server must share with a command to run it as the command's own process
    would: the interpreter, the module path, the modification time of each folder that
    libraries are installed in (installing or removing one changes it), and the size and
    modification time of every source and asset of ankigen (``codefiles``). The path's
    first entry (the working folder under ``-m``, the script's folder otherwise) is left
    out: commands run from any folder share a server."""
    parts = [str(PROTOCOL), sys.executable, sys.version, *sys.path[1:]]
    for entry in sys.path[1:]:
        if os.path.basename(entry) in ("site-packages", "dist-packages"):
            try:
                parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
            except OSError:
                continue
    for path in code_files(package) if package else code_files():
        try:
            st = os.stat(path)
        except OSError:
            continue
        parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "\0".join(parts)


def _socket_path(folder: str, key: str) -> str:
    import zlib  # noqa: PLC0415

    return os.path.join(folder, f"{zlib.crc32(key.encode()):08x}-{len(key):x}.sock")


# -- the command's side --------------------------------------------------------------------------


def handed_over(argv: Sequence[str]) -> int | None:
    """Run the command in a server: its exit status; None when it is to run here (no server
    wanted, none running, or it declined). When none runs, one is started as this process
    ends (``start_server``)."""
    environ = os.environ
    if not wanted(argv, environ, _is_terminal(2)):
        return None
    folder = _folder(environ)
    if folder is None:
        return None
    key = server_key()
    path = _socket_path(folder, key)
    if len(path.encode()) > _MAX_SOCKET_PATH:
        return None  # longer than a Unix socket's address may be: no server there
    import socket  # noqa: PLC0415

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        _pending_start.append((folder, key))
        return None
    with sock:
        return _run_remote(sock, key, argv)


def _is_terminal(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def _run_remote(sock: socket_module.socket, key: str, argv: Sequence[str]) -> int | None:
    import signal  # noqa: PLC0415
    import socket  # noqa: PLC0415

    mask = os.umask(0)
    os.umask(mask)
    streams = tuple((s.encoding, s.errors) for s in (sys.stdout, sys.stderr))
    request = marshal.dumps(("run", key, list(argv), os.getcwd(), dict(os.environ), mask, streams))
    try:
        socket.send_fds(sock, [len(request).to_bytes(4, "big") + request], [0, 1, 2])
        answer = _read(sock, 1)
    except OSError:
        return None
    if answer != b"A":  # declined (or gone before it began): run here
        return None

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):
            sock.sendall(b"I" if signum == signal.SIGINT else b"T")

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        status = _read(sock, 4)
    except OSError:
        status = b""
    if len(status) != 4:
        print(
            "ankigen: the build server ended before the command did; what it wrote is "
            "whole or not written at all\n"
            "  hint: run the command again (ANKIGEN_SERVER=0 runs it without a server)",
            file=sys.stderr,
        )
        return 1
    return int.from_bytes(status, "big", signed=True)


def _read(sock: socket_module.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


_pending_start: list[tuple[str, str]] = []


def start_server() -> None:
    """Start a server in the background, when this command looked for one and found none
    (``handed_over``). It does not wait for it: the server loads while the user edits."""
    if not _pending_start:
        return
    folder, _key = _pending_start.pop()
    # The server looks for modules where this process does (``-m`` or a console script
    # would each put another folder first), so it runs the same code and finds the same key.
    boot = (
        "import marshal, sys; sys.path[:] = marshal.loads(bytes.fromhex(sys.argv[2])); "
        "from ankigen.cli.server import serve; serve(sys.argv[1])"
    )
    devnull = os.devnull
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, devnull, os.O_WRONLY, 0),
    ]
    argv = [sys.executable, "-c", boot, folder, marshal.dumps(list(sys.path)).hex()]
    # without a server, every command runs in its own process, as it would anyway
    with contextlib.suppress(OSError, AttributeError, NotImplementedError):
        os.posix_spawn(sys.executable, argv, dict(os.environ), file_actions=actions, setsid=True)


# -- ankigen server status|stop ------------------------------------------------------------------


def server_command(action: str, environ: Mapping[str, str]) -> int:
    """``ankigen server status`` (each running server: pid, commands served, idle time) or
    ``ankigen server stop`` (ends them)."""
    folder = _folder(environ)
    found = 0
    for path, state in _servers(folder):
        found += 1
        if action == "stop":
            _ask(path, "stop")
            _wait_gone(path)
        if state is None:  # it answers once its command has ended
            done = "stopped" if action == "stop" else "running a command"
            print(f"build server at {path}: {done}")
            continue
        pid, served, up, idle = state
        if action == "stop":
            print(f"stopped the build server {pid} ({served} served)")
        else:
            print(
                f"build server {pid}: {served} served, up {up:.0f} s, "
                f"ends after {idle:.0f} s without a command ({path})"
            )
    if not found:
        print("no build server is running")
    return 0


def _wait_gone(path: str) -> None:
    """Until the server at ``path`` has removed its socket (it ends a command it runs first)."""
    import time  # noqa: PLC0415

    deadline = time.monotonic() + 60
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)


State = tuple[int, int, float, float]  # pid, commands served, seconds up, idle seconds


def _servers(folder: str | None) -> Iterator[tuple[str, State | None]]:
    """Each server's socket and state (None: busy with a command); a socket no server
    listens on any more (its server was killed) is removed."""
    if folder is None:
        return
    for name in sorted(os.listdir(folder)):
        if name.endswith(".sock"):
            path = os.path.join(folder, name)
            try:
                yield path, _ask(path, "status")
            except ConnectionRefusedError:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            except OSError:
                continue


def _ask(path: str, what: str) -> State | None:
    """Ask the server at ``path`` for its state (and to stop, with "stop"); None when it does
    not answer within a few seconds (it is running a command). OSError: no server there."""
    import socket  # noqa: PLC0415

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(3)
        sock.connect(path)
        request = marshal.dumps((what,))
        sock.sendall(len(request).to_bytes(4, "big") + request)
        try:
            size = int.from_bytes(_read(sock, 4), "big")
            state = marshal.loads(_read(sock, size))
        except (TimeoutError, EOFError, ValueError, TypeError):
            return None
    ok = isinstance(state, tuple) and len(state) == 4
    return (int(state[0]), int(state[1]), float(state[2]), float(state[3])) if ok else None


# -- the server's side ---------------------------------------------------------------------------


class _Server:
    """A server's state (a plain class: this module must load fast for every command)."""

    def __init__(self, listener: socket_module.socket, path: str, key: str) -> None:
        import time  # noqa: PLC0415

        self.listener = listener
        self.path = path
        self.inode = os.stat(path).st_ino  # the socket file this server made
        self.key = key
        self.idle = _idle_seconds()
        self.started = self.last = time.monotonic()  # last: when the last command ended
        self.served = 0
        self.tidy = False  # whether the garbage of the last command was collected


def serve(folder: str) -> None:  # pragma: no cover - runs as its own process (tests drive it)
    """The server: listen, load ankigen, then run each command in a fork until idle.

    A fork whose command succeeded takes the server's place (``_hand_over``): it keeps what
    its build read (the rendered pages and the lockfile, as ``watch`` keeps them), so the
    next command starts from there; a fork whose command failed, or was interrupted,
    ends, and the server goes on as it was."""
    key = server_key()
    path = _socket_path(folder, key)
    listener = _listen(path)
    if listener is None:
        return
    server = _Server(listener, path, key)
    try:
        _preload()
        _loop(server)
    finally:
        _stop_listening(server)


def _loop(server: _Server) -> None:  # pragma: no cover - in the server
    import time  # noqa: PLC0415

    while (left := server.last + server.idle - time.monotonic()) > 0:
        server.listener.settimeout(left if server.tidy else min(left, _TIDY_AFTER))
        try:
            conn, _ = server.listener.accept()
        except TimeoutError:
            if server.tidy:
                return
            _tidy(server)
            continue
        with conn:
            what = _serve_one(conn, server)
        if what == "handed over":  # a fork of this process is the server now
            os._exit(0)
        if what == "stop":
            return
        if what == "took over":
            server.tidy = False
        if what in ("run", "took over"):
            server.served += 1
            server.last = time.monotonic()
            if server_key() != server.key:  # ankigen or a library changed: a new server's turn
                return


def _tidy(server: _Server) -> None:  # pragma: no cover - in the server
    """Between commands, when none came for a moment: collect the garbage the last command
    left, then keep everything there is out of the collector's way, so that forks share
    those memory pages (a command waiting comes first: this is done when none is)."""
    import gc  # noqa: PLC0415

    gc.collect()
    gc.freeze()
    server.tidy = True


def _idle_seconds() -> float:
    try:
        return max(0.5, float(os.environ.get("ANKIGEN_SERVER_IDLE", IDLE_SECONDS)))
    except ValueError:
        return IDLE_SECONDS


def _listen(path: str) -> socket_module.socket | None:  # pragma: no cover - in the server
    import socket  # noqa: PLC0415

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
    except OSError:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
        except OSError:  # a socket left by a server that died: take its place
            try:
                os.unlink(path)
                listener.bind(path)
            except OSError:
                listener.close()
                return None
        else:  # another server answers there already
            probe.close()
            listener.close()
            return None
        probe.close()
    os.chmod(path, 0o600)
    listener.listen(8)
    return listener


def _stop_listening(server: _Server) -> None:  # pragma: no cover - in the server
    """Close, and remove the socket file if it is still the one this server made."""
    server.listener.close()
    with contextlib.suppress(OSError):
        if os.stat(server.path).st_ino == server.inode:
            os.unlink(server.path)


def _preload() -> None:  # pragma: no cover - in the server
    """Load what a build, check or diff loads, and the default parser; then keep it all out
    of the garbage collector's way, so the forks share its memory pages."""
    import gc  # noqa: PLC0415

    import ankigen.build  # noqa: PLC0415
    import ankigen.cards.page  # noqa: PLC0415
    import ankigen.cli.run  # noqa: PLC0415
    import ankigen.output.apkg  # noqa: PLC0415
    from ankigen.config.flavor import DEFAULT_FLAVOR  # noqa: PLC0415
    from ankigen.syntax.markdown import markdown  # noqa: PLC0415

    ankigen.cli.run.keep_render_caches()
    markdown(DEFAULT_FLAVOR)
    gc.collect()
    gc.freeze()


def _serve_one(conn: socket_module.socket, server: _Server) -> str:  # pragma: no cover
    """One connection: a status, a stop, or a command to run."""
    import socket  # noqa: PLC0415
    import time  # noqa: PLC0415

    conn.settimeout(10)
    fds: list[int] = []
    try:
        data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
        size = int.from_bytes(data[:4], "big")
        if size > _MAX_REQUEST:
            return ""
        data = data[4:]
        while len(data) < size:
            chunk = conn.recv(min(1 << 16, size - len(data)))
            if not chunk:
                return ""
            data += chunk
        request = marshal.loads(data)
        what = request[0]
        if what in ("status", "stop"):
            up = time.monotonic() - server.started
            state = marshal.dumps((os.getpid(), server.served, up, server.idle))
            conn.sendall(len(state).to_bytes(4, "big") + state)
            return str(what)
        job = _job(request[2:]) if what == "run" and request[1] == server.key else None
        if job is None or len(fds) != 3:
            conn.sendall(b"R")
            return ""
        return _run(conn, fds, job)
    except (OSError, EOFError, ValueError, TypeError, IndexError):
        return ""
    finally:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)


def _job(request: tuple[object, ...]) -> Job | None:
    """The command a request hands over, or None when it is not one."""
    if len(request) != 5:
        return None
    argv, cwd, environ, mask, streams = request
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
        return None
    if not (isinstance(environ, dict) and all(isinstance(v, str) for v in environ.values())):
        return None
    if not (isinstance(cwd, str) and isinstance(mask, int) and isinstance(streams, tuple)):
        return None
    pairs = [p for p in streams if isinstance(p, tuple) and len(p) == 2]
    if len(pairs) != 2 or not all(isinstance(x, str) for pair in pairs for x in pair):
        return None
    (out_encoding, out_errors), (err_encoding, err_errors) = pairs
    return (
        argv,
        cwd,
        {str(k): v for k, v in environ.items()},
        mask,
        ((str(out_encoding), str(out_errors)), (str(err_encoding), str(err_errors))),
    )


def _run(conn: socket_module.socket, fds: list[int], job: Job) -> str:  # pragma: no cover
    """Fork the command's process and pass on its signals until it ends; its exit status
    goes back to the command. "run" when the fork has ended, "handed over" (here) and
    "took over" (in the fork) when the fork is the server now."""
    import signal  # noqa: PLC0415

    done_r, done_w = os.pipe()  # the fork says "H" and its status here when it takes over
    gone_r, gone_w = os.pipe()  # and waits for this end to close: this process has ended
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.close(done_r)
        os.close(gone_w)
        code = _command(conn, fds, job)
        if code == 0 and _hand_over(code, done_w, gone_r):
            return "took over"
        os._exit(code)
    os.close(done_w)
    os.close(gone_r)
    for fd in fds:  # the command's streams are the fork's alone now
        os.close(fd)
    fds.clear()
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # (whichever of the two runs first)
    try:
        conn.sendall(b"A")
        conn.settimeout(None)
        ended = _watch(conn, pid, done_r)
    except OSError:  # the command is gone
        _signal_group(pid, signal.SIGKILL)
        ended = "gone"
    finally:
        os.close(done_r)
        os.close(gone_w)
    if isinstance(ended, bytes):  # the fork is the server now
        with contextlib.suppress(OSError):
            conn.sendall(ended)
        return "handed over"  # and this process ends (gone_w with it)
    if isinstance(ended, str):  # gone
        os.waitpid(pid, 0)
    else:
        conn.sendall(ended.to_bytes(4, "big", signed=True))
    return "run"


def _watch(
    conn: socket_module.socket, pid: int, done_r: int
) -> int | bytes | str:  # pragma: no cover
    """Until the fork ends (its exit status), takes over (the status it sent, as bytes) or
    its command is gone ("gone", the fork killed); Ctrl-C and the like passed on."""
    import select  # noqa: PLC0415
    import signal  # noqa: PLC0415

    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    watched = [conn.fileno(), done_r] if pidfd is None else [conn.fileno(), done_r, pidfd]
    try:
        while True:
            ready, _, _ = select.select(watched, [], [], 0.05 if pidfd is None else None)
            if done_r in ready:
                said = _read_fd(done_r, 5)
                if len(said) == 5 and said[:1] == b"H":
                    return said[1:]
            if conn.fileno() in ready:
                message = conn.recv(1)
                # to the fork's process group, as a terminal sends Ctrl-C to a command's
                # (a build's page renderers are in it)
                if message == b"I":
                    _signal_group(pid, signal.SIGINT)
                elif message == b"T":
                    _signal_group(pid, signal.SIGTERM)
                else:  # the command is gone: end its build as its own end would have
                    _signal_group(pid, signal.SIGKILL)
                    return "gone"
            finished, code = os.waitpid(pid, os.WNOHANG)
            if finished:
                status = os.waitstatus_to_exitcode(code)
                return status if status >= 0 else 128 - status  # negative: ended by a signal
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _read_fd(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size and (chunk := os.read(fd, size - len(data))):
        data += chunk
    return data


def _signal_group(pid: int, signum: int) -> None:  # pragma: no cover - in the server
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def _text_stream(fd: int, encoding: str, errors: str, *, line: bool) -> io.TextIOWrapper:
    import io  # noqa: PLC0415

    raw = open(fd, "wb", closefd=False)  # noqa: SIM115 - the process's stream, for its life
    return io.TextIOWrapper(raw, encoding, errors, line_buffering=line)


def _command(  # pragma: no cover - in the command's process
    conn: socket_module.socket, fds: list[int], job: Job
) -> int:
    """Become the command's process (its streams, folder, environment and umask) and run
    it: its exit status. Nothing escapes: this runs inside the server's loop."""
    import signal  # noqa: PLC0415
    import time  # noqa: PLC0415

    code = 1
    try:
        argv, cwd, environ, mask, ((out_encoding, out_errors), (err_encoding, err_errors)) = job
        conn.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        fds.clear()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
        time.tzset()
        os.umask(mask)
        # new text streams over the command's own: theirs is a pipe or a terminal, where the
        # server's was /dev/null (line-buffered on a terminal, as an interpreter makes them)
        sys.stdout = _text_stream(1, out_encoding, out_errors, line=_is_terminal(1))
        sys.stderr = _text_stream(2, err_encoding, err_errors, line=True)
        sys.argv = ["ankigen", *argv]
        from ankigen.cli.commands import status  # noqa: PLC0415

        code = status()
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            print("ankigen: interrupted", file=sys.stderr)
        code = 130
    except BaseException as exc:  # nothing may escape into the server's loop
        with contextlib.suppress(Exception):
            from ankigen.cli.commands import bug_report  # noqa: PLC0415

            print(bug_report(exc), file=sys.stderr)
        code = 1
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    return code


def _hand_over(code: int, done_w: int, gone_r: int) -> bool:  # pragma: no cover - in the fork
    """Let go of the command's streams, tell the server the command ended with ``code`` and
    that this process takes its place, and wait for it to end. False: it could not."""
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(devnull, target)
        os.close(devnull)
        sys.stdout = _text_stream(1, "utf-8", "strict", line=False)
        sys.stderr = _text_stream(2, "utf-8", "backslashreplace", line=True)
        os.write(done_w, b"H" + code.to_bytes(4, "big", signed=True))
        os.close(done_w)
        _read_fd(gone_r, 1)  # the server's end closes when it has ended
        os.close(gone_r)
    except OSError:
        return False
    return True
