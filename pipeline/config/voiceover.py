"""[voiceover]: how a narrator's recording is lined up, ducked and mixed over an episode.

The synthetic draft voice is off unless `tts_model` names a model the user downloaded: the
pipeline never fetches one and never uses it by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config.transcode import TranscodeConfig
from pipeline.tomlread import Reader

SYNC_MODES = ("chirp", "episode", "none")


@dataclass(frozen=True)
class VoiceoverConfig:
    sync: str                 # chirp: the guide video's sync sound; episode: the episode's sound; none: at 0
    depth_db: float           # how far the original sound goes down under the voice
    attack: float             # seconds the original takes to go down (ends where the voice starts)
    release: float            # seconds it takes to come back up after the voice stops
    hold: float               # pauses in the voice shorter than this stay ducked (no pumping between words)
    voice_db: float           # the voice's loudness relative to the episode's (0: as loud as the programme)
    profiles: tuple[str, ...]  # renditions of the version; () = [transcode] default_profiles
    tts_model: Path | None    # a Bambara text-to-speech model folder (draft voice only)


def parse(r: Reader, transcode: TranscodeConfig, base: Path) -> VoiceoverConfig:
    profiles = tuple(r.str_list("profiles", []) or ())
    for name in profiles:
        if name not in transcode.profiles:
            r.problem("profiles", f"unknown profile {name!r} (known: {', '.join(transcode.profiles)})")
    model = r.str("tts_model", "")
    cfg = VoiceoverConfig(
        sync=r.str("sync", "chirp", choices=SYNC_MODES),
        depth_db=r.float("depth_db", 12.0, lo=3.0, hi=40.0),
        attack=r.float("attack", 0.15, lo=0.01, hi=2.0),
        release=r.float("release", 0.8, lo=0.05, hi=5.0),
        hold=r.float("hold", 0.6, lo=0.0, hi=5.0),
        voice_db=r.float("voice_db", 0.0, lo=-20.0, hi=20.0),
        profiles=profiles,
        tts_model=(base / Path(model).expanduser()) if isinstance(model, str) and model else None,
    )
    r.check_unknown()
    return cfg
