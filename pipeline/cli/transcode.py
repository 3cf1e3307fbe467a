"""`webseries transcode` (and `webseries sample`): editors render masters into renditions."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from pipeline import log
from pipeline.cli.common import context, open_store
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.models import Rendition


def cmd_transcode(args: argparse.Namespace) -> int:
    from pipeline.stages.transcode import transcode
    from pipeline.versions import resolve

    cfg = context(args)
    if args.list_profiles:
        return _list_profiles(cfg, args.json)
    if not args.episodes:
        raise PipelineError("no episode named", hint="e.g. `webseries transcode ep01` or `webseries transcode all`")
    episodes = resolve(cfg, args.episodes)  # voice-over versions (ep01-vote-bm) too
    results: list[Rendition] = []
    with open_store(cfg) as store:
        for ep in episodes:
            results += transcode(cfg, store, ep, args.profile, force=args.force, show_progress=not args.json)
    if args.json:
        print(json.dumps([_rendition_json(r) for r in results], indent=2, ensure_ascii=False))
    else:
        print(rendition_table(results))
    return 0


def _list_profiles(cfg: Config, as_json: bool) -> int:
    """The effective profiles: built-in defaults with config.toml's overrides applied."""
    from dataclasses import asdict

    profiles = [asdict(p) for p in cfg.transcode.profiles.values()]
    if as_json:
        print(json.dumps(profiles, indent=2))
        return 0
    for p in profiles:
        default = " (default)" if p["name"] in cfg.transcode.default_profiles else ""
        print(f"[{p.pop('name')}]{default}")
        keys = AUDIO_KEYS if p["kind"] == "audio" else [k for k in p if k != "fit" or p["canvas"]]
        print("  " + ", ".join(f"{k}={p[k]}" for k in keys if p.get(k) is not None))
    return 0


AUDIO_KEYS = ("kind", "audio_codec", "audio_kbps", "audio_channels", "sample_rate", "loudness", "true_peak", "lra")


def _rendition_json(r: Rendition) -> dict:
    return {"episode": r.episode, "profile": r.profile, "path": str(r.path), "width": r.width,
            "height": r.height, "duration": round(r.duration, 3), "size_bytes": r.size_bytes,
            "bitrate_kbps": round(r.bitrate_kbps, 1), "mb_per_minute": round(r.mb_per_minute, 2),
            "notes": list(r.notes)}


def _shown(path: Path) -> str:
    """A file's path as the editor can use it from here: relative to this folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def rendition_table(rows: Sequence[Rendition]) -> str:
    head = ("episode", "rendition", "resolution", "kb/s", "size MB", "MB/min", "file")
    body = [(r.episode, r.profile, f"{r.width}x{r.height}" if r.width else "audio", f"{r.bitrate_kbps:.0f}",
             f"{r.size_bytes / 1e6:.1f}", f"{r.mb_per_minute:.2f}", _shown(r.path)) for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=False)]
    line = lambda cells: "  ".join(str(c).rjust(w) if 1 < i < 6 else str(c).ljust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()
    return "\n".join([line(head), *(line(b) for b in body)])


def cmd_sample(args: argparse.Namespace) -> int:
    from pipeline.manifest import load_episode
    from pipeline.media.synth import make_sample_master

    cfg = context(args)
    episode = load_episode(cfg.project.episodes_dir / "ep00-sample")
    if episode.master.is_file() and not args.force:
        log.stage_logger("sample").info("%s: master already there (%s); --force to remake it",
                                        episode.id, episode.master)
        return 0
    log.stage_logger("sample").info("%s: generating the master from test sources and espeak-ng", episode.id)
    make_sample_master(episode.master)
    log.stage_logger("sample").info("%s: wrote %s", episode.id, episode.master)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcode", help="render masters into every platform's renditions")
    p.add_argument("episodes", nargs="*", metavar="EPISODE", help="episode id, unique prefix, folder, or 'all'")
    p.add_argument("--profile", action="append", metavar="NAME", help="only this profile (repeatable)")
    p.add_argument("--list-profiles", action="store_true", help="show every profile's effective settings and exit")
    p.add_argument("--force", action="store_true", help="redo renditions even if they are up to date")
    p.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    p.set_defaults(func=cmd_transcode)

    p = sub.add_parser("sample", help="generate the sample episode's master (no download needed)")
    p.add_argument("--force", action="store_true", help="remake it even if it exists")
    p.set_defaults(func=cmd_sample)
