"""What the Calendrier shows: every release of schedules/*.toml on a month or week grid, each with
its platforms' rows (`publish status`'s own rows: ledger state, the platform's time, drift), the
problems `publish check` finds (said in French) and the YouTube quota units each day needs.

Nothing is decided here: `releases.check` and `publish_status.status` decide, this only arranges.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pipeline.config import Config
from pipeline.config.publish import EMULATOR_ENV
from pipeline.errors import PipelineError
from pipeline.releases import PLATFORMS, Release, calendars, check
from pipeline.stages.publish import youtube_units
from pipeline.stages.publish_status import ReleaseStatus, status
from pipeline.store import Store
from pipeline.web.messages import french

READ = frozenset({"admin", "editor", "communication", "evaluation"})  # translators: 403 (not their work)
ACT = frozenset({"admin", "communication"})                          # create, move, cancel, restore
MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
               "novembre", "décembre")
WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
PLATFORM_NAMES = {"youtube": "YouTube", "facebook": "Facebook", "tiktok": "TikTok", "instagram": "Instagram"}

# `publish check` and `publish status` speak English to the CLI; the officer reads them in French here.
PROBLEMS = (
    (r"^(.+) is in the past$", r"\1 est déjà passé : choisissez une date à venir"),
    (r"^(.+) is too close for (\w+) \(at least (\d+) minutes ahead\)",
     r"\1 est trop proche pour \2 (au moins \3 minutes à l'avance)"),
    (r"^already public on (\w+) since (.+?): its time cannot change.*",
     r"déjà publiée sur \1 depuis \2 : son heure ne peut plus changer. Le titre, la description, la vignette, "
     r"les sous-titres et la playlist peuvent encore changer, et « Annuler » la rend privée."),
    (r"^(\w+) file (.+) is missing \(make it with `(.+)`\)", r"fichier pour \1 absent : \2 (à faire : « \3 »)"),
    (r"^unknown asset '([^']+)'.*",
     r"« \1 » n'existe pas encore : aucun épisode, extrait ou bande-annonce de ce nom"),
    (r"^thumbnail (.+) is missing.*", r"vignette absente : \1 (la page Épisodes la fait avec les extraits)"),
    (r"^(\w+) subtitles (.+) are missing$", r"sous-titres \1 absents : \2"),
    (r"^(\w+) subtitles changed since they were approved.*",
     r"sous-titres \1 modifiés depuis leur approbation : à approuver de nouveau"),
    (r"^(\w+) subtitles are not approved \(([^)]*)\).*", r"sous-titres \1 pas encore approuvés (\2)"),
    (r"^(\w+) title is empty$", r"titre \1 vide"),
    (r"^youtube title has (\d+) characters \(at most (\d+)\)", r"titre YouTube de \1 caractères (\2 au plus)"),
    (r"^youtube description is (\d+) bytes \(at most (\d+)\)", r"description YouTube de \1 octets (\2 au plus)"),
    (r"^youtube refuses < and >.*", "YouTube refuse < et > dans les titres et les descriptions"),
    (r"^youtube tags take (\d+) characters \(at most (\d+)\)", r"mots-clés YouTube : \1 caractères (\2 au plus)"),
    (r"^the id is used twice.*", "cet identifiant de diffusion est utilisé deux fois"),
    (r"^(\S+) is already released on (\w+) by '([^']+)'.*", r"\1 est déjà diffusé sur \2 par « \3 »"),
    (r".*\[publish\.facebook\] page_id is .*",
     "la Page Facebook n'est pas réglée (page_id de [publish.facebook] dans config.toml)"),
    (r"^the calendar says (.+), (\w+) has (.+?): `.*", r"le calendrier dit \1, \2 a \3 : le prochain envoi l'aligne"),
    (r"^the calendar says (.+) but (\w+) published it at (.+?): put.*",
     r"le calendrier dit \1 mais \2 l'a publiée à \3 : remettez l'heure"),
    (r"^the video is gone from (\w+).*", r"la vidéo a disparu de \1 (supprimée là-bas ?)"),
    (r"^cancelled in the calendar, but (\w+) shows it (\w+).*", r"annulée dans le calendrier, mais \1 l'affiche \2"),
    (r"^(\w+) shows the title (.+): `.*", r"\1 affiche le titre \2 : le prochain envoi l'aligne"),
    (r"^not yet on (\w+): (.+): `.*", r"pas encore sur \1 : \2 (le prochain envoi s'en charge)"),
)


def in_french(problem: str) -> str:
    return french(problem, PROBLEMS)


@dataclass(frozen=True)
class Entry:
    """One release on the calendar: its platforms' rows, its problems, what it still lacks."""

    release: Release
    at: datetime                     # in the project's zone
    rows: tuple[ReleaseStatus, ...]  # one per platform, as `publish status` says
    problems: tuple[str, ...]        # French
    not_ready: tuple[str, ...]       # French
    units: int                       # YouTube quota units still to spend on it

    @property
    def title(self) -> str:
        return self.release.targets[0].title if self.release.targets else self.release.asset

    @property
    def published(self) -> bool:
        return any(r.state == "published" for r in self.rows)


@dataclass(frozen=True)
class Day:
    day: date
    entries: tuple[Entry, ...]
    units: int
    inside: bool                     # in the month shown (a month grid shows its neighbours' days greyed)
    today: bool


@dataclass(frozen=True)
class Plan:
    """Every release, checked once; `general` = problems not about one release (a Page not set...)."""

    entries: tuple[Entry, ...]
    general: tuple[str, ...]
    quota_per_day: int
    platforms: tuple[str, ...]

    def entry(self, release_id: str) -> Entry | None:
        return next((e for e in self.entries if e.release.id == release_id), None)

    def days(self, first: date, last: date, month: int | None, today: date) -> list[Day]:
        out = []
        d = first
        while d <= last:
            found = tuple(e for e in self.entries if e.at.date() == d)
            out.append(Day(d, found, sum(e.units for e in found), month is None or d.month == month, d == today))
            d += timedelta(days=1)
        return out


def load_plan(cfg: Config, store: Store, now: datetime | None = None) -> Plan:
    now = now or datetime.now(UTC)
    try:
        files = calendars(cfg, None)
    except PipelineError:
        files = []
    result = check(cfg, store, files, now)
    rows: dict[str, list[ReleaseStatus]] = {}
    for row in status(cfg, store, result.releases, result.not_ready):
        rows.setdefault(row.release, []).append(row)
    zone = cfg.project.zone
    entries, claimed = [], set()
    for rel in sorted(result.releases, key=lambda r: r.publish_at):
        where = f"{rel.calendar.name}: release {rel.id!r}: "
        own = [p for p in result.problems if p.startswith(where)]
        claimed.update(own)
        mine = [r for r in rows.get(rel.id, []) if r.platform in {t.platform for t in rel.targets}]
        left = [r for r in mine if r.state in ("planned", "failed", "deferred")]
        units = youtube_units(cfg, [rel]) if any(r.platform == "youtube" for r in left) else 0
        entries.append(Entry(rel, rel.publish_at.astimezone(zone), tuple(mine),
                             tuple(in_french(p.removeprefix(where)) for p in own),
                             tuple(in_french(p) for p in result.not_ready.get(rel.id, ())), units))
    general = tuple(in_french(p) for p in result.problems if p not in claimed)
    used = {t.platform for r in result.releases for t in r.targets}
    return Plan(tuple(entries), general, cfg.publish.youtube.quota_per_day,
                tuple(p for p in PLATFORMS if p in used) or tuple(PLATFORMS))


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The Monday before the 1st to the Sunday after the last day: whole weeks."""
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def parse_month(text: str, today: date) -> tuple[int, int]:
    """`2027-01` (a bad or missing value: this month)."""
    try:
        y, m = (int(x) for x in text.split("-"))
        date(y, m, 1)
        return y, m
    except ValueError:
        return today.year, today.month


def parse_week(text: str, today: date) -> date:
    """The Monday of the week holding `2027-01-13` (a bad or missing value: this week)."""
    try:
        d = date.fromisoformat(text)
    except ValueError:
        d = today
    return d - timedelta(days=d.weekday())


def emulated(cfg: Config) -> bool:
    """The platforms are the local emulator (rehearsal, demo, tests): its links must not look real."""
    roots = " ".join(str(getattr(getattr(cfg.publish, p, None), a, "")) for p in PLATFORMS
                     for a in ("api_root", "graph_root"))
    return cfg.publish.rehearsal or bool(os.environ.get(EMULATOR_ENV)) or "127.0.0.1" in roots or "localhost" in roots
