"""[transcode]: which renditions are made, which one each platform receives, and any profile the
project adds or changes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pipeline.profiles import DEFAULT_MADE, DEFAULT_PROFILES, PLATFORMS, Profile, parse_profile
from pipeline.tomlread import Reader


@dataclass(frozen=True)
class TranscodeConfig:
    default_profiles: tuple[str, ...]
    profiles: dict[str, Profile]
    keep_lra: bool  # raise the LRA target to the measured range so loudnorm stays linear
    platform_profiles: dict[str, str]  # platform -> the profile whose file publish uploads there

    def for_platform(self, platform: str) -> Profile:
        return self.profiles[self.platform_profiles[platform]]


def parse(r: Reader) -> TranscodeConfig:
    profiles = dict(DEFAULT_PROFILES)
    tables = r.table("profiles")
    for name in tables.data:
        t = tables.table(name)
        if name in profiles:
            base = profiles[name]
        elif isinstance(t.data.get("base"), str) and t.data["base"] in DEFAULT_PROFILES:
            base = replace(DEFAULT_PROFILES[t.data["base"]], platforms=())  # sent nowhere unless it says so
        else:
            t.problem("base", f"new profile {name!r} must name a base profile "
                              f"({', '.join(DEFAULT_PROFILES)})")
            continue
        profiles[name] = parse_profile(t, name, base)
    chosen = r.str_list("default_profiles", list(DEFAULT_MADE))
    for name in chosen or []:
        if name not in profiles:
            r.problem("default_profiles", f"unknown profile {name!r} (known: {', '.join(profiles)})")
    keep_lra = r.bool("keep_lra", True)
    r.check_unknown()
    return TranscodeConfig(default_profiles=tuple(chosen or ()), profiles=profiles, keep_lra=keep_lra,
                           platform_profiles=_platform_profiles(r, tables, profiles))


def _platform_profiles(r: Reader, tables: Reader, profiles: dict[str, Profile]) -> dict[str, str]:
    """Each platform is sent exactly one profile's file: two, or none, is a problem to fix."""
    out: dict[str, str] = {}
    for platform in PLATFORMS:
        serving = [p.name for p in profiles.values() if platform in p.platforms and p.kind == "video"]
        if len(serving) > 1:
            tables.problem(f"{serving[-1]}.platforms", f"{platform} is already sent the {serving[0]!r} file; "
                                                       f"remove {platform!r} from one of them")
        elif not serving:
            r.problem("profiles", f"no video profile is sent to {platform}: add {platform!r} to one profile's "
                                  "`platforms` (e.g. [transcode.profiles.youtube] platforms = "
                                  '["youtube", "facebook"])')
        if serving:
            out[platform] = serving[0]
    return out
