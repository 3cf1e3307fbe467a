"""`webseries clips` and `webseries trailer`: short vertical clips and the series trailer."""

from __future__ import annotations

import argparse
import json

from pipeline.cli.common import context, count, open_store


def cmd_clips(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.clips import clips

    cfg = context(args)
    episodes = resolve(cfg.project.episodes_dir, args.episodes)
    rows = []
    with open_store(cfg) as store:
        for ep in episodes:
            material, results = clips(cfg, store, ep, count=args.count, force=args.force,
                                      render=not args.plan, show_progress=not args.json)
            rows += [_clip_json(r.clip_id, r.segment, r.outputs, r.thumbnail, material.captions_from)
                     for r in results]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['clip']}  {r['start']:7.2f}-{r['end']:7.2f}  {r['duration']:5.1f} s  score {r['score']:.2f}  "
                  f"{'; '.join(r['reasons'])}")
            for path in r["outputs"].values():
                print(f"    {path}")
    return 0


def cmd_trailer(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages.trailer import trailer

    cfg = context(args)
    episodes = resolve(cfg.project.episodes_dir, args.episodes or ["all"])
    with open_store(cfg) as store:
        result = trailer(cfg, store, episodes, force=args.force, show_progress=not args.json, render=not args.plan)
    shots = [_clip_json(f"trailer-shot{i}", s, {}, None, "") for i, s in enumerate(result.segments, 1)]
    if args.json:
        outputs = {k: str(v) for k, v in result.outputs.items()}
        print(json.dumps({"duration": round(result.duration, 3), "outputs": outputs,
                          "thumbnail": str(result.thumbnail), "notes": list(result.notes), "shots": shots},
                         indent=2, ensure_ascii=False))
    else:
        for r in shots:
            print(f"{r['episode']}  {r['start']:7.2f}-{r['end']:7.2f}  {r['duration']:5.1f} s  {r['source']}  "
                  f"{'; '.join(r['reasons'])}")
        print(f"trailer: {result.duration:.1f} s")
        if not args.plan:
            for path in result.outputs.values():
                print(f"    {path}")
    return 0


def _clip_json(clip: str, seg, outputs: dict, thumbnail, captions: str) -> dict:  # noqa: ANN001
    return {"clip": clip, "episode": seg.episode, "start": seg.start, "end": seg.end,
            "duration": round(seg.duration, 3), "score": seg.score, "reasons": list(seg.reasons),
            "source": seg.source, "label": seg.label, "text": seg.text, "captions": captions,
            "outputs": {k: str(v) for k, v in outputs.items()},
            "thumbnail": str(thumbnail) if thumbnail else None}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("clips", help="cut short vertical clips with captions (and thumbnails) from episodes")
    p.add_argument("episodes", nargs="+", metavar="EPISODE", help="episode id, unique prefix, folder, or 'all'")
    p.add_argument("--count", type=count, metavar="N", help="automatic clips per episode (default: [clips] count)")
    p.add_argument("--plan", action="store_true", help="only choose the clips and say why; render nothing")
    p.add_argument("--force", action="store_true", help="redo clips even if they are up to date")
    p.add_argument("--json", action="store_true", help="print the chosen segments, scores and reasons as JSON")
    p.set_defaults(func=cmd_clips)

    p = sub.add_parser("trailer", help="assemble the series trailer (16:9 and 9:16) from the best highlights")
    p.add_argument("episodes", nargs="*", metavar="EPISODE", help="episodes to draw from (default: all)")
    p.add_argument("--plan", action="store_true", help="only choose the shots and say why; render nothing")
    p.add_argument("--force", action="store_true", help="redo the trailer even if it is up to date")
    p.add_argument("--json", action="store_true", help="print the shots, scores and reasons as JSON")
    p.set_defaults(func=cmd_trailer)
