"""Start-up: what a command loads before it answers, and that nothing at import time is
POSIX-only (ankigen must start on Windows, where most Anki users are)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, MakeProject, copy_site

RENDERERS = ("markdown_it", "pygments", "genanki", "mdit_py_plugins", "linkify_it", "nh3", "bs4")

# Runs ankigen's CLI in this process, then reports which renderer modules were loaded.
_PROBE = """
import json, sys
from ankigen.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as exc:
    status = exc.code
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(RENDERERS)))
print("PROBE" + json.dumps({"status": status, "loaded": loaded}))
"""


def _probe(args: list[str], cwd: Path, cache: Path, before: str = "") -> dict[str, object]:
    code = before + _PROBE.replace("RENDERERS", repr(json.dumps(RENDERERS)))
    env = {**os.environ, "ANKIGEN_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("PROBE"))
    result: dict[str, object] = json.loads(line[len("PROBE") :])
    return result


def test_help_loads_no_renderer(tmp_path: Path) -> None:
    assert _probe(["--help"], tmp_path, tmp_path / "cache") == {"status": 0, "loaded": []}


def test_a_no_change_rebuild_and_a_check_load_no_renderer(
    make_project: MakeProject, tmp_path: Path
) -> None:
    page = (
        '??? question "What does a pooling layer do?"\n    It downsamples.\n\n'
        "```python\nx = 1\n```\n"
    )
    project = make_project({"cnn.md": page})
    cache = tmp_path / "cache"
    apkg = str(project.apkg)
    first = _probe(["build", str(project.source), "-o", apkg], project.root, cache)
    assert first["status"] == 0
    assert "markdown_it" in first["loaded"]  # type: ignore[operator]  # the probe can see them
    again = _probe(["build", str(project.source), "-o", apkg], project.root, cache)
    assert again == {"status": 0, "loaded": []}
    project_check = _probe(["check", str(project.source)], project.root, cache)
    assert project_check["status"] == 0
    # check compares with the deck at the default output (build/): built there, it is settled
    default = _probe(["build", str(project.source)], project.root, cache)
    assert default["status"] == 0
    assert _probe(["check", str(project.source)], project.root, cache) == {
        "status": 0,
        "loaded": [],
    }


def test_a_rebuild_after_an_edit_does_not_load_genanki(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """genanki's part of the collection is kept from the first build (the collection
    template): the rebuild after an edit renders and writes without loading genanki."""
    page = '??? question "What does a pooling layer do?"\n    It downsamples.\n'
    project = make_project({"cnn.md": page})
    cache = tmp_path / "cache"
    args = ["build", str(project.source), "-o", str(project.apkg)]
    first = _probe(args, project.root, cache)
    assert first["status"] == 0
    assert "genanki" in first["loaded"]  # type: ignore[operator]
    (project.source / "cnn.md").write_text(page.replace("downsamples", "pools"), encoding="utf-8")
    again = _probe(args, project.root, cache)
    assert again["status"] == 0
    assert "markdown_it" in again["loaded"]  # type: ignore[operator]  # it did render
    assert "genanki" not in again["loaded"]  # type: ignore[operator]


def test_an_edit_rendered_beside_the_read_back_loads_no_renderer_in_the_build(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """When the edited page is rendered in a forked worker (here on a small deck, its size
    threshold lowered), the build process itself loads none of the renderers: the worker
    does, and the note type's code colours need Pygments' formatter only."""
    page = '??? question "What does a pooling layer do?"\n    It downsamples.\n'
    other = '??? question "What does a stride do?"\n    It skips.\n\n```python\nx = 1\n```\n'
    project = make_project({"cnn.md": page, "stride.md": other})
    cache = tmp_path / "cache"
    args = ["build", str(project.source), "-o", str(project.apkg), "--jobs", "2"]
    assert _probe(args, project.root, cache)["status"] == 0
    (project.source / "cnn.md").write_text(page.replace("downsamples", "pools"), encoding="utf-8")
    lowered = "import ankigen.cards.pages as p; p.OVERLAP_MIN_CHARS = 0\n"
    again = _probe(args, project.root, cache, before=lowered)
    assert again["status"] == 0
    loaded = again["loaded"]
    assert isinstance(loaded, list)
    assert [m for m in loaded if m != "pygments"] == []


# Modules a Windows Python does not have.
POSIX_ONLY = ("fcntl", "termios", "resource", "pwd", "grp")


@pytest.mark.parametrize("blocked", POSIX_ONLY)
def test_every_module_imports_without_posix_only_modules(blocked: str) -> None:
    """Each module of ankigen imports with ``blocked`` missing, as on Windows."""
    modules = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in (REPO / "ankigen").rglob("*.py")
        if path.name != "__main__.py"
    )
    assert len(modules) > 50
    code = (
        f"import sys, importlib; sys.modules[{blocked!r}] = None\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert done.stdout.strip() == "ok", done.stderr


def _cli_loads(args: list[str], cwd: Path, cache: Path) -> tuple[str, set[str]]:
    """``python -m ankigen ARGS`` as a user runs it: its standard output, and the modules its
    own process imported (from ``-X importtime``, which a forked child, whose output goes
    nowhere, does not add to)."""
    env = {**os.environ, "ANKIGEN_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ankigen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = {
        line.split("|")[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    return done.stdout, loaded


def test_an_edit_built_from_the_command_line_is_rendered_in_the_early_renderer(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """The command line forks its renderer once the build is out of date: the edit is
    rendered there, the build process loads no parser, and the deck is the one a build
    without the cache writes; with ``--jobs 1`` it renders itself (which shows that the
    probe sees the parser when it is loaded)."""
    if not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("the early renderer needs fork and two cores")
    page = '??? question "What does a pooling layer do?"\n    It downsamples.\n'
    other = '??? question "What does a stride do?"\n    It skips.\n'
    project = make_project({"cnn.md": page, "stride.md": other})
    cache = tmp_path / "cache"
    args = ["build", str(project.source), "-o", str(project.apkg)]
    _cli_loads(args, project.root, cache)
    for word, jobs, parser_here in (("pools", [], False), ("shrinks", ["--jobs", "1"], True)):
        edited = page.replace("downsamples", word)
        (project.source / "cnn.md").write_text(edited, encoding="utf-8")
        out, loaded = _cli_loads([*args, *jobs], project.root, cache)
        assert "1 rendered (1 card)" in out
        assert ("markdown_it" in loaded) is parser_here  # the package itself
        written = project.apkg.read_bytes()
        _cli_loads([*args, "--no-cache"], project.root, cache)
        assert project.apkg.read_bytes() == written


def test_a_no_change_rebuild_loads_none_of_the_later_stages(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """A rebuild with nothing changed reads the pages and the manifest and stops: it loads
    neither the renderer nor matching, the lockfile or the report writer."""
    page = '??? question "What does a pooling layer do?"\n    It downsamples.\n'
    project = make_project({"cnn.md": page})
    cache = tmp_path / "cache"
    args = ["build", str(project.source)]  # the default output: named from the deck
    first, _ = _cli_loads(args, project.root, cache)
    again, loaded = _cli_loads(args, project.root, cache)
    assert "(up to date)" in again, first + again
    later = ("ankigen.build", "ankigen.identity", "ankigen.cards.page", "ankigen.output.report")
    assert sorted(m for m in loaded if m.startswith(later)) == []
    assert "ankigen.read.pageset" in loaded  # the probe sees what the build did load


@pytest.mark.parametrize(
    ("site", "page"),
    [
        ("material", "docs/vision/receptive-fields.md"),  # many extensions, read-only mappings
        ("media", "docs/vision/convolutions.md"),  # images
        ("labels", "docs/api.md"),  # label titles, repeated titles
        ("zensical", "pages/circuits/ohm.md"),  # zensical.toml
        ("tagged", "docs/optics/lenses.md"),  # tags
    ],
)
def test_an_edit_to_a_site_is_rendered_in_the_early_renderer_as_here(
    tmp_path: Path, site: str, page: str
) -> None:
    """On a site (its extensions, its URLs, images), the early renderer gets everything the
    page needs: the build process loads no parser, and the deck is the one a build without
    the cache writes."""
    if not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("the early renderer needs fork and two cores")
    root = copy_site(REPO / "tests" / "fixtures" / "sites" / site, tmp_path)
    cache = tmp_path / "cache"
    apkg = tmp_path / "out" / "deck.apkg"
    args = ["build", str(root), "-o", str(apkg)]
    _cli_loads(args, root, cache)
    path = root / page
    lines = path.read_text(encoding="utf-8").split("\n")
    marker = next(i for i, line in enumerate(lines) if line.startswith("??? question"))
    answer = next(i for i in range(marker + 1, len(lines)) if lines[i].startswith("    "))
    lines[answer] += " Edited."
    path.write_text("\n".join(lines), encoding="utf-8")
    out, loaded = _cli_loads(args, root, cache)
    assert "1 rendered (1 card)" in out
    assert "markdown_it" not in loaded
    written = apkg.read_bytes()
    _cli_loads([*args, "--no-cache"], root, cache)
    assert apkg.read_bytes() == written
