"""`webseries voiceover script|mix|draft`: a narrator's version of an episode (ep01-vote-bm)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.cli.common import context, open_store


def _episode(cfg, name: str):  # noqa: ANN001, ANN202 - Config -> Episode, imported lazily
    from pipeline.manifest import resolve

    (ep,) = resolve(cfg.project.episodes_dir, [name])
    return ep


def _script(args: argparse.Namespace) -> int:
    from pipeline.stages.voiceover import make_script

    cfg = context(args)
    with open_store(cfg) as store:
        r = make_script(cfg, store, _episode(cfg, args.episode), args.lang, draft=args.draft, guide=not args.no_guide,
                        show_progress=not args.json)
    out = {"script": str(r.script), "guide": str(r.guide) if r.guide else None, "lines": r.lines, "draft": r.draft}
    print(json.dumps(out, indent=2, ensure_ascii=False) if args.json else
          "\n".join(f"{k}: {v}" for k, v in out.items() if v is not None))
    return 0


def _mix(args: argparse.Namespace) -> int:
    from pipeline.cli.transcode import rendition_table
    from pipeline.stages.voiceover import mix

    cfg = context(args)
    with open_store(cfg) as store:
        r = mix(cfg, store, _episode(cfg, args.episode), args.lang, Path(args.file), sync_mode=args.sync,
                offset=args.offset, stems=args.stems, force=args.force, show_progress=not args.json)
    if args.json:
        print(json.dumps({"asset": r.version.id, "master": str(r.version.master), "start": r.record.start,
                          "sync": r.record.sync, "skipped": r.skipped, "voice": [list(s) for s in r.spans],
                          "stems": [str(p) for p in r.stems] if r.stems else None,
                          "renditions": {x.profile: str(x.path) for x in r.renditions}}, indent=2, ensure_ascii=False))
    else:
        print(f"{r.version.id}: {r.version.master} (the episode starts {r.record.start:.3f} s into the recording, "
              f"sync: {r.record.sync})")
        print(rendition_table(list(r.renditions)))
        print(f"release it like an episode: asset = \"{r.version.id}\" in schedules/*.toml")
    return 0


def _draft(args: argparse.Namespace) -> int:
    from pipeline.stages.voiceover_draft import draft

    cfg = context(args)
    with open_store(cfg) as store:
        r = draft(cfg, store, _episode(cfg, args.episode), args.lang, show_progress=not args.json)
    out = {"voice": str(r.voice), "preview": str(r.preview), "notes": list(r.notes)}
    print(json.dumps(out, indent=2, ensure_ascii=False) if args.json else f"{r.voice}\n{r.preview}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("voiceover", help="a narrator's voice-over version of an episode (script, mix, draft)",
                       description="Viewers who cannot read get the episode with a narrator's voice: "
                                   "`script` for the narrator, `mix` the recording into the version <episode>-<lang>.")
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    lang = {"default": "bm", "help": "the voice-over's language (default: bm)"}
    a = acts.add_parser("script", help="the narrator's printable script (approved subtitles, timed) and guide video")
    a.add_argument("episode", metavar="EPISODE")
    a.add_argument("--lang", **lang)
    a.add_argument("--draft", action="store_true", help="accept subtitles not yet approved (the script says DRAFT)")
    a.add_argument("--no-guide", action="store_true", help="only the script, no guide video")
    a.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    a.set_defaults(func=_script)
    a = acts.add_parser("mix", help="line the recording up, duck the original under it, make and render the version")
    a.add_argument("episode", metavar="EPISODE")
    a.add_argument("file", metavar="FILE", help="the narrator's recording (WAV, M4A, MP3...)")
    a.add_argument("--lang", **lang)
    a.add_argument("--sync", choices=("chirp", "episode", "none"),
                   help="chirp: the guide video's bip; episode: the episode's sound heard in the recording; "
                        "none: the recording starts with the episode (default: [voiceover] sync)")
    a.add_argument("--offset", type=float, metavar="SECONDS",
                   help="the episode starts this many seconds into the recording (overrides --sync)")
    a.add_argument("--stems", action="store_true", help="also keep the ducked original and the voice as WAV stems")
    a.add_argument("--force", action="store_true", help="mix again even if nothing changed")
    a.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    a.set_defaults(func=_mix)
    a = acts.add_parser("draft", help="a synthetic DRAFT voice from the approved subtitles "
                                      "(only with a Bambara speech model in [voiceover] tts_model)")
    a.add_argument("episode", metavar="EPISODE")
    a.add_argument("--lang", **lang)
    a.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    a.set_defaults(func=_draft)
