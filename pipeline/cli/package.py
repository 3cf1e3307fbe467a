"""`webseries package screening|whatsapp|radio`: the series as folders to hand over (USB key,
WhatsApp relays, radio partners). Sizes are shown in MB (10^6 bytes), as mobile data is billed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.cli.common import context, open_store
from pipeline.errors import PipelineError


def _table(pack, with_cost: bool) -> str:  # noqa: ANN001 - a stages.package.Pack
    from pipeline.kits.sizes import megabytes

    rows = [(f.path.name, f.what, megabytes(f.size)) for f in pack.files if f.what]
    head = ("fichier", "contenu", "taille (= coût d'un envoi)" if with_cost else "taille")
    widths = [max(len(str(r[i])) for r in (head, *rows)) for i in range(3)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in (head, *rows)]
    total = sum(f.size for f in pack.files if f.what)
    tail = f"total : {megabytes(total)}" + (" de données mobiles pour un relais qui reçoit tout" if with_cost else "")
    return "\n".join([*lines, tail, f"dossier : {pack.folder}"])


def _json(pack) -> str:  # noqa: ANN001
    out = {"folder": str(pack.folder), "notes": list(pack.notes),
           "files": [{"path": str(f.path), "what": f.what, "bytes": f.size} for f in pack.files]}
    size = getattr(pack, "size", None)
    if size is not None:
        out["size"] = {"bytes": size.total, "files": size.files, "key_gb": size.key_gb, "fits": size.fits,
                       "summary": size.sentence()}
    return json.dumps(out, indent=2, ensure_ascii=False)


def _run(args: argparse.Namespace) -> int:
    from pipeline.manifest import resolve
    from pipeline.stages import package, package_screening

    cfg = context(args)
    episodes = resolve(cfg.project.episodes_dir, args.episodes)
    out = Path(args.out).resolve() if args.out else None
    show = not args.json
    with open_store(cfg) as store:
        if args.action == "screening":
            pack = package_screening.screening(cfg, store, episodes, out, show)
        elif args.action == "radio":
            pack = package.radio(cfg, store, episodes, out, show)
        else:
            if len(episodes) != 1:
                raise PipelineError("a WhatsApp pack is for one episode",
                                    hint="name one: webseries package whatsapp ep01")
            pack = package.whatsapp(cfg, store, episodes[0], out, show)
    if args.json:
        print(_json(pack))
    elif args.action == "screening":
        print(f"kit : {pack.folder}/index.html\n{pack.size.sentence()}")
    else:
        print(_table(pack, with_cost=args.action == "whatsapp"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("package", help="offline packs: community-screening kit, WhatsApp pack, radio pack",
                       description="The series for people beyond the feed: a kit for community screenings "
                                   "(USB key, no internet), a pack for WhatsApp relays, a pack for radio stations.")
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_, many in (
            ("screening", "a folder that plays the episodes offline (index.html), with discussion guides", True),
            ("whatsapp", "what relays forward: every file under WhatsApp's limit, and the message", False),
            ("radio", "the radio renditions (-23 LUFS) with their durations and programme notes", True)):
        a = acts.add_parser(name, help=help_)
        a.add_argument("episodes", nargs="+" if many else 1, metavar="EPISODE",
                       help="episode id, unique prefix, folder" + (", or 'all'" if many else ""))
        a.add_argument("--out", metavar="DIR", help="where to write it (default: build/packs/...)")
        a.add_argument("--json", action="store_true", help="print the pack's files as JSON on stdout")
        a.set_defaults(func=_run)
