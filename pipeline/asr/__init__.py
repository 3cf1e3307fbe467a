"""Speech recognition behind one protocol: `Transcriber.transcribe(audio, language) -> Transcript`.

- base.py: the protocol and its data (Word, Segment, Transcript, AsrSettings);
- backends.py: the registry of backends (faster-whisper, openai-whisper, and the Bambara
  extras in extra.py), each a small class whose heavy library is imported when it is built;
- vad.py: the voice-activity gate and region decoder every backend runs through; guards.py
  drops what Whisper invents over silence; audio.py reads a master's speech track;
- resolve.py, weights.py, ct2.py: model names, the bundled weights, CTranslate2 files;
- translate.py: machine translation (NLLB) for the Bambara translation route; score.py: WER.

Nothing is imported here, so importing any of these stays cheap, except the OpenMP settings.
"""

import os

# Idle OpenMP threads spin by default: on 2 cores that makes openai-whisper 5-8x slower. OpenMP
# reads these once, when the first library using it loads (ctranslate2 or torch): set them first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("KMP_BLOCKTIME", "0")
