"""Generated media: the sample episode's master and the odd inputs tests need.

Everything is made from ffmpeg's test sources and espeak-ng French speech, so the
project ships no media files and a fresh machine needs no download.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError, ToolMissingError
from pipeline.fsutil import temp_path_for
from pipeline.media import ffmpeg

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

NARRATION = (
    "Bonjour et bienvenue dans Construisons Ensemble. Dans cet épisode, nous parlons de la "
    "citoyenneté active. Chaque citoyen peut participer à la vie de sa commune. Les jeunes et les "
    "femmes ont toute leur place au conseil communal. Ensemble, nous pouvons changer les choses.",
    "Pour voter, il faut être inscrit sur la liste électorale. Allez à la mairie avec votre carte "
    "d'identité. Posez vos questions à vos élus, et suivez les décisions du conseil. Une gouvernance "
    "inclusive, c'est l'affaire de tous. Merci et à bientôt.",
)


@dataclass(frozen=True)
class Stretch:
    start: float
    end: float
    kind: str  # "speech", "music", "silence"


SAMPLE_SIZE, SAMPLE_FPS, SAMPLE_DURATION = (1280, 720), 25, 72.0
# Where each kind of sound is in the sample: tests and the subtitles stage rely on it.
SAMPLE_STRETCHES = (
    Stretch(1.0, 18.0, "speech"), Stretch(20.0, 36.0, "music"), Stretch(36.0, 46.0, "silence"),
    Stretch(47.0, 64.0, "speech"), Stretch(66.0, 72.0, "music"),
)
SAMPLE_SCENE_CUTS = (10.0, 20.0, 36.0, 46.0, 56.0, 66.0)

_MUSIC = ("aevalsrc=exprs='0.25*sin(2*PI*t*220*pow(2\\,(3*mod(floor(2*t)\\,4))/12))"
          "+0.15*sin(2*PI*t*110)+0.1*sin(2*PI*t*330*pow(2\\,mod(floor(4*t)\\,3)/12))':s=48000:d={d}")


def speak(text: str, out: Path, voice: str = "fr", speed: int = 140) -> None:
    """French speech from espeak-ng into a WAV file."""
    exe = shutil.which("espeak-ng")
    if not exe:
        raise ToolMissingError("espeak-ng not found on PATH", hint="run `make setup` (or: apt-get install espeak-ng)")
    done = subprocess.run([exe, "-v", voice, "-s", str(speed), "-w", str(out), text], capture_output=True, text=True)
    if done.returncode != 0:
        raise PipelineError(f"espeak-ng failed: {done.stderr.strip()}",
                            hint="check `espeak-ng -v fr \"bonjour\"` works on this machine")


def _label(text: str) -> str:
    if not FONT.is_file():
        return "null"
    safe = text.replace("'", "\u2019").replace(":", "\\:")
    return (f"drawtext=fontfile={FONT}:text='{safe}':fontsize=44:fontcolor=white:box=1:"
            f"boxcolor=black@0.6:boxborderw=12:x=(w-tw)/2:y=h-120")


def make_sample_master(out: Path) -> Path:
    """The demo episode: six scenes, French narration, music, and silence (~72 s, 720p25)."""
    w, h = SAMPLE_SIZE
    size, r = f"{w}x{h}", SAMPLE_FPS
    scenes = [
        (f"testsrc2=s={size}:r={r}:d=10", "Construisons Ensemble - Épisode 0"),
        (f"smptehdbars=s={size}:r={r}:d=10", "La citoyenneté active"),
        (f"life=s=320x180:r={r}:mold=10:ratio=0.5:life_color=#f4b942:death_color=#1d3557,"
         f"scale={size}:flags=neighbor,trim=duration=16", "Musique"),
        (f"color=c=0x102040:s={size}:r={r}:d=10", "Silence"),
        (f"testsrc=s={size}:r={r}:d=10", "Voter à la mairie"),
        (f"gradients=s={size}:r={r}:d=10:speed=0.02", "Gouvernance inclusive"),
        (f"mandelbrot=s={size}:r={r},trim=duration=6", "Fin"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        voices = []
        for i, text in enumerate(NARRATION):
            wav = Path(tmp) / f"part{i}.wav"
            speak(text, wav)
            voices.append(wav)
        video = ";".join(f"{src},{_label(label)},setsar=1,format=yuv420p[v{i}]" for i, (src, label) in enumerate(scenes))
        video += ";" + "".join(f"[v{i}]" for i in range(len(scenes))) + f"concat=n={len(scenes)}:v=1:a=0[v]"
        audio = (
            "[0:a]aresample=48000,adelay=1000:all=1,apad,atrim=duration=20[s1];"
            f"{_MUSIC.format(d=16)}[m1];"
            "anullsrc=r=48000:cl=mono,atrim=duration=10[q];"
            "[1:a]aresample=48000,adelay=1000:all=1,apad,atrim=duration=20[s2];"
            f"{_MUSIC.format(d=6)}[m2];"
            "[s1][m1][q][s2][m2]concat=n=5:v=0:a=1,volume=-4dB,aformat=channel_layouts=stereo[a]"
        )
        tmp_out = temp_path_for(out)
        try:
            ffmpeg.run_args([
                "-i", str(voices[0]), "-i", str(voices[1]),
                "-filter_complex", f"{video};{audio}", "-map", "[v]", "-map", "[a]",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "192k", "-t", str(SAMPLE_DURATION), "-movflags", "+faststart",
                str(tmp_out)])
            tmp_out.replace(out)
        finally:
            tmp_out.unlink(missing_ok=True)
    return out


def make_test_video(out: Path, *, size: str = "320x240", fps: str = "25", duration: float = 3.0,
                    audio: str | None = "stereo", extra_video: list[str] | None = None,
                    codec: list[str] | None = None, vf: str = "", speech: str | None = None) -> Path:
    """A short lavfi clip with the oddity a test needs (size, rate, layout, flags)."""
    args = ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={fps}:d={duration}"]
    if speech:
        wav = out.with_suffix(".speech.wav")
        speak(speech, wav)
        args += ["-i", str(wav)]
    elif audio:
        args += ["-f", "lavfi", "-i", f"sine=f=440:r=48000:d={duration},aformat=channel_layouts={audio}"]
    if vf:
        args += ["-vf", vf]
    args += codec or ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    args += (["-c:a", "aac", "-b:a", "128k"] if (audio or speech) else [])
    args += [*(extra_video or []), "-t", str(duration), str(out)]
    ffmpeg.run_args(args)
    return out
