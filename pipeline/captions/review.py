"""Subtitle files under review: the pipeline never overwrites what a person changed.

The `subtitle_tracks` table (store migration "subtitles-1") remembers the digest of what the
pipeline last wrote and what a person approved; `subtitle_events` keeps each track's history.
This module is the only one that reads or writes them: every other module asks `current()`,
which checks the stored state against the file on disk (an edit after approval is 'edited').
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.captions import files
from pipeline.errors import PipelineError
from pipeline.fsutil import sha256_file, write_text_atomic
from pipeline.models import Cue
from pipeline.store import Store, utcnow

STATUSES = ("generated", "draft", "edited", "approved")


@dataclass(frozen=True)
class Track:
    asset: str
    lang: str
    path: Path
    status: str
    generated_sha256: str | None
    approved_sha256: str | None
    route: str

    @property
    def changed_since_approval(self) -> bool:
        """A person approved a version of this file, and the file is no longer that version."""
        return self.approved_sha256 is not None and self.status != "approved"


@dataclass(frozen=True)
class WriteOutcome:
    path: Path          # the file the pipeline wrote (the track, or <lang>.new.srt beside it)
    action: str         # "written" | "unchanged" | "kept" (a person's file kept; new one beside it)
    status: str


def get_track(store: Store, asset: str, lang: str) -> Track | None:
    row = store.db.execute("SELECT path, status, generated_sha256, approved_sha256, route FROM subtitle_tracks "
                           "WHERE asset=? AND lang=?", (asset, lang)).fetchone()
    return Track(asset, lang, Path(row[0]), row[1], row[2], row[3], row[4]) if row else None


def all_tracks(store: Store, asset: str | None = None) -> list[Track]:
    rows = store.db.execute("SELECT asset, lang, path, status, generated_sha256, approved_sha256, route "
                            "FROM subtitle_tracks" + (" WHERE asset=?" if asset else "") + " ORDER BY asset, lang",
                            (asset,) if asset else ()).fetchall()
    return [Track(r[0], r[1], Path(r[2]), r[3], r[4], r[5], r[6]) for r in rows]


def _save(store: Store, t: Track, detail: str | None = None) -> None:
    with store.db:
        store.db.execute("INSERT OR REPLACE INTO subtitle_tracks VALUES (?,?,?,?,?,?,?,?)",
                         (t.asset, t.lang, str(t.path), t.status, t.generated_sha256, t.approved_sha256,
                          t.route, utcnow().isoformat()))
    record_event(store, t.asset, t.lang, t.status, sha256_file(t.path) if t.path.is_file() else None,
                 t.route if detail is None else detail)


def record_event(store: Store, asset: str, lang: str, event: str, sha256: str | None = None,
                 detail: str = "") -> None:
    """One step in a track's history (for `subtitles status`); a repeat of the last step is not kept."""
    last = store.db.execute("SELECT event, sha256 FROM subtitle_events WHERE asset=? AND lang=? "
                            "ORDER BY at DESC, rowid DESC LIMIT 1", (asset, lang)).fetchone()
    if last and last[0] == event and last[1] == sha256:
        return
    with store.db:
        store.db.execute("INSERT INTO subtitle_events VALUES (?,?,?,?,?,?)",
                         (asset, lang, event, utcnow().isoformat(), sha256, detail))


def tracked_in_history(store: Store) -> list[tuple[str, str]]:
    """(asset, lang) of every track with a recorded step, even one with no file yet (a template issued)."""
    return store.db.execute("SELECT DISTINCT asset, lang FROM subtitle_events").fetchall()


def events(store: Store, asset: str, lang: str) -> list[tuple[str, str, str | None, str]]:
    """(event, UTC ISO time, sha256, detail), oldest first."""
    return store.db.execute("SELECT event, at, sha256, detail FROM subtitle_events WHERE asset=? AND lang=? "
                            "ORDER BY at, rowid", (asset, lang)).fetchall()


def store_human(store: Store, asset: str, lang: str, path: Path, route: str) -> Track:
    """A person's file just put in place (an imported translation): 'edited', so no later generation
    overwrites it and release stages wait for `approve`."""
    track = get_track(store, asset, lang)
    t = Track(asset, lang, path, "edited", track.generated_sha256 if track else None,
              track.approved_sha256 if track else None, route)
    _save(store, t)
    return t


def machine_status(lang: str) -> str:
    """Machine French is 'generated'; machine Bambara is a 'draft' until a person approves it."""
    return "draft" if lang == "bm" else "generated"


def current_status(track: Track) -> str:
    """The status the file on disk actually has: a person's edit shows up without telling us."""
    if not track.path.is_file():
        return track.status
    digest = sha256_file(track.path)
    if track.approved_sha256 == digest:
        return "approved"
    if track.generated_sha256 == digest:
        return machine_status(track.lang)
    return "edited"


def refresh(store: Store, track: Track) -> Track:
    """The track with the status its file has now, stored back (and in its history) when it changed."""
    status = current_status(track)
    if status != track.status:
        track = replace(track, status=status)
        _save(store, track)
    return track


def current(store: Store, asset: str, lang: str, path: Path | None = None) -> Track | None:
    """The review state of a subtitle file as it is on disk now; None when no track was ever recorded.
    What clips, burn, publish and status read: a file edited after approval is not 'approved'.
    With `path` (the file the caller is about to use), that file is the one judged."""
    track = get_track(store, asset, lang)
    if track is None:
        return None
    return refresh(store, replace(track, path=path) if path is not None else track)


def copy_tracks(src: Store, dst: Store, asset: str) -> list[Track]:
    """An asset's tracks, each as its file is now, copied into another database (the publish demo's)."""
    tracks = [refresh(src, t) for t in all_tracks(src, asset)]
    for t in tracks:
        _save(dst, t)
    return tracks


def new_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.new{path.suffix}")


def write_track(store: Store, asset: str, lang: str, path: Path, cues: list[Cue], status: str,
                route: str) -> WriteOutcome:
    """Write the SRT (and its VTT) unless a person owns the file; then write <lang>.new.srt beside it."""
    text = files.srt_text(cues)
    track = get_track(store, asset, lang)
    if path.is_file():
        digest = sha256_file(path)
        ours = track is not None and digest == track.generated_sha256
        approved = track is not None and digest == track.approved_sha256
        if ours and not approved:
            if path.read_text(encoding="utf-8") == text:
                files.write_vtt(path.with_suffix(".vtt"), cues)
                _save(store, Track(asset, lang, path, status, digest, track.approved_sha256, route))
                return WriteOutcome(path, "unchanged", status)
        else:
            same = path.read_text(encoding="utf-8", errors="replace") == text
            if not same:
                beside = new_path(path)
                write_text_atomic(beside, text)
                files.write_vtt(beside.with_suffix(".vtt"), cues)
            kept_status = "approved" if approved else "edited"
            _save(store, Track(asset, lang, path, kept_status, track.generated_sha256 if track else None,
                               track.approved_sha256 if track else None, route))
            # the published VTT follows the person's SRT, not ours
            files.write_vtt(path.with_suffix(".vtt"), files.read_srt(path))
            return WriteOutcome(path if same else new_path(path), "unchanged" if same else "kept", kept_status)
    write_text_atomic(path, text)
    files.write_vtt(path.with_suffix(".vtt"), cues)
    _save(store, Track(asset, lang, path, status, sha256_file(path), track.approved_sha256 if track else None,
                       route))
    return WriteOutcome(path, "written", status)


def approve(store: Store, asset: str, lang: str, path: Path, by: str = "") -> Track:
    """Mark the file as it is now reviewed: release stages may use it; later edits show as 'edited'.
    `by` names the reviewer; it is kept in the track's history (`approved_by`)."""
    if not path.is_file():
        raise PipelineError(f"no {lang} subtitles for {asset}: {path} does not exist",
                            hint=f"run `webseries subtitles {asset} --lang {lang}` first, or put the file there")
    files.read_srt(path)  # refuse to approve a file that players cannot read
    track = get_track(store, asset, lang)
    digest = sha256_file(path)
    t = Track(asset, lang, path, "approved", track.generated_sha256 if track else None, digest,
              track.route if track else "human")
    _save(store, t, f"{BY}{by}" if by else None)
    return t


BY = "by "  # the detail of an 'approved' step that names its reviewer


def approved_by(store: Store, asset: str, lang: str) -> str:
    """Who approved the track's last approval ('' when unknown or never approved)."""
    row = store.db.execute("SELECT detail FROM subtitle_events WHERE asset=? AND lang=? AND event='approved' "
                           "ORDER BY at DESC, rowid DESC LIMIT 1", (asset, lang)).fetchone()
    return row[0][len(BY):] if row and row[0].startswith(BY) else ""
