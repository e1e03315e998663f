"""Render cache, up-to-date check and parallel builds: fast, and never a different deck.

Every test compares against what a build without any cache writes: a cache may only make a
build faster, never change a byte of what it writes.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import pickle
import re
import shutil
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import ankigen.cards.cache as cache_module
import ankigen.cards.page as page_module
import ankigen.cards.pages as pages_module
from ankigen.build import BuildPlan, plan_build, write_build
from ankigen.cards.beside import Beside
from ankigen.cards.cache import RenderCache, code_fingerprint
from ankigen.cli.commands import main
from ankigen.config.project import Config, load_config
from ankigen.errors import AnkigenError, Diagnostic
from ankigen.freshness import up_to_date
from ankigen.read.media import MediaLibrary
from ankigen.read.pageset import read_pages
from ankigen.records import SourceFile
from tests.conftest import MUTATIONS, copy_site, mutate

NOW = 1_800_000_000
FIXTURES = Path(__file__).parent / "fixtures"

# Three pages of our own; the middle one is the one the tests edit.
PAGES = {
    "alpha.md": '# Alpha\n\n??? question "What does alpha measure?"\n    How far the first '
    "step goes.\n\n    Read more:\n\n    * https://alpha.example.org/\n",
    "beta.md": '# Beta\n\n??? question "What does beta hold?"\n    The second value.\n\n'
    '??? question "Which code shows beta?"\n    ```python\n    beta = 2\n    ```\n',
    "gamma/delta.md": '# Delta\n\n??? question "Is delta $\\Delta x$?"\n    A change, '
    "written $\\Delta x = x_1 - x_0$.\n",
}


@pytest.fixture
def src(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    for rel, text in PAGES.items():
        path = root / "source" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "source"


def _config(source: Path, out: Path) -> Config:
    return dataclasses.replace(load_config(source), deck="Cache Deck", lockfile=out / "a.lock")


def _build(
    source: Path, out: Path, cache: RenderCache | None, workers: int = 1, now: int = NOW
) -> BuildPlan:
    config = _config(source, out)
    plan = plan_build(source, config, now, out / "deck.apkg", cache=cache, workers=workers)
    write_build(plan)
    return plan


def _outputs(out: Path) -> dict[str, bytes]:
    """Every file written, with the output folder's own path (the reports name it) masked."""
    return {
        p.name: p.read_bytes().replace(str(out).encode(), b"OUT")
        for p in sorted(out.iterdir())
        if p.is_file()
    }


def _uncached(source: Path, out: Path, now: int = NOW) -> dict[str, bytes]:
    """What a build with no cache writes, starting from a copy of ``out`` (its lockfile)."""
    twin = out.with_name(out.name + "-uncached")
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(out, twin)
    _build(source, twin, cache=None, now=now)
    return _outputs(twin)


def test_a_rebuild_renders_only_the_edited_page_and_writes_what_a_cold_build_writes(
    src: Path, tmp_path: Path
) -> None:
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    first = _build(src, out, cache)
    assert sorted(first.rendered) == sorted(PAGES)
    again = _build(src, out, cache)
    assert again.rendered == ()
    page = src / "beta.md"
    page.write_text(page.read_text().replace("The second value.", "The second value, edited."))
    edited = _build(src, out, cache, now=NOW + 60)
    assert edited.rendered == ("beta.md",)
    notes = {n.question_text: n for n in edited.identified.notes}
    assert "edited" in notes["What does beta hold?"].fields[1]
    assert notes["What does beta hold?"].status == "changed"
    # Same bytes as a build that never saw the cache: same lock history, so start from the
    # same lockfile as the cached build had.
    cold_out = tmp_path / "cold"
    cold_out.mkdir()
    page.write_text(PAGES["beta.md"])
    _build(src, cold_out, cache=None)
    page.write_text(PAGES["beta.md"].replace("The second value.", "The second value, edited."))
    _build(src, cold_out, cache=None, now=NOW + 60)
    assert _outputs(out) == _outputs(cold_out)


def test_a_config_change_misses_the_cache(src: Path, tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    _build(src, out, cache)
    config = dataclasses.replace(_config(src, out), types=("question", "note"))
    plan = plan_build(src, config, NOW, out / "deck.apkg", cache=cache)
    assert sorted(plan.rendered) == sorted(PAGES)


def test_installed_versions_are_the_ones_importlib_metadata_reads() -> None:
    names = [*cache_module._RENDER_DEPS, "no-such-distribution"]
    found = cache_module.installed_versions(names)
    for name in cache_module._RENDER_DEPS:
        assert found[name] == metadata.version(name)
    assert found["no-such-distribution"] == "-"


def test_a_new_renderer_version_misses_the_cache(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    _build(src, out, cache)
    before = code_fingerprint()
    real_versions = cache_module.installed_versions

    def upgraded(names: Iterable[str]) -> dict[str, str]:
        return {**real_versions(names), "pygments": "99.0"}

    monkeypatch.setattr(cache_module, "installed_versions", upgraded)
    code_fingerprint.cache_clear()
    try:
        assert code_fingerprint() != before
        plan = _build(src, out, RenderCache(tmp_path / "cache"))
        assert sorted(plan.rendered) == sorted(PAGES)
    finally:
        monkeypatch.undo()
        code_fingerprint.cache_clear()
    assert code_fingerprint() == before


def test_the_fingerprint_covers_ankigen_own_code(tmp_path: Path) -> None:
    """An edited checkout without a version bump is a new renderer too."""
    package = Path(cache_module.__file__).parent
    copy = tmp_path / "ankigen"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    digest_of = cache_module._package_digest
    assert digest_of(copy) == digest_of(package)
    with (copy / "render.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# a local change\n")
    assert digest_of(copy) != digest_of(package)


def test_the_package_hash_is_kept_until_a_file_changes(tmp_path: Path) -> None:
    """Kept with each file's size and mtime: used while they hold, made again when one
    file changes, and the same hash as one made without a memo."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    (package / "style.css").write_text("p {}\n", encoding="utf-8")
    memo = tmp_path / "memo"
    digest_of = cache_module._package_digest
    made = digest_of(package, memo)
    assert made == digest_of(package)
    kept = memo / "code.marshal"
    stamps, _ = marshal.loads(kept.read_bytes())
    kept.write_bytes(marshal.dumps((stamps, "kept")))
    assert digest_of(package, memo) == "kept"  # nothing changed: the kept hash is used
    (package / "a.py").write_text("x = 2\n", encoding="utf-8")  # same size, new mtime
    assert digest_of(package, memo) == digest_of(package) != made
    (package / "b.py").write_text("", encoding="utf-8")  # a new file
    assert digest_of(package, memo) == digest_of(package)


def test_an_edited_snippet_misses_the_cache(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "sites" / "snippets", tmp_path)
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    first = _build(site, out, cache)
    assert _build(site, out, cache).rendered == ()
    include = site / "includes" / "definitions.md"
    include.write_text(include.read_text(encoding="utf-8") + "\nA line added later.\n")
    expected = _uncached(site, out, now=NOW + 60)
    plan = _build(site, out, cache, now=NOW + 60)
    assert plan.rendered  # the pages including it
    assert plan.identified.notes != first.identified.notes
    assert _outputs(out) == expected


def test_an_edited_image_misses_the_cache_and_bundles_the_new_file(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "sites" / "media", tmp_path)
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    first = _build(site, out, cache)
    assert _build(site, out, cache).rendered == ()
    image = site / "docs" / "vision" / "img" / "diagram.png"
    image.write_bytes(image.read_bytes() + b"\0edited")
    plan = _build(site, out, cache)
    assert plan.rendered == ("vision/convolutions.md",)
    old = {m.name for n in first.identified.notes for m in n.media}
    new = {m.name for n in plan.identified.notes for m in n.media}
    assert len(new - old) == 1 and next(iter(new - old)).startswith("diagram-")


def test_an_image_appearing_misses_the_cache(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "sites" / "media", tmp_path)
    page = site / "docs" / "vision" / "convolutions.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + '\n??? question "What does the later figure show?"\n    ![later](img/later.png)\n'
    )
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    first = _build(site, out, cache)
    assert any("later.png" in d.message for d in first.diagnostics)
    (site / "docs" / "vision" / "img" / "later.png").write_bytes(b"\x89PNG later")
    plan = _build(site, out, cache)
    assert "vision/convolutions.md" in plan.rendered
    assert not any("later.png" in d.message for d in plan.diagnostics)


def test_a_damaged_entry_is_a_miss_not_a_failure(src: Path, tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    _build(src, out, cache)
    entries = [p for p in (tmp_path / "cache" / "pages").rglob("*") if p.is_file()]
    assert len(entries) == len(PAGES)
    for entry in entries:
        entry.write_bytes(b"not marshal data")
    expected = _uncached(src, out)
    plan = _build(src, out, RenderCache(tmp_path / "cache"))  # a new process: disk only
    assert sorted(plan.rendered) == sorted(PAGES)
    assert _outputs(out) == expected


def test_the_cache_trims_itself_to_its_bound(src: Path, tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    _build(src, out, cache)
    entries = sorted((tmp_path / "cache" / "pages").rglob("*/*"))
    sizes = sorted(p.stat().st_size for p in entries)
    small = RenderCache(tmp_path / "cache", max_bytes=sizes[0] + sizes[1])
    oldest = min(entries, key=lambda p: p.stat().st_mtime_ns)
    os.utime(oldest, (1, 1))  # least recently used
    assert small.trim() >= 1
    left = sorted((tmp_path / "cache" / "pages").rglob("*/*"))
    assert oldest not in left
    assert sum(p.stat().st_size for p in left) <= small.max_bytes


def test_the_cache_lists_its_folder_only_when_its_kept_size_says_so(
    src: Path, tmp_path: Path
) -> None:
    """After a scan the folder's size is kept; builds that add little trust it, until it
    passes half the bound or ``_SCAN_EVERY`` builds went by."""
    out = tmp_path / "out"
    _build(src, out, RenderCache(tmp_path / "cache"))
    ledger = tmp_path / "cache" / "size.marshal"
    entries = sorted((tmp_path / "cache" / "pages").rglob("*/*"))
    total = sum(p.stat().st_size for p in entries)
    assert marshal.loads(ledger.read_bytes()) == (total, 0)  # the first build scanned
    bound = total - 1  # the folder is over this bound: a scan would remove an entry
    ledger.write_bytes(marshal.dumps((1, 0)))  # kept as small
    assert RenderCache(tmp_path / "cache", max_bytes=bound).trim() == 0
    assert marshal.loads(ledger.read_bytes()) == (1, 1)
    assert sorted((tmp_path / "cache" / "pages").rglob("*/*")) == entries
    ledger.write_bytes(marshal.dumps((1, cache_module._SCAN_EVERY)))  # too long unscanned
    assert RenderCache(tmp_path / "cache", max_bytes=bound).trim() >= 1
    left = sum(p.stat().st_size for p in (tmp_path / "cache" / "pages").rglob("*/*"))
    assert marshal.loads(ledger.read_bytes()) == (left, 0)
    ledger.write_bytes(marshal.dumps((left, 0)))
    assert RenderCache(tmp_path / "cache", max_bytes=2 * left - 2).trim() == 0  # scanned:
    assert marshal.loads(ledger.read_bytes()) == (left, 0)  # over half the bound


def test_nothing_changed_means_nothing_written(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", str(src), "-o", str(out / "deck.apkg")]
    assert main(args, env={"SOURCE_DATE_EPOCH": str(NOW)}) == 0
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    config = load_config(src)
    fresh = up_to_date(
        config, out / "deck.apkg", read_pages(src, config), RenderCache(tmp_path / "c")
    )
    assert fresh is None  # another cache folder knows nothing of that build
    assert main(args, env={"SOURCE_DATE_EPOCH": str(NOW + 5)}) == 0
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    # Deleting the package, or editing the lockfile, makes the next build write again.
    (out / "deck.apkg").unlink()
    assert main(args, env={"SOURCE_DATE_EPOCH": str(NOW + 9)}) == 0
    assert (out / "deck.apkg").exists()


def test_an_up_to_date_build_repeats_the_warnings(
    src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (src / "beta.md").write_text(PAGES["beta.md"] + '\n??? question "Empty?"\n')
    args = ["build", str(src), "-o", str(tmp_path / "out" / "deck.apkg")]
    assert main(args, env={}) == 0
    first = capsys.readouterr()
    assert "card has no answer" in first.err
    assert main(args, env={}) == 0
    second = capsys.readouterr()
    assert "up to date" in second.out
    assert second.err == first.err
    assert main([*args, "--strict"], env={}) == 1


def test_a_lockfile_edited_by_hand_is_not_up_to_date(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", str(src), "-o", str(out / "deck.apkg")]
    assert main(args, env={"SOURCE_DATE_EPOCH": str(NOW)}) == 0
    lock = load_config(src).lock_path
    before = (out / "deck.apkg").read_bytes()
    # An older mod for one note, as if a teammate's lockfile came in through git.
    text = lock.read_text(encoding="utf-8")
    edited = re.sub(r'("hash": "[0-9a-f]+", "mod": )\d+', r"\g<1>1700000000", text, count=1)
    assert edited != text
    lock.write_text(edited, encoding="utf-8")
    assert main(args, env={"SOURCE_DATE_EPOCH": str(NOW)}) == 0
    assert (out / "deck.apkg").read_bytes() != before


def _work_and_tell(batch: list[object]) -> object:
    """The pool's worker, leaving a mark that it ran in another process."""
    marks = Path(os.environ["ANKIGEN_TEST_MARKS"])
    (marks / str(os.getpid())).touch()
    return _real_work(batch)  # type: ignore[arg-type]


_real_work = pages_module._work


def test_parallel_and_serial_builds_write_identical_bytes(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(12):  # enough pages to split
        (src / f"more/page-{n:02d}.md").parent.mkdir(exist_ok=True)
        (src / f"more/page-{n:02d}.md").write_text(
            f'# Page {n}\n\n??? question "What is item {n}?"\n    Item **{n}**, with `code`.\n'
            f'\n??? question "Why {n}?"\n    | a | b |\n    |---|---|\n    | {n} | $x^{n}$ |\n'
        )
    serial = tmp_path / "serial"
    _build(src, serial, cache=None, workers=1)
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("ANKIGEN_TEST_MARKS", str(marks))
    monkeypatch.setattr(pages_module, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(pages_module, "_BATCH_CHARS", 200)
    monkeypatch.setattr(pages_module, "_work", _work_and_tell)
    parallel = tmp_path / "parallel"
    _build(src, parallel, cache=None, workers=2)
    workers = {int(p.name) for p in marks.iterdir()}
    assert workers and os.getpid() not in workers
    assert _outputs(serial) == _outputs(parallel)


def _beside_and_tell(job: bytes, *rest: Any) -> bytes:
    """The forked renderer's work on an edit's pages, leaving a mark of its process."""
    marks = Path(os.environ["ANKIGEN_TEST_MARKS"])
    (marks / str(os.getpid())).touch()
    return _real_beside(job, *rest)


_real_beside = pages_module.serve_beside


def _edited_build(
    src: Path, out: Path, cache: RenderCache, edit: str
) -> tuple[Path, Path, BuildPlan]:
    """beta.md's answer changed to ``edit`` and built again on two cores, a minute later: the
    page, a copy of the outputs it starts from (their lockfile), and the build."""
    page = src / "beta.md"
    page.write_text(page.read_text().replace("The second value.", edit))
    before = out.parent / "before"
    shutil.copytree(out, before)  # the lockfile the next build starts from
    return page, before, _build(src, out, cache, workers=2, now=NOW + 60)


def test_an_edit_rendered_beside_the_read_back_writes_what_a_cold_build_writes(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large deck's edited page is rendered in a forked process while the other pages are
    read back from the cache: the same files as a build without a cache, and only the edited
    card counted as rendered (the page's other card is given back in that process)."""
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    _build(src, out, cache)
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("ANKIGEN_TEST_MARKS", str(marks))
    monkeypatch.setattr(pages_module, "OVERLAP_MIN_CHARS", 0)
    monkeypatch.setattr(pages_module, "serve_beside", _beside_and_tell)
    page, before, edited = _edited_build(src, out, cache, "The second value, edited.")
    workers = {int(p.name) for p in marks.iterdir()}
    assert workers and os.getpid() not in workers
    assert edited.rendered == ("beta.md",)
    assert edited.cards_rendered == 1
    assert _outputs(out) == _uncached(src, before, now=NOW + 60)
    # A stored page that cannot be used after all (here: its entry file is damaged) is
    # rendered here, after the worker's pages, in page order.
    for entry in (tmp_path / "cache" / "pages").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"damaged")
    page.write_text(page.read_text().replace("edited.", "edited twice."))
    shutil.rmtree(before)
    shutil.copytree(out, before)
    again = _build(src, out, cache, workers=2, now=NOW + 120)
    assert sorted(again.rendered) == sorted(PAGES)
    assert _outputs(out) == _uncached(src, before, now=NOW + 120)


def test_an_edit_read_back_from_memory_is_rendered_here(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a process that keeps the cache's entries in memory (watch mode, a build server),
    reading back the other pages costs nothing to overlap: the edit is rendered in the
    process, with no renderer forked, and the files are those of a build without a cache."""
    cache = RenderCache(tmp_path / "cache", remember=True)
    out = tmp_path / "out"
    _build(src, out, cache)
    monkeypatch.setattr(pages_module, "OVERLAP_MIN_CHARS", 0)

    def no_fork(*args: object) -> None:
        raise AssertionError("a renderer was forked")

    monkeypatch.setattr(Beside, "fork", no_fork)
    page, before, edited = _edited_build(src, out, cache, "The second value, now.")
    assert edited.rendered == ("beta.md",)
    assert _outputs(out) == _uncached(src, before, now=NOW + 60)
    # the same edit with a cache that reads entries back from disk forks one
    forked = RenderCache(tmp_path / "cache")
    page.write_text(page.read_text().replace("now.", "now again."))
    with pytest.raises(AssertionError, match="a renderer was forked"):
        _build(src, out, forked, workers=2, now=NOW + 120)


def _beside_fails(job: bytes, *rest: object) -> bytes:
    raise RuntimeError("the forked renderer fails")


def _beside_garbles(job: bytes, *rest: object) -> bytes:
    return b"not an answer"


def _beside_answers_short(job: bytes, *rest: object) -> bytes:
    return pickle.dumps([])


def _beside_dies(job: bytes, *rest: object) -> bytes:
    os._exit(9)


@pytest.mark.parametrize(
    "fault", [_beside_fails, _beside_garbles, _beside_answers_short, _beside_dies, None]
)
def test_a_forked_renderer_that_fails_costs_only_time(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: object
) -> None:
    """Whatever goes wrong in the forked renderer (it raises, answers garbage or too little,
    dies; or this platform cannot fork: None), the edited page is rendered here and the
    build writes what a build without a cache writes."""
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    _build(src, out, cache)
    monkeypatch.setattr(pages_module, "OVERLAP_MIN_CHARS", 0)
    if fault is None:
        monkeypatch.delattr(os, "fork")
    else:
        monkeypatch.setattr(pages_module, "serve_beside", fault)
    _, before, edited = _edited_build(src, out, cache, "The second value, edited.")
    assert edited.rendered == ("beta.md",)
    assert edited.cards_rendered == 1
    assert _outputs(out) == _uncached(src, before, now=NOW + 60)


def test_a_renderer_serves_only_jobs_for_its_own_settings(src: Path, tmp_path: Path) -> None:
    """The forked renderer renders with the settings it was forked with (a site's do not
    pickle); a job sent for other settings gets no answer, and the build renders it here."""
    config = _config(src, tmp_path / "out")
    settings = pages_module.RenderSettings.of(config)
    serve = pages_module.renderer(settings, src)()
    library = MediaLibrary(src)
    page = SourceFile(src / "beta.md", "beta.md", (src / "beta.md").read_text(), "beta/", "Beta")
    job = (settings.cache_settings(str(library.root)), [page], [None])
    ((sent, reused),) = pickle.loads(serve(pickle.dumps(job)))
    assert isinstance(sent, bytes)
    assert reused == 0
    other = dataclasses.replace(settings, labels=("Solution",))
    with pytest.raises(ValueError, match="other settings"):
        serve(pickle.dumps((other.cache_settings(str(library.root)), [page], [None])))


def test_a_page_that_fails_in_the_forked_renderer_fails_the_build_as_here(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page whose rendering raises (its diagnostics, not cards) comes back from the forked
    renderer as it would from rendering here: the build stops with the same diagnostics."""
    cache = RenderCache(tmp_path / "cache")
    _build(src, tmp_path / "out", cache)
    real = page_module.render_source

    def fails_on_beta(page: SourceFile, *args: Any, **kwargs: Any) -> Any:
        if page.rel == "beta.md":  # the process that rendered it is named in the message
            raise AnkigenError(Diagnostic(page.rel, f"too deep in {os.getpid()}", line=3))
        return real(page, *args, **kwargs)

    monkeypatch.setattr(page_module, "render_source", fails_on_beta)
    monkeypatch.setattr(pages_module, "OVERLAP_MIN_CHARS", 0)
    page = src / "beta.md"
    page.write_text(page.read_text().replace("The second value.", "The second value, edited."))
    said = []
    for workers in (2, 1):
        with pytest.raises(AnkigenError) as raised:
            _build(src, tmp_path / f"out-{workers}", RenderCache(tmp_path / "cache"), workers)
        said.append("\n".join(d.format() for d in raised.value.diagnostics))
    forked, here = said
    (pid,) = re.findall(r"too deep in (\d+)", forked)
    assert int(pid) != os.getpid()  # the forked renderer's outcome, not a render here
    assert forked.replace(pid, str(os.getpid())) == here


def test_a_watching_process_keeps_entries_in_memory_and_a_one_off_build_does_not(
    src: Path, tmp_path: Path
) -> None:
    watching = RenderCache(tmp_path / "cache", remember=True)
    out = tmp_path / "out"
    _build(src, out, watching)
    shutil.rmtree(tmp_path / "cache" / "pages")  # only memory can serve them now
    assert _build(src, out, watching).rendered == ()
    one_off = RenderCache(tmp_path / "cache")
    assert sorted(_build(src, out, one_off).rendered) == sorted(PAGES)
    shutil.rmtree(tmp_path / "cache" / "pages")
    assert sorted(_build(src, out, one_off).rendered) == sorted(PAGES)


def test_a_plan_without_cards_writes_the_same_files(src: Path, tmp_path: Path) -> None:
    """The command line drops the rendered cards before writing (memory); the notes are
    what the package is made from."""
    kept, dropped = tmp_path / "kept", tmp_path / "dropped"
    _build(src, kept, cache=None)
    config = _config(src, dropped)
    plan = plan_build(src, config, NOW, dropped / "deck.apkg", keep_cards=False)
    assert plan.cards == ()
    write_build(plan)
    assert _outputs(kept) == _outputs(dropped)


def test_entries_are_written_in_bursts_and_all_of_them_by_the_end_of_rendering(
    src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries wait in memory (a few MB at most) and reach the disk together; each is
    readable meanwhile, and every one is on disk once ``plan_build`` has rendered."""
    monkeypatch.setattr(cache_module, "FLUSH_ENTRIES", 2)
    flushed: list[int] = []
    real_flush = RenderCache.flush

    def flush(self: RenderCache) -> None:
        flushed.append(len(self._pending))
        real_flush(self)

    monkeypatch.setattr(RenderCache, "flush", flush)
    cache = RenderCache(tmp_path / "cache")
    config = _config(src, tmp_path / "out")
    plan_build(src, config, NOW, tmp_path / "out" / "deck.apkg", cache=cache)
    assert flushed == [2, 1]  # three pages: a burst of two, then the rest at the end
    on_disk = [p for p in (tmp_path / "cache" / "pages").rglob("*") if p.is_file()]
    assert len(on_disk) == len(PAGES) == cache.written
    # Put and not yet flushed: served from memory, then written by the next flush.
    entry = cache_module.load_entry(on_disk[0].read_bytes())
    assert entry is not None
    cache.put("f" * 40, entry)
    assert cache.get("f" * 40) == entry
    assert not (tmp_path / "cache" / "pages" / "ff").exists()
    cache.trim()  # trims what is on disk: flushes first
    assert (tmp_path / "cache" / "pages" / "ff" / ("f" * 38)).read_bytes() == on_disk[
        0
    ].read_bytes()


# One page of many cards: footnotes, an abbreviation, code, an image (present or missing).
CARDS_PAGE = """# Cards

*[CNN]: Convolutional Neural Network

??? question "What does a CNN pool?"
    Feature maps[^pool], down by two.

??? question "Which code pools?"
    ```python
    pooled = max_pool(x, 2)
    ```

??? question "What does the diagram show?"
    ![diagram](diagram.png)

??? question "Where is the missing picture?"
    ![gone](missing.png)

??? question "What is a stride?"
    How far the window moves[^stride].

[^pool]: Max or average.
[^stride]: In pixels.
"""


CARDS_SITE = """site_name: Cards
markdown_extensions:
  - abbr
  - footnotes
  - admonition
  - pymdownx.details
  - pymdownx.superfences
"""


def _site_of_cards(tmp_path: Path) -> Path:
    """A site (footnotes and abbreviations on) of one page of cards; the site's folder."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "mkdocs.yml").write_text(CARDS_SITE, encoding="utf-8")
    (root / "docs" / "cards.md").write_text(CARDS_PAGE, encoding="utf-8")
    shutil.copy(FIXTURES / "browser" / "diagram.png", root / "docs" / "diagram.png")
    return root


def _edit(source: Path, old: str, new: str) -> None:
    page = source / "docs" / "cards.md"
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "fresh"),
    [
        # one card's answer: that card alone
        ("How far the window moves", "How many pixels the window moves", 1),
        # lines added above every card: nothing to render, diagnostics move with their card
        ("# Cards\n", "# Cards\n\nAn introduction.\n\nIn two paragraphs.\n", 0),
        # a footnote's text: the card that cites it
        ("[^stride]: In pixels.", "[^stride]: In pixels, or in samples.", 1),
        # an abbreviation: the card whose words it wraps
        ("Convolutional Neural Network", "Convolutional network", 1),
        # a blank line inside a card: its lines inside move, so it is rendered again; so is
        # the card above it that cites a footnote defined below (the note it carries moved)
        ("    ```python\n", "\n    ```python\n", 2),
    ],
)
def test_an_edit_renders_only_the_cards_it_reaches(
    tmp_path: Path, old: str, new: str, fresh: int
) -> None:
    source = _site_of_cards(tmp_path)
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    first = _build(source, out, cache)
    assert first.cards_rendered == 5
    before = tmp_path / "before"
    shutil.copytree(out, before)  # the lockfile the next build starts from
    _edit(source, old, new)
    again = _build(source, out, cache, now=NOW + 60)
    assert again.rendered == ("cards.md",)
    assert again.cards_rendered == fresh
    assert _outputs(out) == _uncached(source, before, now=NOW + 60)
    # the diagnostics, lines included, are those of a build that never saw the cache
    config = _config(source, out)
    cold = plan_build(source, config, NOW + 60, out / "cold.apkg", cache=None)
    assert again.diagnostics == cold.diagnostics
    assert [n.fields for n in again.identified.notes] == [n.fields for n in cold.identified.notes]


def test_an_edited_image_renders_the_card_that_shows_it(tmp_path: Path) -> None:
    source = _site_of_cards(tmp_path)
    cache = RenderCache(tmp_path / "cache")
    out = tmp_path / "out"
    _build(source, out, cache)
    _edit(source, "How far the window moves", "How far it moves")
    image = source / "docs" / "diagram.png"
    image.write_bytes(image.read_bytes() + b"\0")
    again = _build(source, out, cache, now=NOW + 60)
    assert again.cards_rendered == 2  # the edited card and the one showing the image
    config = _config(source, out)
    cold = plan_build(source, config, NOW + 60, out / "cold.apkg", cache=None)
    assert [n.fields for n in again.identified.notes] == [n.fields for n in cold.identified.notes]
    assert {m.name for n in again.identified.notes for m in n.media} == {
        m.name for n in cold.identified.notes for m in n.media
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=MUTATIONS)
def test_cards_given_back_after_any_edit_are_the_ones_a_fresh_render_makes(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[int, int, str]]
) -> None:
    """Whatever an edit does to a page (characters, lines, markers, indents), the cards the
    page's earlier entry gives back, with the ones rendered afresh, are exactly the cards and
    diagnostics of a render that never saw a cache."""
    tmp_path = tmp_path_factory.mktemp("edit")
    source = _site_of_cards(tmp_path)
    cache = RenderCache(tmp_path / "cache")
    config = _config(source, tmp_path / "out")
    plan_build(source, config, NOW, tmp_path / "out" / "d.apkg", cache=cache)
    page = source / "docs" / "cards.md"
    page.write_text(mutate(CARDS_PAGE, ops), encoding="utf-8")
    try:
        cached = plan_build(source, config, NOW, tmp_path / "out" / "d.apkg", cache=cache)
    except AnkigenError as exc:
        with pytest.raises(AnkigenError) as fresh_error:
            plan_build(source, config, NOW, tmp_path / "out" / "d.apkg", cache=None)
        assert fresh_error.value.diagnostics == exc.diagnostics
        return
    fresh = plan_build(source, config, NOW, tmp_path / "out" / "d.apkg", cache=None)
    assert cached.diagnostics == fresh.diagnostics
    assert [n.fields for n in cached.identified.notes] == [n.fields for n in fresh.identified.notes]
    assert [(n.line, n.media) for n in cached.identified.notes] == [
        (n.line, n.media) for n in fresh.identified.notes
    ]
