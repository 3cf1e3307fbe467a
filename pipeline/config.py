"""config.toml -> frozen dataclasses. Every problem is reported at once, with its key.

Secrets never live here: tokens come from the environment or a 0600 file (see publish).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.errors import ConfigError
from pipeline.models import LangText
from pipeline.profiles import DEFAULT_PROFILES, Profile, parse_profile
from pipeline.tomlread import Reader, load_toml

CONFIG_ENV = "WEBSERIES_CONFIG"
EMULATOR_ENV = "WEBSERIES_PUBLISH_EMULATOR"  # http://127.0.0.1:PORT: both APIs go to the local emulator


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    series_title: LangText
    timezone: str
    episodes_dir: Path
    subtitles_dir: Path
    schedules_dir: Path
    build_dir: Path
    database: Path

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TranscodeConfig:
    default_profiles: tuple[str, ...]
    profiles: dict[str, Profile]
    keep_lra: bool  # raise the LRA target to the measured range so loudnorm stays linear


@dataclass(frozen=True)
class YouTubeConfig:
    api_root: str                 # https://www.googleapis.com/ (or the emulator)
    token_uri: str                # OAuth token endpoint used to refresh the access token
    token_file: Path              # authorized-user JSON written by `webseries publish login youtube`
    client_secrets_file: Path     # the OAuth client (installed app) downloaded from the Cloud console
    category_id: str
    caption_fallback: str         # caption language used when the platform refuses one (e.g. bm)
    quota_per_day: int
    quota_costs: dict[str, int]
    chunk_bytes: int


@dataclass(frozen=True)
class FacebookConfig:
    graph_root: str
    graph_version: str            # pinned: Graph versions change behaviour and expire
    reels_upload_root: str        # the host Reels bytes go to (rupload)
    page_id: str
    token_env: str                # environment variable holding the Page token
    token_file: Path
    caption_locales: dict[str, str]
    caption_fallback: str


@dataclass(frozen=True)
class PublishConfig:
    upload_hours: tuple[int, int] | None   # local hours [start, end) when uploads may run; None = any time
    upload_lead_days: int                  # upload no earlier than this many days before the release
    min_lead_minutes: int                  # refuse releases closer than this (Facebook needs 10)
    misfire_grace_seconds: int
    retry_attempts: int
    retry_base_seconds: float
    youtube: YouTubeConfig
    facebook: FacebookConfig


@dataclass(frozen=True)
class MetricsConfig:
    pull_every_hours: float               # the scheduler pulls when the last pull is older than this
    lookback_days: int                    # YouTube Analytics period starts at most this many days back
    youtube_analytics_root: str           # https://youtubeanalytics.googleapis.com/ (or the emulator)
    analytics_requests_per_day: int       # our own ceiling on YouTube Analytics queries (its own quota)


@dataclass(frozen=True)
class ClipsConfig:
    """[clips]: how highlights are chosen and how clips, trailer and thumbnails look."""

    count: int  # automatic clips per episode
    min_seconds: float
    max_seconds: float
    keywords: tuple[str, ...]
    caption_lang: str
    landscape: bool  # also render a 16:9 variant of each clip
    title_bar: bool
    trailer_seconds: tuple[float, float]  # (shortest, longest), cards included
    title_card_seconds: float
    end_card_seconds: float
    fade_seconds: float
    first_release: str  # shown on the trailer's end card, e.g. "1er mars 2027"
    channels: tuple[str, ...]  # shown on the end card, e.g. "YouTube : AJCAD Mali"
    loudness_profile: str  # loudness target taken from this transcode profile
    preset: str
    crf: int


@dataclass(frozen=True)
class BambaraConfig:
    """Whisper has no Bambara token: a draft comes from a fine-tuned model or from translation."""

    route: str                      # "" (none configured) | "speech" | "translation"
    episodes: dict[str, str]        # per-episode route, overriding `route`
    speech_model: str               # CTranslate2 folder or openai-whisper .pt of a Bambara fine-tune
    speech_backend: str
    language_token: str             # the token the fine-tune was trained with (often "fr" or "sw")
    translation_model: str          # NLLB-200 converted to CTranslate2 (folder with the sentencepiece model)
    source_code: str                # NLLB language codes
    target_code: str

    def route_for(self, episode: str) -> str:
        return self.episodes.get(episode, self.route)


@dataclass(frozen=True)
class BurnConfig:
    profiles: tuple[str, ...]       # renditions that get a burned-in variant
    languages: tuple[str, ...]      # one, or two stacked (first above second)
    font: str
    font_size: float                # libass units (the script is 288 high); scaled down for portrait
    outline: float
    margin: float                   # bottom safe margin, fraction of the picture height


@dataclass(frozen=True)
class SubtitlesConfig:
    languages: tuple[str, ...]
    backend: str
    device: str
    compute_type: str
    beam_size: int
    vad: bool
    models: dict[str, str]          # language -> model name or local path
    audience: str                   # "default" | "low-literacy"
    rules: dict[str, dict]          # per-language overrides of CueRules fields
    no_speech_threshold: float
    log_prob_threshold: float
    compression_ratio_threshold: float
    no_repeat_ngram: int
    phantom_phrases: tuple[str, ...]
    bambara: BambaraConfig
    burn: BurnConfig


@dataclass(frozen=True)
class Config:
    file: Path
    project: ProjectConfig
    transcode: TranscodeConfig
    subtitles: SubtitlesConfig
    publish: PublishConfig
    clips: ClipsConfig
    metrics: MetricsConfig


def find_config(explicit: str | None = None) -> Path:
    """--config, then $WEBSERIES_CONFIG, then config.toml in this folder or a parent."""
    if explicit:
        return Path(explicit).resolve()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "config.toml").is_file():
            return folder / "config.toml"
    raise ConfigError(
        [f"no config.toml in {here} or any folder above it"],
        hint="run from the project folder, or pass --config PATH",
    )


def load_config(path: Path) -> Config:
    data = load_toml(path, "config file")
    root = Reader(data, path)
    project = _project(root.table("project"), path.parent)
    transcode = _transcode(root.table("transcode"))
    subtitles = _subtitles(root.table("subtitles"))
    publish = _publish(root.table("publish"))
    metrics = _metrics(root.table("metrics"))
    clips = _clips(root.table("clips"), transcode)
    root.table("studio")  # read by pipeline/studio.py (the web studio and its job queue)
    root.check_unknown()
    root.raise_if_problems(hint=f"fix {path.name} and run again")
    return Config(file=path, project=project, transcode=transcode, subtitles=subtitles, publish=publish,
                  clips=clips, metrics=metrics)


def _project(r: Reader, base: Path) -> ProjectConfig:
    title = r.table("series_title")
    zone = r.str("timezone", "Africa/Bamako")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("timezone", f"unknown time zone {zone!r} (e.g. Africa/Bamako)")
    paths = {k: base / r.str(k, d) for k, d in (
        ("episodes_dir", "episodes"), ("subtitles_dir", "subtitles"), ("schedules_dir", "schedules"),
        ("build_dir", "build"), ("database", "build/pipeline.sqlite3"))}
    cfg = ProjectConfig(
        root=base,
        series_title=LangText(title.str("fr", "Construisons Ensemble"), title.str("bm", "")),
        timezone=zone,
        **paths,
    )
    title.check_unknown()
    r.check_unknown()
    return cfg


def _transcode(r: Reader) -> TranscodeConfig:
    profiles = dict(DEFAULT_PROFILES)
    tables = r.table("profiles")
    for name in tables.data:
        t = tables.table(name)
        if name in profiles:
            base = profiles[name]
        elif isinstance(t.data.get("base"), str) and t.data["base"] in DEFAULT_PROFILES:
            base = DEFAULT_PROFILES[t.data["base"]]
        else:
            t.problem("base", f"new profile {name!r} must name a base profile "
                              f"({', '.join(DEFAULT_PROFILES)})")
            continue
        profiles[name] = parse_profile(t, name, base)
    chosen = r.str_list("default_profiles", list(DEFAULT_PROFILES))
    for name in chosen or []:
        if name not in profiles:
            r.problem("default_profiles", f"unknown profile {name!r} (known: {', '.join(profiles)})")
    keep_lra = r.bool("keep_lra", True)
    r.check_unknown()
    return TranscodeConfig(default_profiles=tuple(chosen or ()), profiles=profiles, keep_lra=keep_lra)


def _publish(r: Reader) -> PublishConfig:
    emulator = os.environ.get(EMULATOR_ENV, "").rstrip("/")
    hours = r.str("upload_hours", "")
    window = None
    if hours:
        try:
            a, b = (int(h.split(":")[0]) for h in hours.split("-"))
            assert 0 <= a < 24 and 0 < b <= 24 and a != b
            window = (a, b)
        except (ValueError, AssertionError):
            r.problem("upload_hours", f'expected "HH:00-HH:00" local hours (e.g. "00:00-06:00"), got {hours!r}')
    y, f = r.table("youtube"), r.table("facebook")
    costs = {"upload": 1600, "captions": 400, "thumbnails": 50, "playlist": 50, "list": 1}
    cost_table = y.table("quota_costs")
    for key in costs:
        costs[key] = cost_table.int(key, costs[key], lo=0)
    cost_table.check_unknown()
    youtube = YouTubeConfig(
        api_root=_or(emulator and emulator + "/", y.str("api_root", "https://www.googleapis.com/")),
        token_uri=_or(emulator and emulator + "/token", y.str("token_uri", "https://oauth2.googleapis.com/token")),
        token_file=Path(y.str("token_file", "~/.config/webseries/youtube-token.json")).expanduser(),
        client_secrets_file=Path(y.str("client_secrets_file", "~/.config/webseries/youtube-client.json")).expanduser(),
        category_id=y.str("category_id", "27"),
        caption_fallback=y.str("caption_fallback", "und"),
        quota_per_day=y.int("quota_per_day", 10000, lo=0),
        quota_costs=costs,
        chunk_bytes=y.int("chunk_kib", 8192, lo=1) * 1024,
    )
    locales = f.table("caption_locales")
    loc = {"fr": "fr_FR", "bm": "bm_ML"}
    for lang in locales.data:
        loc[lang] = locales.str(lang)
    facebook = FacebookConfig(
        graph_root=_or(emulator, f.str("graph_root", "https://graph.facebook.com")),
        graph_version=f.str("graph_version", "v21.0"),
        reels_upload_root=_or(emulator, f.str("reels_upload_root", "https://rupload.facebook.com")),
        page_id=str(f.str("page_id", "")),
        token_env=f.str("token_env", "WEBSERIES_FACEBOOK_TOKEN"),
        token_file=Path(f.str("token_file", "~/.config/webseries/facebook-page-token")).expanduser(),
        caption_locales=loc,
        caption_fallback=f.str("caption_fallback", ""),
    )
    if not re.fullmatch(r"v\d+\.\d+", facebook.graph_version or ""):
        f.problem("graph_version", f"expected a version like v21.0, got {facebook.graph_version!r}")
    for t in (y, f, locales):
        t.check_unknown()
    cfg = PublishConfig(
        upload_hours=window, upload_lead_days=r.int("upload_lead_days", 30, lo=0),
        min_lead_minutes=r.int("min_lead_minutes", 15, lo=10),
        misfire_grace_seconds=r.int("misfire_grace_seconds", 7 * 24 * 3600, lo=60),
        retry_attempts=r.int("retry_attempts", 6, lo=1, hi=20),
        retry_base_seconds=r.float("retry_base_seconds", 1.0, lo=0.0),
        youtube=youtube, facebook=facebook)
    r.check_unknown()
    return cfg


def _or(override: str, configured: str) -> str:
    """The emulator's address when $WEBSERIES_PUBLISH_EMULATOR is set (demo, tests), else the configured one."""
    return override or configured


# ---- metrics

def _metrics(r: Reader) -> MetricsConfig:
    emulator = os.environ.get(EMULATOR_ENV, "").rstrip("/")
    cfg = MetricsConfig(
        pull_every_hours=r.float("pull_every_hours", 24.0, lo=1.0),
        lookback_days=r.int("lookback_days", 365, lo=1, hi=3650),
        youtube_analytics_root=_or(emulator and emulator + "/",
                                   r.str("youtube_analytics_root", "https://youtubeanalytics.googleapis.com/")),
        analytics_requests_per_day=r.int("analytics_requests_per_day", 200, lo=1),
    )
    r.check_unknown()
    return cfg


# ---- clips

DEFAULT_KEYWORDS = ("citoyen", "vote", "voter", "mairie", "femmes", "jeunes", "conseil", "élus", "ensemble",
                    "gouvernance")


def _clips(r: Reader, transcode: TranscodeConfig) -> ClipsConfig:
    from pipeline.profiles import X264_PRESETS

    lo = r.float("min_seconds", 15.0, lo=1.0, hi=600.0)
    hi = r.float("max_seconds", 60.0, lo=1.0, hi=600.0)
    if lo is not None and hi is not None and hi < lo:
        r.problem("max_seconds", f"must be at least min_seconds ({lo:g}), got {hi:g}")
    trailer = r._get("trailer_seconds", [45, 60], (list,), "a list [shortest, longest]")
    if not (isinstance(trailer, list) and len(trailer) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in trailer)
            and trailer[0] <= trailer[1]):
        r.problem("trailer_seconds", f"expected [shortest, longest] in seconds, e.g. [45, 60], got {trailer!r}")
        trailer = [45, 60]
    profile = r.str("loudness_profile", "youtube")
    if isinstance(profile, str) and profile not in transcode.profiles:
        r.problem("loudness_profile", f"unknown profile {profile!r} (known: {', '.join(transcode.profiles)})")
    cfg = ClipsConfig(
        count=r.int("count", 3, lo=0, hi=20),
        min_seconds=lo or 15.0, max_seconds=hi or 60.0,
        keywords=tuple(r.str_list("keywords", list(DEFAULT_KEYWORDS)) or ()),
        caption_lang=r.str("caption_lang", "fr", choices=("fr", "bm")),
        landscape=r.bool("landscape", False),
        title_bar=r.bool("title_bar", True),
        trailer_seconds=(float(trailer[0]), float(trailer[1])),
        title_card_seconds=r.float("title_card_seconds", 3.0, lo=0.5, hi=15.0),
        end_card_seconds=r.float("end_card_seconds", 4.0, lo=0.5, hi=15.0),
        fade_seconds=r.float("fade_seconds", 0.3, lo=0.0, hi=2.0),
        first_release=r.str("first_release", ""),
        channels=tuple(r.str_list("channels", []) or ()),
        loudness_profile=profile or "youtube",
        preset=r.str("preset", "veryfast", choices=X264_PRESETS),
        crf=r.int("crf", 21, lo=0, hi=51),
    )
    r.check_unknown()
    return cfg


# ---- subtitles

BM_EXTRA_BACKENDS = ("transformers", "mms", "nemo")  # pipeline.asr.extra: when their packages are installed
RULE_KEYS = {"max_line": int, "max_lines": int, "max_cps": float, "min_duration": float, "max_duration": float,
             "min_gap_frames": int, "max_pause": float, "french_typography": bool}


def _subtitles(r: Reader) -> SubtitlesConfig:
    from pipeline.asr.guards import DEFAULT_PHANTOMS_FR
    from pipeline.captions.rules import AUDIENCES

    backends = ("faster-whisper", "openai-whisper")
    models = r.table("models")
    model_map = {lang: models.str(lang) for lang in models.data}
    rules_t = r.table("rules")
    rules: dict[str, dict] = {}
    for lang in rules_t.data:
        t = rules_t.table(lang)
        got = {}
        for key, kind in RULE_KEYS.items():
            if t.has(key):
                if kind is int:
                    got[key] = t.int(key, lo=1)
                elif kind is float:
                    got[key] = t.float(key, lo=0.01)
                else:
                    got[key] = t.bool(key)
        if got.get("max_lines", 2) > 2:
            t.problem("max_lines", "at most 2 lines a cue are supported")
        t.check_unknown()
        rules[lang] = got
    bm = r.table("bambara")
    routes = ("", "none", "speech", "translation")
    eps = bm.table("episodes")
    bambara = BambaraConfig(
        route=bm.str("route", "", choices=routes), episodes={k: eps.str(k, choices=routes) for k in eps.data},
        speech_model=bm.str("speech_model", ""), speech_backend=bm.str("speech_backend", "faster-whisper",
                                                                     choices=(*backends, *BM_EXTRA_BACKENDS)),
        language_token=bm.str("language_token", ""), translation_model=bm.str("translation_model", ""),
        source_code=bm.str("source_code", "fra_Latn"), target_code=bm.str("target_code", "bam_Latn"))
    bm.check_unknown()
    b = r.table("burn")
    burn = BurnConfig(profiles=tuple(b.str_list("profiles", ["whatsapp"]) or ()),
                      languages=tuple(b.str_list("languages", ["fr"]) or ()), font=b.str("font", "DejaVu Sans"),
                      font_size=b.float("font_size", 18.0, lo=6, hi=60), outline=b.float("outline", 2.0, lo=0, hi=8),
                      margin=b.float("margin", 0.08, lo=0, hi=0.4))
    if not 1 <= len(burn.languages) <= 2:
        b.problem("languages", "one language, or two to stack")
    b.check_unknown()
    cfg = SubtitlesConfig(
        languages=tuple(r.str_list("languages", ["fr", "bm"]) or ()),
        backend=r.str("backend", "faster-whisper", choices=backends),
        device=r.str("device", "auto", choices=("auto", "cpu", "cuda")),
        compute_type=r.str("compute_type", "auto"), beam_size=r.int("beam_size", 5, lo=1, hi=10),
        vad=r.bool("vad", True), models=model_map,
        audience=r.str("audience", "default", choices=tuple(AUDIENCES)), rules=rules,
        no_speech_threshold=r.float("no_speech_threshold", 0.6, lo=0, hi=1),
        log_prob_threshold=r.float("log_prob_threshold", -1.0, hi=0),
        compression_ratio_threshold=r.float("compression_ratio_threshold", 2.4, lo=1),
        no_repeat_ngram=r.int("no_repeat_ngram", 6, lo=0),
        phantom_phrases=tuple(r.str_list("phantom_phrases", list(DEFAULT_PHANTOMS_FR)) or ()),
        bambara=bambara, burn=burn)
    r.check_unknown()
    return cfg
