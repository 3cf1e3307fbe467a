"""Rendition profiles: what each platform and audience gets from one master.

Defaults follow each platform's published upload recommendations; any key can be
overridden in config.toml under [transcode.profiles.<name>], and new profiles are
declared there with `base = "<existing profile>"`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from pipeline.tomlread import Reader

H264_PROFILES = ("baseline", "main", "high")
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
AUDIO_CODECS = {"aac": "m4a", "libopus": "ogg"}
FITS = ("blur", "crop")
# x264 settings a profile may tune beyond its preset (`x264 = "subme=1"`); others are the preset's business.
X264_KEYS = ("subme", "me", "ref", "partitions", "rc-lookahead", "mbtree", "trellis", "aq-mode", "bframes",
             "b-adapt", "threads", "lookahead-threads", "psy-rd")
PLATFORMS = ("youtube", "facebook")  # where `publish` uploads episodes


@dataclass(frozen=True)
class Profile:
    """One rendition recipe. Video sizes never upscale, except a fixed `canvas`."""

    name: str
    kind: str = "video"  # "video" or "audio"
    # video
    short_side: int = 1080  # the shorter dimension is at most this (portrait sources too)
    canvas: tuple[int, int] | None = None  # fixed output size (vertical), picture fitted in
    fit: str = "blur"  # on a canvas: "blur" (picture over a blurred fill) or "crop"
    max_fps: float = 60.0
    h264_profile: str = "high"
    preset: str = "veryfast"
    x264: str = ""  # x264 options over the preset, "key=value:key=value" (X264_KEYS)
    crf: int = 21
    maxrate_kbps: int | None = None
    bufsize_kbps: int | None = None
    gop_seconds: float = 2.0
    max_size_mb: float | None = None  # hard cap on the file size (WhatsApp: 16 MB)
    # audio
    audio_codec: str = "aac"
    audio_kbps: int = 128
    audio_channels: int = 2
    sample_rate: int = 48000
    loudness: float = -14.0  # integrated LUFS target
    true_peak: float = -1.0  # dBTP
    lra: float = 11.0  # loudness-range target (raised to the measured range to stay linear)
    # publishing: the platforms whose upload specs this file meets and that receive it (one encode, many uploads)
    platforms: tuple[str, ...] = ()

    @property
    def extension(self) -> str:
        return "mp4" if self.kind == "video" else AUDIO_CODECS[self.audio_codec]

    def settings(self) -> dict:
        """What shapes the file (for fingerprints): every field but where it is sent."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "platforms"}


DEFAULT_PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        # YouTube's upload spec: H.264 High, closed GOP of half the frame rate, AAC-LC 48 kHz, moov first.
        # Facebook's Page video spec (H.264 High <= 1080p, AAC 48 kHz, moov first) takes the same file.
        # superfast: a quarter less encoding CPU than veryfast+subme=1 for SSIM -0.003 (hard master); the cap
        # 11.6 Mb/s (YouTube asks >= 8) keeps its file no larger than veryfast's at 12 (bench/episode.py).
        Profile("youtube", short_side=1080, preset="superfast", crf=18, maxrate_kbps=11600,
                bufsize_kbps=24000, gop_seconds=0.5, audio_kbps=384, platforms=PLATFORMS),
        # A lighter Facebook upload, made on demand; to send it instead of the YouTube file, give it
        # platforms = ["facebook"] and the youtube profile platforms = ["youtube"] in config.toml.
        Profile("facebook", short_side=1080, crf=21, maxrate_kbps=6000, bufsize_kbps=12000, audio_kbps=192),
        # Slow mobile data: small, capped bitrates; Main profile plays on old Android phones. At these sizes
        # "faster" gives the same SSIM as "medium" in a smaller file for a third less CPU (bench/episode.py).
        Profile("mobile", short_side=360, max_fps=30, h264_profile="main", preset="faster", crf=26,
                maxrate_kbps=400, bufsize_kbps=800, audio_kbps=64),
        Profile("mobile-2g", short_side=240, max_fps=25, h264_profile="main", preset="medium", crf=28,
                maxrate_kbps=160, bufsize_kbps=320, audio_kbps=32, audio_channels=1),
        # WhatsApp refuses files over 16 MB: the bitrate is computed from the duration.
        Profile("whatsapp", short_side=480, max_fps=30, h264_profile="main", preset="faster", crf=23,
                maxrate_kbps=1200, max_size_mb=16.0, audio_kbps=64),
        Profile("vertical", canvas=(1080, 1920), fit="blur", max_fps=30, crf=21, maxrate_kbps=6000,
                bufsize_kbps=12000, audio_kbps=128),
        # Listeners who do not read: Opus is the best quality per bit and plays in WhatsApp.
        Profile("audio", kind="audio", audio_codec="libopus", audio_kbps=48, loudness=-16.0),
        # Radio partners broadcast at EBU R128's -23 LUFS.
        Profile("radio", kind="audio", audio_codec="aac", audio_kbps=192, loudness=-23.0),
        # Community screenings (the offline kit): Main profile, so old laptops, phones and TVs
        # reading a USB key play them; 720p for a projector or TV, 480p for weak machines.
        Profile("screening-720", short_side=720, max_fps=30, h264_profile="main", crf=22, maxrate_kbps=2500,
                bufsize_kbps=5000, audio_kbps=128),
        Profile("screening-480", short_side=480, max_fps=30, h264_profile="main", crf=23, maxrate_kbps=1000,
                bufsize_kbps=2000, audio_kbps=96),
    )
}

# Made when config.toml names none: facebook and vertical are made on demand (see config.toml).
DEFAULT_MADE = ("youtube", "mobile", "mobile-2g", "whatsapp", "audio", "radio")


def parse_profile(r: Reader, name: str, base: Profile) -> Profile:
    """Apply one [transcode.profiles.<name>] table over `base`, recording every problem."""
    values: dict = {"name": name}
    r.str("base", None, choices=DEFAULT_PROFILES)  # consumed by the caller
    spec = {f.name: f for f in fields(Profile)}
    if r.has("kind"):
        values["kind"] = r.str("kind", choices=("video", "audio"))
    for key in ("short_side", "crf", "audio_kbps", "audio_channels", "sample_rate"):
        lo, hi = {"short_side": (64, 4320), "crf": (0, 51), "audio_kbps": (8, 512),
                  "audio_channels": (1, 2), "sample_rate": (8000, 48000)}[key]
        if r.has(key):
            values[key] = r.int(key, lo=lo, hi=hi)
    for key in ("maxrate_kbps", "bufsize_kbps"):
        if r.has(key):
            values[key] = r.int(key, lo=16, hi=200000)
    for key, lo, hi in (("max_fps", 1, 120), ("gop_seconds", 0.1, 20), ("max_size_mb", 1, 100000),
                        ("loudness", -70, -5), ("true_peak", -9, 0), ("lra", 1, 50)):
        if r.has(key):
            values[key] = r.float(key, lo=lo, hi=hi)
    if r.has("h264_profile"):
        values["h264_profile"] = r.str("h264_profile", choices=H264_PROFILES)
    if r.has("preset"):
        values["preset"] = r.str("preset", choices=X264_PRESETS)
    if r.has("x264"):
        text = r.str("x264", "")
        bad = [kv for kv in (text or "").split(":") if kv and (kv.partition("=")[0] not in X264_KEYS
                                                                or not kv.partition("=")[2])]
        if bad:
            r.problem("x264", f"{bad[0]!r} is not key=value with a key among {', '.join(X264_KEYS)}")
        else:
            values["x264"] = text
    if r.has("fit"):
        values["fit"] = r.str("fit", choices=FITS)
    if r.has("audio_codec"):
        values["audio_codec"] = r.str("audio_codec", choices=AUDIO_CODECS)
    if r.has("platforms"):
        chosen = r.str_list("platforms", [])
        unknown = [x for x in chosen or [] if x not in PLATFORMS]
        if unknown:
            r.problem("platforms", f"unknown platform {unknown[0]!r} (use {', '.join(PLATFORMS)})")
        elif chosen is not None:
            values["platforms"] = tuple(dict.fromkeys(chosen))
    if r.has("canvas"):
        canvas = r.list("canvas", None, "[width, height]")
        if canvas is not None:
            if len(canvas) == 2 and all(isinstance(v, int) and 64 <= v <= 4320 and v % 2 == 0 for v in canvas):
                values["canvas"] = (canvas[0], canvas[1])
            else:
                r.problem("canvas", "expected [width, height] with even sizes between 64 and 4320")
    r.check_unknown()
    values = {k: v for k, v in values.items() if v is not None and k in spec}
    profile = replace(base, **values)
    if profile.kind == "audio" and profile.platforms:
        r.problem("platforms", "an audio profile cannot be sent to a video platform")
    return profile
