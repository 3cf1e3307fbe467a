"""A hard master for benchmarks: like a Premiere export of a real episode, made from nothing.

1080p25, a scene change every 6-14 s (moving test patterns, cellular automata, gradients, a
zooming fractal), film grain on every frame, French narration (espeak-ng) two paragraphs at a time
(20-30 s of speech, what the clips stage cuts into clips) with music breaks between them, H.264 High at ~45 Mb/s (CABAC, B-frames) and AAC 320k. Grain at
that bitrate is what makes a real master slow to decode and to encode.

Deterministic for a given length, and cached (`cached_master`): generating 10 minutes takes
about 25 minutes on 2 cores.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

from pipeline.fsutil import temp_path_for
from pipeline.media import ffmpeg
from pipeline.media.synth import FONT, speak

VERSION = 2  # bump when the recipe below changes: cached masters are then made again
SIZE, FPS = (1920, 1080), 25
W, H = SIZE

PARAGRAPHS = (
    "Bonjour et bienvenue dans Construisons Ensemble. Aujourd'hui, nous parlons de la citoyenneté active. "
    "Chaque citoyen peut participer à la vie de sa commune, et chaque voix compte.",
    "Pour voter, il faut être inscrit sur la liste électorale. Allez à la mairie avec votre carte d'identité. "
    "L'inscription est gratuite, et elle se fait avant la fin de l'année.",
    "Les jeunes et les femmes ont toute leur place au conseil communal. Dans plusieurs villages, des femmes "
    "élues ont fait construire des puits et des classes pour les enfants.",
    "Le conseil communal se réunit en session publique. Tout le monde peut y assister, écouter les débats "
    "et poser des questions aux élus sur le budget de la commune.",
    "Une gouvernance inclusive, c'est l'affaire de tous. Quand les citoyens suivent les décisions, les élus "
    "rendent mieux compte de leur travail.",
    "Dans cet épisode, Aminata raconte comment les jeunes de son quartier ont organisé une réunion avec le "
    "maire pour parler de l'éclairage public et de la sécurité.",
    "Le vote est secret. Personne ne peut vous obliger à choisir un candidat. Le jour du scrutin, prenez votre "
    "carte d'électeur et rendez-vous dans votre bureau de vote.",
    "Merci de nous avoir suivis. Parlez de cet épisode autour de vous, en famille et entre amis. Ensemble, "
    "nous pouvons changer les choses. À bientôt.",
)

_MUSIC = ("aevalsrc=exprs='0.25*sin(2*PI*t*220*pow(2\\,(3*mod(floor(2*t)\\,4))/12))+0.15*sin(2*PI*t*110)"
          "+0.1*sin(2*PI*t*330*pow(2\\,mod(floor(4*t)\\,3)/12))+0.05*sin(2*PI*t*55*(1+mod(floor(t)\\,2)))'"
          ":s=48000:c=stereo:d={d}")

SCENES = (
    f"testsrc2=s={W}x{H}:r={FPS}",
    f"life=s=480x270:r={FPS}:mold=10:ratio=0.5:life_color=#f4b942:death_color=#1d3557,scale={W}:{H}:flags=neighbor",
    f"gradients=s={W}x{H}:r={FPS}:speed=0.03",
    f"cellauto=s=480x270:r={FPS}:rule=110,scale={W}:{H}:flags=bilinear",
    f"mandelbrot=s=480x270:r={FPS}:start_scale=3:end_scale=0.02,scale={W}:{H}:flags=bicubic",
    f"smptehdbars=s={W}x{H}:r={FPS},hue=h=20*t",
    f"testsrc=s={W}x{H}:r={FPS}",
    f"color=c=0x2a4d69:s={W}x{H}:r={FPS},drawgrid=w=160:h=90:t=3:c=white@0.4,hue=h=15*t",
)


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "webseries" / "bench"


def cached_master(minutes: float) -> Path:
    """The hard master of this length, made once and kept in ~/.cache/webseries/bench/."""
    path = cache_dir() / f"hard-master-v{VERSION}-{minutes:g}min.mp4"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"making the hard master ({minutes:g} min, 1080p25, ~45 Mb/s): {path} (once; it is cached)",
              flush=True)
        make_hard_master(path, minutes * 60)
    return path


def _scene_plan(duration: float) -> list[tuple[str, float]]:
    rng = random.Random(13)
    out, t = [], 0.0
    while t < duration:
        d = min(rng.choice((6, 8, 9, 11, 12, 14)), duration - t)
        out.append((SCENES[len(out) % len(SCENES)], d))
        t += d
    return out


def _label(n: int) -> str:
    if not FONT.is_file():
        return "null"
    return (f"drawtext=fontfile={FONT}:text='Scène {n}':fontsize=56:fontcolor=white:box=1:boxcolor=black@0.5:"
            "boxborderw=14:x=(w-tw)/2:y=h-160")


def _audio(tmp: Path, duration: float) -> Path:
    """Narration two paragraphs at a time with a music break after them, until the episode is full."""
    parts = []
    for i, text in enumerate(PARAGRAPHS):
        raw = tmp / f"say{i}.wav"
        speak(text, raw, speed=150)
        wav = tmp / f"speech{i}.wav"
        ffmpeg.run_args(["-i", str(raw), "-af", "aresample=48000,aformat=channel_layouts=stereo,apad=pad_dur=0.8",
                         "-c:a", "pcm_s16le", str(wav)])
        parts.append(wav)
    breaks = []
    for d in (7, 10, 13):
        wav = tmp / f"music{d}.wav"
        ffmpeg.run_args(["-f", "lavfi", "-i", _MUSIC.format(d=d), "-af", "volume=-6dB", "-c:a", "pcm_s16le", str(wav)])
        breaks.append((wav, d))
    listing, t, i = [], 0.0, 0
    while t < duration:
        for speech in (parts[(2 * i) % len(parts)], parts[(2 * i + 1) % len(parts)]):
            listing.append(speech)
            t += ffmpeg.probe(speech).duration
        music, d = breaks[i % len(breaks)]
        listing.append(music)
        t += d
        i += 1
    concat = tmp / "audio.txt"
    concat.write_text("".join(f"file '{p}'\n" for p in listing))
    return concat


def make_hard_master(out: Path, duration: float) -> Path:
    scenes = _scene_plan(duration)
    video = ";".join(f"{src},trim=duration={d},setpts=PTS-STARTPTS,{_label(n)},setsar=1,format=yuv420p[v{n}]"
                     for n, (src, d) in enumerate(scenes))
    video += (";" + "".join(f"[v{n}]" for n in range(len(scenes))) + f"concat=n={len(scenes)}:v=1:a=0,"
              "noise=alls=14:allf=t+u,format=yuv420p[v]")
    with tempfile.TemporaryDirectory(prefix="hard-master-") as tmp_name:
        concat = _audio(Path(tmp_name), duration)
        tmp = temp_path_for(out)
        try:
            ffmpeg.run_args(["-f", "concat", "-safe", "0", "-i", str(concat), "-filter_complex", video,
                             "-map", "[v]", "-map", "0:a", "-t", f"{duration:.3f}",
                             "-c:v", "libx264", "-preset", "superfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
                             "-b:v", "45M", "-maxrate", "50M", "-bufsize", "90M", "-g", "50",
                             "-c:a", "aac", "-b:a", "320k", "-ar", "48000", "-movflags", "+faststart", str(tmp)])
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
    return out
