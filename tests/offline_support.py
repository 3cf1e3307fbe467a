"""Media and projects for the offline packs and the voice-over (tests/stages/test_package_*, test_voiceover*).

A short episode (6 s, 960x540: a test pattern, espeak-ng French over a quiet tone bed) made once per
session, approved French and Bambara subtitles, and a narrator's recording built from espeak-ng
speech with the guide video's own lead-in sound in front of it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import Project, make_project

from pipeline import paths
from pipeline.captions import review
from pipeline.media import ffmpeg
from pipeline.media import voiceover as vo_media
from pipeline.media.synth import speak
from pipeline.store import Store
from pipeline.voiceover import sync

EP = "ep01-vote"
DURATION = 6.0
SIZE = "960x540"  # over 480p: the kit gets two qualities
FR_SRT = ("1\n00:00:00,500 --> 00:00:02,400\nBonjour à toutes et à tous.\n\n"
          "2\n00:00:02,800 --> 00:00:05,200\nVoter, c'est choisir\nson avenir.\n")
BM_SRT = ("1\n00:00:00,500 --> 00:00:02,400\nAw ni ce bɛɛ ye.\n\n"
          "2\n00:00:02,800 --> 00:00:05,200\nKalata ye an bɛɛ ta ye.\n")
GUIDE = """
[guide]
questions = ["Qui, ici, a déjà voté ?", "Où s'inscrire dans votre commune ?"]
key_messages = ["Chaque voix compte.", "L'inscription est gratuite."]
[[guide.resources]]
name = "Mairie de la commune"
contact = "+223 20 22 00 00"
note = "Inscription sur les listes : carte d'identité (www.example.ml)"
"""
TITLES = '[title]\nfr = "Voter, c\'est choisir"\nbm = "Ka kalata kɛ"\n' \
         '[description]\nfr = "Pourquoi voter ? Une jeune femme s\'inscrit sur les listes."\n' \
         'bm = "Mun na an ka kan ka kalata kɛ?"\n'


def make_short_master(out: Path, duration: float = DURATION, size: str = SIZE) -> Path:
    """Picture, espeak-ng speech from 0.5 s, and a quiet 220 Hz bed under the whole length."""
    wav = out.with_suffix(".speech.wav")
    speak("Bonjour à toutes et à tous. Voter, c'est choisir son avenir.", wav)
    ffmpeg.run_args(["-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={duration}", "-i", str(wav),
                     "-f", "lavfi", "-i", f"sine=f=220:r=48000:d={duration}",
                     "-filter_complex", "[1:a]aresample=48000,adelay=500:all=1,apad[s];[2:a]volume=-18dB[m];"
                     f"[m][s]amix=inputs=2:normalize=0:duration=first,atrim=duration={duration}[a]",
                     "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                     "-c:a", "aac", "-b:a", "128k", "-t", str(duration), str(out)])
    return out


def add_subtitles(project: Project, asset: str = EP, approve: tuple[str, ...] = ("fr", "bm")) -> None:
    cfg = project.cfg
    with Store(cfg.project.database) as store:
        for lang, text in (("fr", FR_SRT), ("bm", BM_SRT)):
            path = paths.subtitle_path(cfg, asset, lang)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if lang in approve:
                review.approve(store, asset, lang, path)


def offline_project(root: Path, sample_master: Path, short_master: Path, config_extra: str = "") -> Project:
    """The sample project plus ep01-vote (short master, titles in both languages, a guide, subtitles)."""
    project = make_project(root, sample_master, config_extra)
    project.add_episode(EP, short_master, number=1, languages='["fr", "bm"]', extra=GUIDE)
    toml = project.root / "episodes" / EP / "episode.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text[: text.index("[title]")] + TITLES, encoding="utf-8")
    add_subtitles(project)
    return project


def narration(out: Path, lines: list[tuple[float, str]], lead: float, total: float, level: float = 0.3,
              chirp: bool = True, voice_filter: str = "") -> Path:
    """A narrator's recording: `lead` s of room noise, the guide's lead-in sound (its chirp, heard
    through a speaker at `level`), then each (episode time, text) line spoken at that time."""
    rate = vo_media.MIX_RATE
    lead_in = out.with_suffix(".lead.wav")
    vo_media.write_wav(lead_in, sync.preroll(rate) * (level if chirp else 0.0), rate)
    args = ["-i", str(lead_in)]
    graph = [f"[0:a]aresample={rate},adelay={lead * 1000:.0f}:all=1,apad[p]"]
    for i, (at, text) in enumerate(lines, 1):
        wav = out.with_suffix(f".line{i}.wav")
        speak(text, wav)
        args += ["-i", str(wav)]
        graph.append(f"[{i}:a]aresample={rate},adelay={(lead + sync.PREROLL + at) * 1000:.0f}:all=1,apad[v{i}]")
    n = len(lines) + 1
    args += ["-f", "lavfi", "-i", f"anoisesrc=c=pink:r={rate}:a=0.002:d={total}"]
    graph.append(f"[{n}:a][p]" + "".join(f"[v{i}]" for i in range(1, n)) +
                 f"amix=inputs={n + 1}:normalize=0:duration=first{',' + voice_filter if voice_filter else ''}[a]")
    ffmpeg.run_args([*args, "-filter_complex", ";".join(graph), "-map", "[a]", "-ac", "1", "-c:a", "pcm_s16le",
                     str(out)])
    return out


def as_wav(source: Path, out: Path) -> Path:
    """A file's sound decoded once as the mix decodes it (48 kHz stereo float), to measure stretches of."""
    ffmpeg.run_args(["-i", str(source), "-map", "0:a:0", "-ac", "2", "-ar", "48000", "-c:a", "pcm_f32le", str(out)])
    return out


def rms_db(wav: Path, start: float, end: float) -> float:
    """RMS level of a stretch of a WAV file, by ffmpeg's astats (all channels)."""
    err = ffmpeg.run_args(["-ss", f"{start:.4f}", "-t", f"{end - start:.4f}", "-i", str(wav),
                           "-af", "astats=measure_perchannel=none", "-f", "null", "-"])
    line = next(x for x in reversed(err.splitlines()) if "RMS level dB" in x)
    return float(line.rsplit(":", 1)[1])


def pcm(wav: Path) -> np.ndarray:
    """A float WAV's samples, interleaved stereo (its 44-byte-or-so header skipped by ffmpeg)."""
    raw = wav.with_name(f".{wav.name}.f32")
    ffmpeg.run_args(["-i", str(wav), "-map", "0:a:0", "-ac", "2", "-f", "f32le", str(raw)])
    data = np.fromfile(raw, dtype="<f4").reshape(-1, 2)
    raw.unlink()
    return data


@pytest.fixture(scope="session")
def short_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_short_master(tmp_path_factory.mktemp("offline") / "short.mp4")
