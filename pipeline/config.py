"""config.toml -> frozen dataclasses. Every problem is reported at once, with its key.

Secrets never live here: tokens come from the environment or a 0600 file (see publish).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.errors import ConfigError
from pipeline.models import LangText
from pipeline.profiles import DEFAULT_PROFILES, Profile, parse_profile
from pipeline.tomlread import Reader, load_toml

CONFIG_ENV = "WEBSERIES_CONFIG"
UNPARSED_SECTIONS = ("clips", "publish", "metrics")


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
    phantom_phrases: tuple[str, ...]
    bambara: BambaraConfig
    burn: BurnConfig


@dataclass(frozen=True)
class Config:
    file: Path
    project: ProjectConfig
    transcode: TranscodeConfig
    subtitles: SubtitlesConfig


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
    for section in UNPARSED_SECTIONS:  # read by their own stage when it runs
        root.table(section)
    root.check_unknown()
    root.raise_if_problems(hint=f"fix {path.name} and run again")
    return Config(file=path, project=project, transcode=transcode, subtitles=subtitles)


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
                                                                     choices=backends),
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
        phantom_phrases=tuple(r.str_list("phantom_phrases", list(DEFAULT_PHANTOMS_FR)) or ()),
        bambara=bambara, burn=burn)
    r.check_unknown()
    return cfg
