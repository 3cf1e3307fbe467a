"""episodes/<id>/episode.toml <-> Episode, with every problem reported at once."""

from __future__ import annotations

import math
import re
from pathlib import Path

from pipeline.errors import ConfigError, MediaError, PipelineError
from pipeline.fsutil import require_file
from pipeline.log import stage_logger
from pipeline.models import LANGUAGES, Episode, Guide, Highlight, LangText, Resource
from pipeline.tomlread import Reader, load_toml

MANIFEST = "episode.toml"
log = stage_logger("episodes")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")
_WEB_ADDRESS = re.compile(r"\bhttps?://", re.I)


def parse_time(value: object) -> float | None:
    """Seconds from a number or "MM:SS(.mmm)" / "HH:MM:SS(.mmm)", as editors write timecodes.
    None for what is no time: negative, inf/nan, 60 seconds or more ("99:99"), 60 minutes with hours."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) and value >= 0 else None
    if isinstance(value, str):
        m = _TIME.match(value.strip())
        if m:
            h, mnt, s = m.groups()
            seconds = float(s.replace(",", "."))
            if seconds >= 60 or (h is not None and int(mnt) >= 60):
                return None
            return int(h or 0) * 3600 + int(mnt) * 60 + seconds
    return None


def _time(r: Reader, key: str, required: bool) -> float | None:
    r.mark_read(key)
    if key not in r.data:
        if required:
            r.problem(key, "is required")
        return None
    t = parse_time(r.data[key])
    if t is None:
        r.problem(key, f"expected seconds or a timecode like 01:23.5, got {r.data[key]!r}")
    return t


def load_episode(folder: Path) -> Episode:
    path = folder / MANIFEST
    return episode_from_data(load_toml(path, "episode manifest"), path)


def episode_from_data(data: dict, path: Path) -> Episode:
    """Validate a parsed manifest as if it were `path` (the studio checks an edit before writing it)."""
    folder = path.parent
    r = Reader(data, path)
    ep_id = r.str("id")
    if isinstance(ep_id, str) and not ID_PATTERN.match(ep_id):
        r.problem("id", "use lower-case letters, digits and dashes (e.g. ep03-vote)")
    if isinstance(ep_id, str) and ep_id != folder.name:
        r.problem("id", f"is {ep_id!r} but the folder is named {folder.name!r}; make them the same")
    number = r.int("number", lo=0, hi=999)
    texts = {}
    for key in ("title", "description"):
        t = r.table(key, required=True)
        texts[key] = LangText(t.str("fr"), t.str("bm", ""))
        t.check_unknown()
    languages = r.str_list("languages", ["fr"]) or []
    for lang in languages:
        if lang not in LANGUAGES:
            r.problem("languages", f"unknown language {lang!r} (use {', '.join(LANGUAGES)})")
    master_name = r.str("master")
    thumb = _time(r, "thumbnail_time", required=False)
    highlights = []
    for h in r.tables("highlights", "[[highlights]] tables"):
        start, end = _time(h, "start", True), _time(h, "end", True)
        label = h.str("label", "")
        use = h.str("use", "clip", choices=("clip", "trailer"))
        if start is not None and end is not None:
            if end <= start:
                h.problem("end", f"must be after start ({end} <= {start})")
            else:
                highlights.append(Highlight(start, end, label or "", use or "clip"))
        h.check_unknown()
    guide = _guide(r.table("guide"))
    r.check_unknown()
    r.raise_if_problems(hint=f"fix {path} and run again")
    return Episode(
        id=ep_id, number=number, title=texts["title"], description=texts["description"],
        languages=tuple(languages), master=(folder / master_name), folder=folder,
        highlights=tuple(highlights), thumbnail_time=thumb, guide=guide,
    )


def require_master(episode: Episode) -> Path:
    """The episode's master, if it is a file; else one error saying what is there instead
    (nothing, a folder, a pipe, a link that loops)."""
    return require_file(episode.master, f"{episode.id}: master",
                        f"export the master there, or fix `master` in {episode.folder / MANIFEST}", MediaError)


def _guide_text(r: Reader, key: str, value: object) -> str:
    """Guides are printed and read offline: a web address is written as people type it (www...)."""
    text = value if isinstance(value, str) else ""
    if _WEB_ADDRESS.search(text):
        r.problem(key, f"write the address without http:// or https:// (e.g. www.example.ml), got {text!r}: "
                       "the screening kit works with no internet and is printed")
    return text


def _guide(g: Reader) -> Guide:
    """[guide]: questions for discussion, key messages, [[guide.resources]] (name, contact, note)."""
    lists = {}
    for key in ("questions", "key_messages"):
        lists[key] = tuple(_guide_text(g, key, t) for t in g.str_list(key, []) or [] if t.strip())
    resources = []
    for t in g.tables("resources", "[[guide.resources]] tables (name, contact, note)"):
        name, contact, note = (_guide_text(t, key, t.str(key) if key == "name" else t.str(key, ""))
                               for key in ("name", "contact", "note"))
        t.check_unknown()
        if name.strip():
            resources.append(Resource(name.strip(), contact.strip(), note.strip()))
        elif t.has("name"):
            t.problem("name", "is empty")
    g.check_unknown()
    return Guide(questions=lists["questions"], key_messages=lists["key_messages"], resources=tuple(resources))


def discover(episodes_dir: Path) -> list[Path]:
    """Episode folders, in name order (ep00, ep01, ...)."""
    if not episodes_dir.is_dir():
        return []
    return sorted(p for p in episodes_dir.iterdir() if (p / MANIFEST).is_file())


def load_all(folders: list[Path]) -> tuple[list[Episode], dict[str, str]]:
    """(episodes that load, {folder name: why its manifest cannot be read}): one broken manifest
    never stops work on the others."""
    episodes, broken = [], {}
    for folder in folders:
        try:
            episodes.append(load_episode(folder))
        except ConfigError as exc:
            where = f"{folder / MANIFEST}: "
            broken[folder.name] = f"{folder / MANIFEST} cannot be read (" + "; ".join(
                p.removeprefix(where) for p in exc.problems) + ")"
    return episodes, broken


def resolve(episodes_dir: Path, names: list[str]) -> list[Episode]:
    """Episodes named on the command line: an id, a unique prefix ("ep03"), a folder, or "all".
    "all" goes on without the episodes whose manifest is broken, naming each (all broken: an error)."""
    folders = discover(episodes_dir)
    if names == ["all"]:
        if not folders:
            raise PipelineError(f"no episodes in {episodes_dir}", hint="each episode needs a folder with episode.toml")
        episodes, broken = load_all(folders)
        if not episodes:
            raise ConfigError(list(broken.values()), hint="fix the manifests and run again")
        for name, why in broken.items():
            log.warning("%s left out: %s; fix it to include %s", name, why, name)
        return episodes
    chosen: list[Path] = []
    problems = []
    for name in names:
        as_path = Path(name)
        if (as_path / MANIFEST).is_file():
            chosen.append(as_path.resolve())
            continue
        matches = [f for f in folders if f.name == name] or [f for f in folders if f.name.startswith(name)]
        if len(matches) == 1:
            chosen.append(matches[0])
        elif not matches:
            known = ", ".join(f.name for f in folders) or "none"
            problems.append(f"unknown episode {name!r} (known: {known})")
        else:
            problems.append(f"episode {name!r} is ambiguous: {', '.join(f.name for f in matches)}")
    if problems:
        raise ConfigError(problems, hint="name episodes by id, a unique prefix, or 'all'")
    episodes, errors = [], []
    for folder in dict.fromkeys(chosen):
        try:
            episodes.append(load_episode(folder))
        except ConfigError as exc:
            errors.extend(exc.problems)
    if errors:
        raise ConfigError(errors, hint="fix the manifests and run again")
    return episodes
