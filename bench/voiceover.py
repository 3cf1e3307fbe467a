"""Ducking under a voice-over: the stage's gain curve vs ffmpeg's sidechaincompress.

    python bench/voiceover.py [--depth 12]

Makes the sample master (72 s: speech, music, silence) and a narration of three lines with
espeak-ng, at 0, -8 and -16 dB (a narrator moving off the microphone), over music and over the
original speech. Then lowers the original under it twice:
  gain curve - what `webseries voiceover mix` does: where the voice speaks, times 10^(-depth/20);
  sidechain  - sidechaincompress keyed by the voice, tuned to reach the depth on the loudest line
               (ratio 20, threshold set from that line's RMS, attack 20 ms, release 800 ms).
Prints, per line, how far the original went down (astats RMS, original minus ducked), how far it
moved where nobody speaks, and the CPU seconds of each run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from offline_support import as_wav, narration, rms_db  # noqa: E402

from pipeline.media import ffmpeg  # noqa: E402
from pipeline.media import voiceover as vo_media  # noqa: E402
from pipeline.media.synth import make_sample_master  # noqa: E402
from pipeline.voiceover import sync, voice  # noqa: E402

LINES = [(22.0, "I ni ce. Kalata ye an bɛɛ ta ye."), (28.5, "An ka taa mɛri la."),
         (48.5, "An ka kalata karti ta ani ka taa kalata kɛ.")]
LEVELS_DB = (0.0, -8.0, -16.0)
QUIET = [(2.0, 18.0), (66.5, 71.5)]


def cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime + time.process_time()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--depth", type=float, default=12.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        master = make_sample_master(work / "master.mp4")
        parts = []
        for i, ((at, text), level) in enumerate(zip(LINES, LEVELS_DB, strict=True)):
            parts.append(narration(work / f"line{i}.wav", [(at, text)], 0.0, 75.0, voice_filter=f"volume={level}dB"))
        rec = work / "voice.wav"
        ffmpeg.run_args([*sum((["-i", str(p)] for p in parts), []), "-filter_complex",
                         f"amix=inputs={len(parts)}:normalize=0", "-c:a", "pcm_s16le", str(rec)])
        original = as_wav(master, work / "original.wav")
        (mono,) = vo_media.decode(rec, [vo_media.Pcm(work / "mono.f32", sync.RATE, 1)])
        start, _ = sync.start_from_chirp(np.asarray(mono))
        spans = voice.on_episode("voice.wav", voice.speech_spans(np.asarray(mono), sync.RATE, 0.6), start, 72.0)

        t0 = cpu()
        gain = voice.gain_curve(spans, 73.0, args.depth, 0.15, 0.8)
        gain.tofile(work / "gain.f32")
        curve = (work / "curve.wav", work / "curve-voice.wav")
        vo_media.run_mix(vo_media.Mix(master, True, rec, start, 0.0, work / "gain.f32", voice.GAIN_RATE, 72.0,
                                      work / "curve.mkv", curve))
        t_curve = cpu() - t0

        t0 = cpu()
        ratio = 20.0
        loud = rms_db(curve[1], spans[0][0] + 0.1, spans[0][1] - 0.1)
        threshold = 10 ** ((loud - args.depth / (1 - 1 / ratio)) / 20)
        side = work / "sidechain.wav"
        ffmpeg.run_args(["-i", str(original), "-i", str(curve[1]), "-filter_complex",
                         f"[1:a]asplit=2[key][v];[0:a][key]sidechaincompress=threshold={threshold:.6f}:ratio={ratio:g}:"
                         "attack=20:release=800:makeup=1[bed];[v]anullsink", "-map", "[bed]", "-c:a", "pcm_f32le",
                         str(side)])
        t_side = cpu() - t0

        print(f"depth asked: {args.depth:g} dB; voice lines at {', '.join(f'{x:g}' for x in LEVELS_DB)} dB")
        print(f"{'where':28} {'gain curve':>11} {'sidechain':>10}")
        for (a, b), level in zip(spans, LEVELS_DB, strict=False):
            ref = rms_db(original, a + 0.1, b - 0.1)
            print(f"under line {a:5.1f}-{b:5.1f} ({level:+.0f} dB) {ref - rms_db(curve[0], a + 0.1, b - 0.1):10.2f} "
                  f"{ref - rms_db(side, a + 0.1, b - 0.1):10.2f}")
        for a, b in QUIET:
            ref = rms_db(original, a, b)
            print(f"nobody speaks {a:5.1f}-{b:5.1f}       {ref - rms_db(curve[0], a, b):10.2f} "
                  f"{ref - rms_db(side, a, b):10.2f}")
        print(f"CPU seconds: gain curve (mix + stems, picture copied) {t_curve:.2f}, "
              f"sidechain (sound only) {t_side:.2f}")


if __name__ == "__main__":
    main()
