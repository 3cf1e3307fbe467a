"""Speech recognition on the sample episode: WER, real-time factor, cues on music/silence.

Same audio, same Whisper base weights (the bundled CTranslate2 model, converted exactly to an
openai-whisper checkpoint), each backend as the stage runs it (VAD + guards). Baseline for the
ratios: openai-whisper fp32 greedy, measured in this same run. WER is given for the whole
narration, for each of its two paragraphs (the second is much harder for base on espeak-ng), and
for the narration's sentences spoken one by one (plain espeak-ng, no music, no video encoding).
faster-whisper-fp32-greedy is the same decoding as openai-whisper: its words should be the same.

Measured 2026-11-21 (2 shared cores): faster-whisper int8 beam 5 RTF 0.12, WER 72.4 %
(53 % / 91 % by paragraph); openai-whisper greedy RTF 0.19, WER 74.7 %; 0 cues on music/silence.
Before the voice-gate/fallback/no-repeat fixes: 0.07 and 75.9 % (varying 73.6-86.2 % run to run);
openai-whisper 0.62 and no cues at all. Sentences spoken alone: > 100 % for both (insertions).

    python bench/subtitles.py [--backends faster-whisper,faster-whisper-greedy,openai-whisper] [--no-sentences]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.asr.audio import load_audio  # noqa: E402  (pipeline.asr sets OpenMP waiting first)
from pipeline.asr.backends import make_transcriber  # noqa: E402
from pipeline.asr.base import AsrSettings  # noqa: E402
from pipeline.asr.guards import DEFAULT_PHANTOMS_FR  # noqa: E402
from pipeline.asr.score import norm_words, wer  # noqa: E402
from pipeline.captions.rules import CueRules  # noqa: E402
from pipeline.captions.segment import make_cues  # noqa: E402
from pipeline.media.synth import NARRATION, SAMPLE_STRETCHES, make_sample_master  # noqa: E402
from pipeline.models import Episode, LangText  # noqa: E402

BACKENDS = {
    "faster-whisper": AsrSettings(backend="faster-whisper", phantom_phrases=DEFAULT_PHANTOMS_FR),
    "faster-whisper-greedy": AsrSettings(backend="faster-whisper", beam_size=1, phantom_phrases=DEFAULT_PHANTOMS_FR),
    "faster-whisper-fp32-greedy": AsrSettings(backend="faster-whisper", beam_size=1, compute_type="float32",
                                              phantom_phrases=DEFAULT_PHANTOMS_FR),
    "openai-whisper": AsrSettings(backend="openai-whisper", phantom_phrases=DEFAULT_PHANTOMS_FR),
}
SPLIT = 40.0  # seconds: the first paragraph is spoken before it, the second after (SAMPLE_STRETCHES)


def sentences() -> list[str]:
    return [x for p in NARRATION for x in re.split(r"(?<=[.!?])\s+", p) if x]


def sentence_audio(tmp: Path) -> list:
    """Each narration sentence spoken alone by espeak-ng, as 16 kHz float32."""
    import numpy as np

    from pipeline.media import ffmpeg
    from pipeline.media.synth import speak

    out = []
    for i, text in enumerate(sentences()):
        speak(text, tmp / f"s{i}.wav")
        wav = ffmpeg.extract_speech_audio(tmp / f"s{i}.wav", tmp / f"s{i}.16k.wav")
        out.append(np.frombuffer(wav.read_bytes()[44:], dtype="<i2").astype(np.float32) / 32768.0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default=",".join(BACKENDS))
    ap.add_argument("--master", help="reuse a sample master instead of generating one")
    ap.add_argument("--no-sentences", action="store_true", help="skip the sentence-by-sentence WER")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        master = Path(args.master) if args.master else make_sample_master(Path(tmp) / "master.mp4")
        ep = Episode("ep00-sample", 0, LangText("s"), LangText(""), ("fr",), master, master.parent)
        audio = load_audio(ep)
        pieces = [] if args.no_sentences else sentence_audio(Path(tmp))
    ref = norm_words(" ".join(NARRATION))
    refs = [norm_words(p) for p in NARRATION]
    sent_ref = norm_words(" ".join(sentences()))
    quiet = [s for s in SAMPLE_STRETCHES if s.kind != "speech"]
    rows = {}
    for name in args.backends.split(","):
        settings = BACKENDS[name]
        t0 = time.perf_counter()
        t = make_transcriber(settings)
        load_s = time.perf_counter() - t0
        c0, w0 = time.process_time(), time.perf_counter()
        result = t.transcribe(audio.samples, "fr")
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        hyp = norm_words(" ".join(w.text for w in result.words))
        parts = [wer(refs[0], norm_words(" ".join(w.text for w in result.words if w.start < SPLIT))),
                 wer(refs[1], norm_words(" ".join(w.text for w in result.words if w.start >= SPLIT)))]
        sent_hyp = [w.text for a in pieces for w in t.transcribe(a, "fr").words]
        sent = wer(sent_ref, norm_words(" ".join(sent_hyp))) if pieces else float("nan")
        cues = make_cues(result.words, replace(CueRules(), fps=25.0))
        on_quiet = [c for c in cues if any(min(c.end, s.end) - max(c.start, s.start) > 0.25 for s in quiet)]
        rows[name] = (wall / audio.duration, cpu / audio.duration, wer(ref, hyp), len(cues), len(on_quiet), load_s,
                      len(result.dropped), parts, sent)
        print(f"{name}: {' '.join(hyp)}", file=sys.stderr)
    base = rows.get("openai-whisper")
    print(f"sample episode: {audio.duration:.1f} s of audio, {len(ref)} reference words, "
          f"{sum(s.end - s.start for s in quiet):.0f} s of music/silence")
    print(f"{'backend':<28}{'RTF':>6}{'CPU-RTF':>9}{'WER':>7}{'WER 1/2':>14}{'sentences':>10}{'cues':>6}"
          f"{'on music/silence':>18}{'load s':>8}{'dropped':>9}{'CPU vs openai':>15}")
    for name, (rtf, crtf, w, n, q, load_s, dropped, parts, sent) in rows.items():
        ratio = f"{base[1] / crtf:.1f}x" if base else "-"
        halves = f"{parts[0]:.0%} / {parts[1]:.0%}"
        print(f"{name:<28}{rtf:>6.2f}{crtf:>9.2f}{w:>7.1%}{halves:>14}{sent:>10.1%}{n:>6}{q:>18}{load_s:>8.1f}"
              f"{dropped:>9}{ratio:>15}")


if __name__ == "__main__":
    main()
