"""ffmpeg commands of the offline packs: a copy made to fit under a size limit (WhatsApp), and a
still frame for a poster.

Builds argument lists only; media/ffmpeg.py runs them.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.media import ffmpeg
from pipeline.media.ffmpeg import Progress


def fit_video_command(source: Path, out: Path, width: int, height: int, rate: str, video_kbps: int,
                      audio_kbps: int) -> list[str]:
    """H.264 Main at a capped rate: x264's VBV keeps the file within (video + audio) x duration."""
    return ["-i", str(source), "-map", "0:v:0", "-map", "0:a:0?",
            "-vf", f"fps={rate},scale={width}:{height},setsar=1,format=yuv420p",
            "-c:v", "libx264", "-preset", "medium", "-profile:v", "main", "-b:v", f"{video_kbps}k",
            "-maxrate", f"{video_kbps}k", "-bufsize", f"{video_kbps}k", "-c:a", "aac", "-b:a", f"{audio_kbps}k",
            "-ac", "2", "-movflags", "+faststart", str(out)]


def fit_audio_command(source: Path, out: Path, audio_kbps: int) -> list[str]:
    """Opus speech at a lower rate (still clear at 16-24 kb/s for a voice note)."""
    return ["-i", str(source), "-map", "0:a:0", "-vn", "-c:a", "libopus", "-b:a", f"{audio_kbps}k",
            "-application", "voip" if audio_kbps < 32 else "audio", str(out)]


def run(args: list[str], progress: Progress | None = None) -> None:
    ffmpeg.run_args(args, progress)


def poster(source: Path, at: float, out: Path, width: int) -> None:
    """One frame, `width` wide, as a JPEG: the kit's picture for an episode."""
    ffmpeg.run_args(["-ss", f"{at:.3f}", "-i", str(source), "-frames:v", "1", "-vf", f"scale={width}:-2,setsar=1",
                     "-q:v", "4", "-f", "image2", "-update", "1", str(out)])
