"""What the project's files may be instead of what they should (issue 11 items 5, 7, 8, 15):
a damaged database, numbers that are not numbers, folders and pipes where files belong, a BOM,
a master whose header lies; and every error a person can meet says what to do."""

from __future__ import annotations

import ast
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline import cli
from pipeline.config import load_config
from pipeline.errors import ConfigError
from pipeline.manifest import load_episode
from pipeline.media.synth import make_test_video

ROOT = Path(__file__).resolve().parents[1]
EPISODE = 'id = "ep01"\nnumber = 1\nmaster = "master.mp4"\n[title]\nfr = "Un"\n[description]\nfr = "Un."\n'


def bare_project(root: Path) -> Path:
    """config.toml and one episode whose master is not there yet: enough for commands that read files."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "config.toml", root / "config.toml")
    (root / "episodes" / "ep01").mkdir(parents=True)
    (root / "episodes" / "ep01" / "episode.toml").write_text(EPISODE, encoding="utf-8")
    for folder in ("subtitles", "schedules"):
        (root / folder).mkdir()
    return root / "config.toml"


def run(config: Path, capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    code = cli.main(["--config", str(config), *args])
    return code, capsys.readouterr().err


# ------------------------------------------------------------------ item 5: the database

@pytest.mark.parametrize("content", [b"", os.urandom(4096), b"SQLite format 3\x00" + os.urandom(4080)])
def test_a_damaged_database_is_named_never_overwritten(tmp_path: Path, capsys, content: bytes) -> None:
    config = bare_project(tmp_path / "p")
    db = tmp_path / "p" / "build" / "pipeline.sqlite3"
    db.parent.mkdir()
    db.write_bytes(content)
    code, err = run(config, capsys, "subtitles", "status")
    assert code == 2 and "damaged" in err and "writable" not in err
    assert ".recover" in err and "backup" in err
    assert db.read_bytes() == content and not db.with_name(db.name + "-wal").exists()


def test_subtitles_folder_with_its_readme_is_in_version_control() -> None:
    readme = ROOT / "subtitles" / "README.md"
    assert readme.is_file() and "version control" in readme.read_text(encoding="utf-8")
    if (ROOT / ".git").exists():
        tracked = subprocess.run(["git", "ls-files", "subtitles/README.md"], cwd=ROOT, capture_output=True,
                                 text=True).stdout
        assert tracked.strip() == "subtitles/README.md"
        ignored = subprocess.run(["git", "check-ignore", "-q", "subtitles/ep01/fr.srt"], cwd=ROOT)
        assert ignored.returncode == 1  # people's subtitle files can be committed


# ------------------------------------------------------------------ item 7: inf and nan

@pytest.mark.parametrize(("section", "key", "value"), [
    ("transcode.profiles.youtube", "loudness", "nan"),
    ("clips", "min_seconds", "nan"),
    ("clips", "fade_seconds", "inf"),
    ("publish", "retry_base_seconds", "inf"),
    ("metrics", "pull_every_hours", "inf"),
])
def test_numbers_that_are_not_numbers_are_refused_with_their_key(tmp_path: Path, section: str, key: str,
                                                                 value: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"[{section}]\n{key} = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert any(f"{section}.{key}" in p and "finite" in p for p in err.value.problems), err.value.problems


@pytest.mark.parametrize(("top", "tables", "key"), [
    ("thumbnail_time = inf\n", "", "thumbnail_time"),
    ("", '[[highlights]]\nstart = nan\nend = "00:20"\n', "highlights[1].start"),
    ("", '[[highlights]]\nstart = "00:10"\nend = inf\n', "highlights[1].end"),
    ("", '[[highlights]]\nstart = "99:99"\nend = "100:00"\n', "highlights[1].start"),
])
def test_episode_times_that_are_not_times_are_refused(tmp_path: Path, top: str, tables: str, key: str) -> None:
    folder = tmp_path / "ep01"
    folder.mkdir()
    (folder / "episode.toml").write_text(top + EPISODE + tables, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_episode(folder)
    assert any(key in p for p in err.value.problems), err.value.problems


# ------------------------------------------------------------------ item 8: not a file

def test_a_folder_given_as_the_config_file(tmp_path: Path, capsys) -> None:
    config = bare_project(tmp_path / "p")
    code = cli.main(["--config", str(config.parent), "subtitles", "status"])
    err = capsys.readouterr().err
    assert code == 2 and "is a folder, not a file" in err and "hint:" in err


def test_a_folder_given_as_a_calendar(tmp_path: Path, capsys) -> None:
    config = bare_project(tmp_path / "p")
    code, err = run(config, capsys, "publish", "check", str(config.parent / "schedules"))
    assert code == 2 and "is a folder, not a file" in err and "hint:" in err


@pytest.mark.parametrize(("make", "said"), [
    (lambda p: p.mkdir(), "is a folder, not a file"),
    (lambda p: os.mkfifo(p), "is a named pipe (FIFO), not a file"),
    (lambda p: (p.with_name("loop").symlink_to(p), p.symlink_to(p.with_name("loop"))), "loops"),
])
def test_a_master_that_is_not_a_file(tmp_path: Path, capsys, make, said: str) -> None:  # noqa: ANN001
    config = bare_project(tmp_path / "p")
    make(config.parent / "episodes" / "ep01" / "master.mp4")
    for command in (("transcode", "ep01"), ("clips", "ep01")):
        code, err = run(config, capsys, *command)
        assert code == 2 and said in err and "hint:" in err and "not found" not in err, (command, err)


# ------------------------------------------------------------------ item 15: misleading messages

def test_toml_saved_with_a_bom_is_read(tmp_path: Path) -> None:
    config = bare_project(tmp_path / "p")
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    manifest = config.parent / "episodes" / "ep01" / "episode.toml"
    manifest.write_bytes(b"\xef\xbb\xbf" + manifest.read_bytes())
    assert load_config(config).project.timezone == "Africa/Bamako"
    assert load_episode(manifest.parent).id == "ep01"


def test_a_master_whose_header_claims_hours_it_does_not_hold(tmp_path: Path, capsys) -> None:
    import struct

    config = bare_project(tmp_path / "p")
    short = make_test_video(tmp_path / "short.mp4", duration=1.0, extra_video=["-movflags", "+faststart"])
    data = bytearray(short.read_bytes())
    at = data.find(b"mvhd")
    timescale = struct.unpack(">I", data[at + 16:at + 20])[0]
    data[at + 20:at + 24] = struct.pack(">I", timescale * 7200)  # the movie header now says 2 hours
    (config.parent / "episodes" / "ep01" / "master.mp4").write_bytes(bytes(data))
    code, err = run(config, capsys, "transcode", "ep01", "--profile", "whatsapp")
    assert code == 2 and "cannot fit" not in err
    assert "120.0 min" in err and "1.0 s" in err and "hint:" in err


def _error_classes(tree: ast.Module, known: set[str]) -> set[str]:
    found = set(known)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in found for b in node.bases):
            found.add(node.name)
    return found


def test_every_error_a_person_can_meet_says_what_to_do() -> None:
    """Each PipelineError (and subclass) raised in pipeline/ carries a hint: the `hint:` line."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "pipeline").rglob("*.py"))}
    classes = {"PipelineError"}
    for _ in range(3):
        for tree in trees.values():
            classes = _error_classes(tree, classes)
    sets_own_hint = set()  # classes whose __init__ takes no hint: they write their own
    for tree in trees.values():
        for n in ast.walk(tree):
            if isinstance(n, ast.ClassDef):
                for f in n.body:
                    if isinstance(f, ast.FunctionDef) and f.name == "__init__" and "hint" not in [
                            a.arg for a in f.args.args + f.args.kwonlyargs]:
                        sets_own_hint.add(n.name)
    missing = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in classes and name not in sets_own_hint and len(node.args) < 2 and not any(
                    k.arg in ("hint", None) for k in node.keywords):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not missing, "errors without a hint:\n" + "\n".join(missing)


def test_no_traceback_for_a_folder_as_config_in_a_real_process(tmp_path: Path) -> None:
    config = bare_project(tmp_path / "p")
    done = subprocess.run([sys.executable, "-m", "pipeline", "--config", str(config.parent), "transcode", "ep01"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and "Traceback" not in done.stderr and "bug" not in done.stderr


def _open_store(path: str, barrier: Any) -> str:
    from pipeline.store import Store
    barrier.wait()
    try:
        with Store(Path(path)) as store:
            store.db.execute("SELECT name FROM migrations").fetchall()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported to the test
        return str(exc)


def test_commands_started_together_on_a_new_project_share_one_database(tmp_path: Path) -> None:
    """Subtitles started beside a transcode on a fresh project: neither finds a half-made database."""
    ctx = multiprocessing.get_context("spawn")
    for attempt in range(4):
        db = tmp_path / f"try{attempt}" / "pipeline.sqlite3"
        with ctx.Manager() as manager:
            barrier = manager.Barrier(6)
            with ctx.Pool(6) as pool:
                results = pool.starmap(_open_store, [(str(db), barrier)] * 6)
        assert results == ["ok"] * 6
        assert sorted(p.name for p in db.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
            "pipeline.sqlite3"]


def test_commands_started_together_after_an_upgrade_apply_each_migration_once(tmp_path: Path) -> None:
    """An older project's database: the commands that open it first after an upgrade migrate it together."""
    from pipeline.store import MIGRATIONS
    ctx = multiprocessing.get_context("spawn")
    db = tmp_path / "pipeline.sqlite3"
    con = sqlite3.connect(db)
    first, script = MIGRATIONS[0]
    con.executescript(f"CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL); {script}; "
                      f"INSERT INTO migrations VALUES ('{first}', '2026-01-01T00:00:00+00:00');")
    con.close()
    with ctx.Manager() as manager:
        barrier = manager.Barrier(6)
        with ctx.Pool(6) as pool:
            results = pool.starmap(_open_store, [(str(db), barrier)] * 6)
    assert results == ["ok"] * 6
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute("SELECT name FROM migrations ORDER BY rowid")] == [n for n, _ in MIGRATIONS]


def _items_seen_by_another_program(db: Path) -> list[str]:
    read = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(*[r[0] for r in c.execute('SELECT item FROM stage_outputs ORDER BY item')]); c.close()")
    return subprocess.run([sys.executable, "-c", read, str(db)], check=True, capture_output=True,
                          text=True).stdout.split()


def test_what_a_command_writes_survives_another_program_reading_the_project(tmp_path: Path) -> None:
    """The scheduler holds the database open (its job store) while each job opens it again; a person's
    `publish status` reading it meanwhile must neither miss the jobs' writes nor make them vanish."""
    from pipeline.store import Store
    db = tmp_path / "pipeline.sqlite3"
    media = tmp_path / "a.bin"
    media.write_bytes(b"x")
    with Store(db) as scheduler:
        for item in ("first", "second", "third"):
            with Store(db) as job:      # a job opening the project inside the same process
                job.record_output("publish", "ep01", item, "f", media)
            assert item in _items_seen_by_another_program(db)
        assert scheduler.output("publish", "ep01", "third") is not None
    assert _items_seen_by_another_program(db) == ["first", "second", "third"]
