"""[package]: what the offline packs hold (community-screening kit, WhatsApp pack, radio pack).

Renditions are named by transcode profile and made on demand by the transcode stage; burned-in
copies are written `"fr"` or `"bm+fr"` (Bambara stacked above French).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.config.transcode import TranscodeConfig
from pipeline.models import LANGUAGES, LangText
from pipeline.tomlread import Reader


@dataclass(frozen=True)
class PackageConfig:
    audio_profile: str                         # the audio version (kit) and the voice note (WhatsApp)
    screening_profiles: tuple[str, ...]        # the kit's players, best first (720p, 480p)
    screening_burn_profile: str                # burned-in copies for players that ignore subtitle tracks
    screening_burn: tuple[tuple[str, ...], ...]
    key_gb: float                              # the USB key the kit must fit on (as sold: 10^9 bytes)
    whatsapp_profile: str
    whatsapp_burn: tuple[tuple[str, ...], ...]
    whatsapp_max_mb: float                     # WhatsApp's media limit, MB = 10^6 bytes (stricter than MiB)
    radio_profile: str
    credits: LangText                          # the radio programme note's credits


def _profile(r: Reader, key: str, default: str, transcode: TranscodeConfig, kind: str) -> str:
    name = r.str(key, default)
    if isinstance(name, str):
        p = transcode.profiles.get(name)
        if p is None:
            r.problem(key, f"unknown profile {name!r} (known: {', '.join(transcode.profiles)})")
        elif p.kind != kind:
            r.problem(key, f"profile {name!r} is {p.kind}, expected a{'n' if kind == 'audio' else ''} {kind} profile")
    return name if isinstance(name, str) else default


def _burn(r: Reader, key: str, default: list[str]) -> tuple[tuple[str, ...], ...]:
    out = []
    for text in r.str_list(key, default) or []:
        langs = tuple(text.split("+"))
        if not all(lang in LANGUAGES for lang in langs) or len(set(langs)) != len(langs):
            r.problem(key, f"expected languages like \"fr\" or \"bm+fr\", got {text!r}")
        else:
            out.append(langs)
    return tuple(out)


def parse(r: Reader, transcode: TranscodeConfig) -> PackageConfig:
    s, w, radio = r.table("screening"), r.table("whatsapp"), r.table("radio")
    players = tuple(s.str_list("profiles", ["screening-720", "screening-480"]) or ())
    for name in players:
        if name not in transcode.profiles or transcode.profiles[name].kind != "video":
            s.problem("profiles", f"{name!r} is not a video profile (known: {', '.join(transcode.profiles)})")
    if not players:
        s.problem("profiles", "name at least one video profile, e.g. [\"screening-720\", \"screening-480\"]")
    credits = radio.table("credits")
    cfg = PackageConfig(
        audio_profile=_profile(r, "audio_profile", "audio", transcode, "audio"),
        screening_profiles=players,
        screening_burn_profile=_profile(s, "burn_profile", "screening-480", transcode, "video"),
        screening_burn=_burn(s, "burn", ["fr", "bm+fr"]),
        key_gb=s.float("key_gb", 8.0, lo=0.1, hi=10000.0),
        whatsapp_profile=_profile(w, "profile", "whatsapp", transcode, "video"),
        whatsapp_burn=_burn(w, "burn", ["fr", "bm+fr"]),
        whatsapp_max_mb=w.float("max_mb", 16.0, lo=0.1, hi=2000.0),
        radio_profile=_profile(radio, "profile", "radio", transcode, "audio"),
        credits=LangText(credits.str("fr", "Une production AJCAD Mali, avec le soutien de l'Union européenne."),
                         credits.str("bm", "")),
    )
    for t in (credits, s, w, radio, r):
        t.check_unknown()
    return cfg
