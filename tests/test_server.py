"""The build server (``cli.server``): a command handed to it gives the output, exit status and
files a command run in its own process gives, in the command's folder, environment and
streams; Ctrl-C and a killed command end its build; it stops when told or when idle; and
commands it must not run (help, watch, interpreter options) run in their own process.

Every test here runs the real ``python -m ankigen`` in subprocesses and a real server, with
its sockets in a private folder of the test's own."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ankigen.cli import server

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "win32", reason="a POSIX build server"
)

EPOCH = 1_700_000_000


def _page(n: int, cards: int, edit: str = "") -> str:
    parts = [f"# Topic {n}\n"]
    for i in range(cards):
        parts.append(
            f'??? question "Why does rule {n}.{i} hold{edit}?"\n'
            f"    Because step {i} keeps $a_{i} \\le b_{n}$ true:\n\n"
            "    ```python\n"
            f"    def rule_{i}(xs):\n"
            f"        return sorted(x for x in xs if x % {i + 2})\n"
            "    ```\n\n"
            "    Read more:\n\n"
            f"    * https://example.org/rules/{n}/{i}\n"
        )
    return "\n".join(parts)


def _project(root: Path, pages: int = 3, cards: int = 4) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "ankigen.toml").write_text('deck = "Served"\n', encoding="utf-8")
    for n in range(pages):
        (root / "source" / f"topic{n}.md").write_text(_page(n, cards), encoding="utf-8")
    return root


@pytest.fixture
def runtime() -> Iterator[Path]:
    """A private folder for the server sockets (short: a socket's path has a length limit)."""
    folder = Path(tempfile.mkdtemp(prefix="ag-", dir="/tmp"))
    try:
        yield folder
    finally:
        _stop_all(folder)
        shutil.rmtree(folder, ignore_errors=True)


def _env(runtime: Path, cache: Path, mode: str = "1", **more: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SOURCE_DATE_EPOCH": str(EPOCH),
        "ANKIGEN_CACHE_DIR": str(cache),
        "XDG_RUNTIME_DIR": str(runtime),
        "ANKIGEN_SERVER": mode,
        "ANKIGEN_SERVER_IDLE": "60",
        "CI": "true",
        **more,
    }


def _ankigen(
    args: list[str], cwd: Path, env: dict[str, str], *, flags: tuple[str, ...] = (), **kw: object
) -> subprocess.CompletedProcess[str]:
    """``python [flags] -m ankigen args``, its output captured."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, *flags, "-m", "ankigen", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        **kw,
    )


def _status(runtime: Path) -> str:
    env = _env(runtime, runtime / "unused")
    return _ankigen(["server", "status"], runtime, env).stdout


def _served_count(runtime: Path) -> int | None:
    """The commands the one running server has served; None when none runs."""
    text = _status(runtime)
    if "no build server" in text:
        return None
    assert text.count("build server ") == 1, text
    return int(text.split(": ", 1)[1].split(" served", 1)[0])


def _wait_for_server(runtime: Path) -> None:
    deadline = time.monotonic() + 30
    while _served_count(runtime) is None:
        assert time.monotonic() < deadline, "no build server started"
        time.sleep(0.1)


def _stop_all(runtime: Path) -> None:
    env = _env(runtime, runtime / "unused")
    _ankigen(["server", "stop"], runtime, env)


def _served_project(tmp_path: Path, runtime: Path) -> tuple[Path, dict[str, str]]:
    """A project built once, which started a server, and the environment that uses it."""
    root = _project(tmp_path / "p")
    env = _env(runtime, tmp_path / "cache")
    assert _ankigen(["build"], root, env).returncode == 0
    _wait_for_server(runtime)
    return root, env


def _outputs(root: Path) -> dict[str, bytes]:
    names = ("build/served.apkg", "ankigen.lock", "build/served.report.json")
    return {n: (root / n).read_bytes() for n in names if (root / n).exists()}


def _edit(root: Path) -> None:
    page = root / "source" / "topic1.md"
    page.write_text(page.read_text(encoding="utf-8").replace("rule 1.2", "rule 1.2 still"))


def test_a_command_handed_to_the_server_is_a_command_run_in_its_own_process(
    tmp_path: Path, runtime: Path
) -> None:
    served = _project(tmp_path / "served")
    alone = _project(tmp_path / "alone")
    steps: list[tuple[str, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]] = []

    def both(step: str, args: list[str]) -> None:
        a = _ankigen(args, served, _env(runtime, tmp_path / "cache-served"))
        b = _ankigen(args, alone, _env(runtime, tmp_path / "cache-alone", mode="0"))
        steps.append((step, a, b))

    both("first build", ["build"])
    _wait_for_server(runtime)
    assert _served_count(runtime) == 0  # the first build ran in its own process
    for root in (served, alone):
        _edit(root)
    both("check after an edit", ["check"])
    both("build after an edit", ["build"])
    both("no-change build", ["build"])
    both("diff", ["diff"])
    assert _served_count(runtime) == 4
    for step, a, b in steps:
        assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr), step
    assert "1 reworded" in steps[2][1].stdout
    assert _outputs(served) == _outputs(alone)
    assert len(_outputs(served)) == 3


def test_a_failing_command_in_the_server_fails_with_its_diagnostics(
    tmp_path: Path, runtime: Path
) -> None:
    root, env = _served_project(tmp_path, runtime)
    page = root / "source" / "topic2.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n??? question ""\n', encoding="utf-8")
    before = _server_pid(runtime)
    got = _ankigen(["build"], root, env)
    # the fork of a failed command ends: the server goes on as it was
    assert _server_pid(runtime) == before
    alone = _ankigen(["build"], root, {**env, "ANKIGEN_SERVER": "0"})
    assert _served_count(runtime) == 1
    assert got.returncode == alone.returncode == 1
    assert "topic2.md:" in got.stderr
    assert (got.stdout, got.stderr) == (alone.stdout, alone.stderr)
    usage = _ankigen(["build", "--jobs", "many"], root, env)
    assert usage.returncode == 2 and "--jobs" in usage.stderr
    assert _served_count(runtime) == 2
    assert _server_pid(runtime) == before
    # the fork of a command that succeeds takes the server's place
    page.write_text(page.read_text(encoding="utf-8").replace('??? question ""', ""))
    fixed = _ankigen(["build"], root, env)
    assert fixed.returncode == 0, fixed.stderr
    after = _server_pid(runtime)
    assert after != before
    assert _ankigen(["check"], root, env).returncode == 0
    assert _server_pid(runtime) != after
    assert _served_count(runtime) == 4


def test_the_server_runs_a_command_in_its_folder_environment_and_umask(
    tmp_path: Path, runtime: Path
) -> None:
    _, env = _served_project(tmp_path, runtime)  # the command names the pages from elsewhere
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other_cache = tmp_path / "other-cache"
    got = _ankigen(
        ["build", "../p/source", "-o", "out/deck.apkg"],
        elsewhere,
        {**env, "ANKIGEN_CACHE_DIR": str(other_cache)},
        preexec_fn=lambda: os.umask(0o077),
    )
    assert got.returncode == 0, got.stderr
    assert _served_count(runtime) == 1
    assert (elsewhere / "out" / "deck.apkg").is_file()
    # the folder made for it has the command's umask, not the server's
    assert stat.S_IMODE((elsewhere / "out").stat().st_mode) == 0o700
    assert other_cache.is_dir()  # the command's environment
    assert "out/deck.apkg" in got.stdout


def _big_project(root: Path) -> Path:
    return _project(root, pages=80, cards=60)


def _server_pid(runtime: Path) -> int:
    text = _status(runtime)
    assert "build server " in text, text
    return int(text.split("build server ", 1)[1].split(":", 1)[0])


def _forks(pid: int) -> list[int]:
    """The server's forks (each runs a command)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()]


def _served_build(
    root: Path, env: dict[str, str], runtime: Path
) -> tuple[subprocess.Popen[str], int]:
    """A served build of 4,800 cards without the cache (seconds of work), once its fork runs."""
    assert _ankigen(["check", "source/topic0.md"], root, env).returncode == 0
    _wait_for_server(runtime)
    pid = _server_pid(runtime)
    command = subprocess.Popen(
        [sys.executable, "-m", "ankigen", "build", "--no-cache"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (forks := _forks(pid)):
        assert time.monotonic() < deadline, "the server did not take the command"
        time.sleep(0.005)
    time.sleep(0.2)
    return command, forks[0]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_ctrl_c_on_a_served_command_interrupts_its_build(tmp_path: Path, runtime: Path) -> None:
    root = _big_project(tmp_path / "p")
    env = _env(runtime, tmp_path / "cache")
    command, _ = _served_build(root, env, runtime)
    command.send_signal(signal.SIGINT)
    out, err = command.communicate(timeout=60)
    assert command.returncode == 130, (out, err)
    assert "ankigen: interrupted" in err
    assert not (root / "build").exists() or not list((root / "build").iterdir())
    after = _ankigen(["build"], root, {**env, "ANKIGEN_SERVER": "0"})
    assert after.returncode == 0, after.stderr  # the project lock was let go


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_a_killed_command_has_its_build_killed(tmp_path: Path, runtime: Path) -> None:
    root = _big_project(tmp_path / "p")
    env = _env(runtime, tmp_path / "cache")
    command, fork = _served_build(root, env, runtime)
    command.kill()
    command.communicate()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{fork}").exists():
        assert time.monotonic() < deadline, "the build outlived its command"
        time.sleep(0.02)
    assert not (root / "build").exists() or not list((root / "build").iterdir())
    after = _ankigen(["build"], root, {**env, "ANKIGEN_SERVER": "0"})
    assert after.returncode == 0, after.stderr  # the project lock was let go
    assert _served_count(runtime) == 1  # and the server goes on


def test_the_server_stops_when_told_and_when_idle(tmp_path: Path, runtime: Path) -> None:
    root, env = _served_project(tmp_path, runtime)
    stopped = _ankigen(["server", "stop"], root, env)
    assert "stopped the build server" in stopped.stdout
    assert _served_count(runtime) is None
    assert not list((runtime / "ankigen").glob("*.sock"))
    idle = {**env, "ANKIGEN_SERVER_IDLE": "1"}
    assert _ankigen(["build"], root, idle).returncode == 0
    _wait_for_server(runtime)
    deadline = time.monotonic() + 20
    while _served_count(runtime) is not None:
        assert time.monotonic() < deadline, "an idle server did not end"
        time.sleep(0.2)


def test_status_removes_the_socket_of_a_server_that_was_killed(runtime: Path) -> None:
    folder = runtime / "ankigen"
    folder.mkdir(mode=0o700)
    left = folder / "0badc0de-10.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(left))  # bound, never listened on: what a killed server leaves
    assert "no build server is running" in _status(runtime)
    assert not left.exists()


def test_a_second_server_for_the_same_code_does_not_start(tmp_path: Path, runtime: Path) -> None:
    root = _project(tmp_path / "p")
    env = _env(runtime, tmp_path / "cache")
    for _ in range(3):  # builds that may each find no server yet, and start one
        assert _ankigen(["check"], root, env).returncode == 0
    _wait_for_server(runtime)
    time.sleep(1)  # the losers' start-up
    assert _status(runtime).count("build server ") == 1


def test_by_default_a_command_in_a_terminal_uses_a_server(tmp_path: Path, runtime: Path) -> None:
    """``ANKIGEN_SERVER`` unset: a command whose error stream is a terminal starts and uses a
    server; the same command piped, or under CI, runs in its own process."""
    root = _project(tmp_path / "p")
    env = _env(runtime, tmp_path / "cache")
    del env["ANKIGEN_SERVER"], env["CI"]
    main, other = os.openpty()
    try:

        def in_terminal(args: list[str]) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "ankigen", *args],
                cwd=root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=other,
                text=True,
                check=False,
                timeout=120,
            )

        assert in_terminal(["build"]).returncode == 0
        _wait_for_server(runtime)
        _edit(root)
        got = in_terminal(["build"])
        assert got.returncode == 0
        assert "1 reworded" in got.stdout
        assert _served_count(runtime) == 1
        piped = _ankigen(["check"], root, env)  # stderr a pipe
        under_ci = _ankigen(["check"], root, {**env, "CI": "true"})
        assert piped.returncode == under_ci.returncode == 0
        assert _served_count(runtime) == 1
    finally:
        os.close(main)
        os.close(other)


@pytest.mark.parametrize(
    ("argv", "environ", "terminal", "expected"),
    [
        (["build"], {"ANKIGEN_SERVER": "1"}, False, True),
        ([], {"ANKIGEN_SERVER": "1"}, False, True),  # no command: a build of source/
        (["source"], {"ANKIGEN_SERVER": "1"}, False, True),
        (["check", "docs"], {}, True, True),  # auto: in a terminal
        (["check", "docs"], {}, False, False),  # auto: not in a terminal
        (["check", "docs"], {"CI": "true"}, True, False),  # auto: not under CI
        (["check", "docs"], {"CI": "true", "ANKIGEN_SERVER": "1"}, False, True),
        (["build"], {"ANKIGEN_SERVER": "0"}, True, False),
        (["build", "--help"], {"ANKIGEN_SERVER": "1"}, True, False),
        (["build", "-h"], {"ANKIGEN_SERVER": "1"}, True, False),
        (["--version"], {"ANKIGEN_SERVER": "1"}, True, False),
        (["build", "--watch"], {"ANKIGEN_SERVER": "1"}, True, False),
        (["build", "--wat"], {"ANKIGEN_SERVER": "1"}, True, False),  # argparse's prefix
        (["watch"], {"ANKIGEN_SERVER": "1"}, True, False),
        (["sync"], {"ANKIGEN_SERVER": "1"}, True, False),
        (["preview"], {"ANKIGEN_SERVER": "1"}, True, False),
        (["server", "stop"], {"ANKIGEN_SERVER": "1"}, True, False),
        (["build", "--", "--help"], {"ANKIGEN_SERVER": "1"}, True, True),
    ],
)
def test_which_commands_a_server_runs(
    argv: list[str], environ: dict[str, str], terminal: bool, expected: bool
) -> None:
    assert server.wanted(argv, environ, terminal) is expected


def test_a_command_with_interpreter_options_runs_in_its_own_process(
    tmp_path: Path, runtime: Path
) -> None:
    root, env = _served_project(tmp_path, runtime)
    probe = _ankigen(["check"], root, env, flags=("-X", "importtime"))
    assert probe.returncode == 0
    assert "ankigen.cli.run" in probe.stderr  # the command ran in this process
    assert _served_count(runtime) == 0


def test_a_server_is_keyed_by_the_code_it_loaded(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n")
    (package / "sub" / "b.py").write_text("B = 1\n")
    before = server.server_key(str(package))
    assert server.server_key(str(package)) == before
    (package / "sub" / "b.py").write_text("B = 22\n")
    assert server.server_key(str(package)) != before


def test_no_server_in_a_folder_others_may_write(tmp_path: Path) -> None:
    (tmp_path / "ankigen").mkdir()
    (tmp_path / "ankigen").chmod(0o777)
    assert server._folder({"XDG_RUNTIME_DIR": str(tmp_path)}) is None
    (tmp_path / "ankigen").chmod(0o700)
    assert server._folder({"XDG_RUNTIME_DIR": str(tmp_path)}) == str(tmp_path / "ankigen")
