"""Offline reach: community screenings and radio/TV broadcasts, from the field teams' sheets.

Facilitators fill a template (`write_template`: XLSX with drop-down lists and a "consignes" sheet,
and the same columns as a French CSV); `import_file` reads it back like the translators' sheets
(pipeline/tabular.py: any spreadsheet encoding, XLSX), checks every row at once and names each bad
row, and stores nothing unless all rows are right. A row is stored under a digest of its content,
so importing the same rows again (the same file twice, or a file that repeats last month's rows)
adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime, timedelta
from pathlib import Path

from pipeline.clips.select import fold as fold_accents
from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write
from pipeline.metrics import frcsv
from pipeline.metrics.titles import episode_for
from pipeline.models import Episode
from pipeline.store import Store, utcnow
from pipeline.tabular import read_sheet

AGE_GROUPS = (("u18", "moins de 18 ans"), ("18_35", "18-35 ans"), ("o35", "plus de 35 ans"))
LANGUAGES = ("bambara", "français", "bambara et français", "peul (fulfulde)", "songhaï", "soninké", "tamasheq", "autre")


@dataclass(frozen=True)
class Screening:
    day: date
    region: str
    cercle: str
    commune: str
    place: str
    episodes: tuple[str, ...]
    facilitator: str
    girls_u18: int
    boys_u18: int
    women_18_35: int
    men_18_35: int
    women_o35: int
    men_o35: int
    disability: int
    displaced: int
    language: str
    questions: str

    @property
    def women(self) -> int:
        return self.girls_u18 + self.women_18_35 + self.women_o35

    @property
    def men(self) -> int:
        return self.boys_u18 + self.men_18_35 + self.men_o35

    @property
    def participants(self) -> int:
        return self.women + self.men


@dataclass(frozen=True)
class Broadcast:
    day: date
    station: str
    medium: str
    episodes: tuple[str, ...]
    language: str
    audience: int
    audience_source: str


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str          # date | text | int | episodes | choice
    required: bool = True
    help: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str          # screening | broadcast
    label: str         # what the evaluator calls it
    file_stem: str     # the template's file name
    columns: tuple[Column, ...]
    record: type


SCREENING = Kind("screening", "projections", "projections-modele", (
    Column("day", "Date", "date", help="JJ/MM/AAAA, le jour de la projection"),
    Column("region", "Région", "text"), Column("cercle", "Cercle", "text"), Column("commune", "Commune", "text"),
    Column("place", "Lieu", "text", help="village, quartier, école, centre de jeunes…"),
    Column("episodes", "Épisode(s)", "episodes", help="numéros des épisodes montrés, séparés par des virgules : 1, 2"),
    Column("facilitator", "Animateur ou animatrice", "text"),
    Column("girls_u18", "Filles (moins de 18 ans)", "int"), Column("boys_u18", "Garçons (moins de 18 ans)", "int"),
    Column("women_18_35", "Femmes (18-35 ans)", "int"), Column("men_18_35", "Hommes (18-35 ans)", "int"),
    Column("women_o35", "Femmes (plus de 35 ans)", "int"), Column("men_o35", "Hommes (plus de 35 ans)", "int"),
    Column("disability", "Dont personnes handicapées", "int", help="parmi les participants ci-dessus"),
    Column("displaced", "Dont personnes déplacées", "int", help="parmi les participants ci-dessus"),
    Column("language", "Langue utilisée", "choice", choices=LANGUAGES),
    Column("questions", "Principales questions posées", "text", required=False,
           help="les questions du public, en quelques mots"),
), Screening)
BROADCAST = Kind("broadcast", "diffusions", "diffusions-modele", (
    Column("day", "Date", "date", help="JJ/MM/AAAA, le jour de la diffusion"),
    Column("station", "Station", "text", help="nom de la radio ou de la chaîne"),
    Column("medium", "Radio ou télévision", "choice", choices=("radio", "télévision")),
    Column("episodes", "Épisode(s)", "episodes", help="numéro(s) de l'épisode diffusé"),
    Column("language", "Langue", "choice", choices=LANGUAGES),
    Column("audience", "Auditoire estimé", "int", help="nombre de personnes, estimation"),
    Column("audience_source", "Source de l'estimation", "text",
           help="d'où vient l'estimation : sondage de la station, étude d'audience…"),
), Broadcast)
KINDS = {"screenings": SCREENING, "broadcasts": BROADCAST}


@dataclass(frozen=True)
class ImportResult:
    kind: str
    rows: int          # rows read
    new: int           # rows stored now
    already: int       # rows that were already there (or repeated in the file)
    read_as: str


def fold(text: object) -> str:
    """'Filles (moins de 18 ans)' -> 'fillesmoinsde18ans': headers matched however they were retyped."""
    return "".join(c for c in fold_accents(str(text or "")) if c.isalnum())


# ------------------------------------------------------------------ template

def write_template(kind: Kind, folder: Path, episodes: dict[str, Episode] | None = None) -> list[Path]:
    """The template as XLSX (lists, instructions) and French CSV in `folder`; a file already there is
    kept and the new one written beside it (`.nouveau`). Returns the files written."""
    out = []
    for suffix, data in ((".xlsx", _xlsx(kind, episodes or {})),
                         (".csv", frcsv.write([c.header for c in kind.columns], []).encode("utf-8"))):
        target = folder / f"{kind.file_stem}{suffix}"
        if target.exists():
            target = folder / f"{kind.file_stem}.nouveau{suffix}"
        with atomic_write(target, "wb", permissions=0o644) as fh:
            fh.write(data)
        out.append(target)
    return out


def _xlsx(kind: Kind, episodes: dict[str, Episode]) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = kind.label
    ws.append([c.header for c in kind.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, c in enumerate(kind.columns, start=1):
        letter = ws.cell(1, i).column_letter
        ws.column_dimensions[letter].width = max(12, min(40, len(c.header) + 2))
        rng = f"{letter}2:{letter}1000"
        if c.kind == "int":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                error="Un nombre entier, 0 ou plus.", errorTitle="Nombre")
        elif c.kind == "choice":
            dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"', allow_blank=True,
                                showErrorMessage=False)
        elif c.kind == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="43831", allow_blank=True,
                                error="Une date : JJ/MM/AAAA.", errorTitle="Date")
        else:
            continue
        ws.add_data_validation(dv)
        dv.add(rng)
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("consignes")
    help_ws.append(["Colonne", "Obligatoire", "Comment la remplir"])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    for c in kind.columns:
        hint = c.help or ("une des valeurs proposées : " + ", ".join(c.choices) if c.choices else "")
        help_ws.append([c.header, "oui" if c.required else "non", hint or "texte libre"])
    help_ws.append([])
    help_ws.append(["Une ligne par " + ("projection" if kind is SCREENING else "diffusion") + ". Écrivez 0 quand il "
                    "n'y avait personne dans un groupe (une case vide est refusée)."])
    if episodes:
        help_ws.append(["Épisodes : " + " ; ".join(f"{e.number} = {e.title.fr}" for e in
                                                     sorted(episodes.values(), key=lambda e: e.number))])
    help_ws.column_dimensions["A"].width = 34
    help_ws.column_dimensions["C"].width = 70
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ reading

def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value or "").strip().replace("\u202f", "").replace(" ", "")
    return int(text) if re.fullmatch(r"\d+", text) else None


def _cell(c: Column, value: object, episodes: dict[str, Episode], today: date) -> tuple[object, str]:
    """(typed value, problem or "")."""
    text = "" if value is None else str(value).strip()
    if not text and not isinstance(value, int | float):
        return ("" if c.kind in ("text", "choice") else None), (f"« {c.header} » est vide" if c.required else "")
    if c.kind == "date":
        d = _date(value)
        if d is None:
            return None, f"« {c.header} » : date illisible « {text} » (écrire JJ/MM/AAAA)"
        if d > today + timedelta(days=1):
            return None, f"« {c.header} » : {d:%d/%m/%Y} est dans le futur"
        return d, ""
    if c.kind == "int":
        n = _int(value)
        return (n, "") if n is not None and n >= 0 else (None, f"« {c.header} » : « {text} » n'est pas un nombre "
                                                                 "entier (0 ou plus)")
    if c.kind == "episodes":
        tokens = [t for t in re.split(r"[,;/+&]|\bet\b", text) if t.strip()]
        ids = [episode_for(t, episodes) for t in tokens]
        bad = [t.strip() for t, i in zip(tokens, ids, strict=True) if i is None]
        if bad or not ids:
            known = ", ".join(str(e.number) for e in sorted(episodes.values(), key=lambda e: e.number))
            return None, (f"« {c.header} » : épisode inconnu « {', '.join(bad) or text} »"
                          + (f" (épisodes : {known})" if known else " (écrire le numéro : 1, 2…)"))
        return tuple(dict.fromkeys(i for i in ids if i)), ""
    if c.kind == "choice":
        match = next((x for x in c.choices if fold(x) == fold(text)), None)
        if match is None and "autre" not in c.choices:
            return None, f"« {c.header} » : « {text} » n'est pas une des valeurs : {', '.join(c.choices)}"
        return (match or text), ""   # where "autre" is offered, another value is kept as written (a language)
    return text, ""


def read(kind: Kind, path: Path, episodes: dict[str, Episode], today: date | None = None) -> tuple[list, str]:
    """(records, how the file was read); raises with every bad row named if any row is wrong."""
    sheet = read_sheet(path, f"{kind.label} sheet")
    today = today or date.today()
    cells = sheet.cells
    start = next((i for i, r in enumerate(cells) if any(str(c or "").strip() for c in r)), None)
    if start is None:
        raise PipelineError(f"{path.name} : le fichier est vide", hint=f"remplissez le modèle {kind.file_stem}.xlsx")
    header = {fold(h): i for i, h in enumerate(cells[start]) if fold(h)}
    where = {}
    for c in kind.columns:
        for name in (fold(c.header), fold(c.key)):
            if name in header:
                where[c.key] = header[name]
                break
    lost = [c.header for c in kind.columns if c.key not in where and c.required]
    if lost:
        raise PipelineError(f"{path.name} : colonne(s) absente(s) : {', '.join(lost)}",
                            hint=f"partez du modèle (`webseries metrics template {_command(kind)}`) sans "
                                 "renommer ses colonnes ; rien n'a été importé")
    records, problems, bad_rows = [], [], []
    for n, row in enumerate(cells[start + 1:], start=start + 2):
        if not any(str(v or "").strip() for v in row):
            continue
        values, issues = {}, []
        for c in kind.columns:
            raw = row[where[c.key]] if c.key in where and where[c.key] < len(row) else None
            values[c.key], issue = _cell(c, raw, episodes, today)
            if issue:
                issues.append(issue)
        if not issues and kind is SCREENING:
            total = sum(values[k] for k in ("girls_u18", "boys_u18", "women_18_35", "men_18_35", "women_o35",
                                            "men_o35"))
            if total == 0:
                issues.append("aucun participant compté")
            for k, label in (("disability", "personnes handicapées"), ("displaced", "personnes déplacées")):
                if values[k] > total:
                    issues.append(f"{values[k]} {label} pour {total} participants")
        if issues:
            bad_rows.append(n)
            problems.append(f"ligne {n} : " + " ; ".join(issues))
            continue
        records.append(kind.record(**values))
    if problems:
        shown = " | ".join(problems[:12]) + (f" | et {len(problems) - 12} autre(s)" if len(problems) > 12 else "")
        raise PipelineError(f"{path.name} ({sheet.encoding}) : {len(bad_rows)} ligne(s) à corriger "
                            f"({', '.join(map(str, bad_rows))}), rien n'a été importé : {shown}",
                            hint="corrigez ces lignes dans le fichier et importez-le à nouveau")
    if not records:
        raise PipelineError(f"{path.name} : aucune ligne remplie", hint="une ligne par projection ou diffusion")
    return records, sheet.encoding


def _command(kind: Kind) -> str:
    return next(k for k, v in KINDS.items() if v is kind)


def row_key(record: object) -> str:
    return hashlib.sha256(json.dumps([str(v) for v in astuple(record)], ensure_ascii=False).encode()).hexdigest()


def import_file(store: Store, kind: Kind, path: Path, episodes: dict[str, Episode],
                today: date | None = None) -> ImportResult:
    """Read, check every row, then store them all in one transaction (rows already there are skipped)."""
    records, read_as = read(kind, path, episodes, today)
    now = utcnow().isoformat()
    with store.db:
        before = store.db.execute("SELECT COUNT(*) FROM field_records WHERE kind=?", (kind.name,)).fetchone()[0]
        store.db.executemany(
            "INSERT OR IGNORE INTO field_records (kind, row_key, day, episodes, data, source, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(kind.name, row_key(r), r.day.isoformat(), ",".join(r.episodes), _json(r), path.name, now)
             for r in records])
        after = store.db.execute("SELECT COUNT(*) FROM field_records WHERE kind=?", (kind.name,)).fetchone()[0]
    return ImportResult(kind.name, len(records), after - before, len(records) - (after - before), read_as)


def _json(record: object) -> str:
    out = {}
    for f in fields(record):
        v = getattr(record, f.name)
        out[f.name] = v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def load(store: Store, kind: Kind, episode: str | None = None, since: date | None = None,
         until: date | None = None) -> list:
    """Stored records of one kind, by date; `episode` keeps those that showed it."""
    out = []
    for (data,) in store.db.execute("SELECT data FROM field_records WHERE kind=? ORDER BY day, row_key", (kind.name,)):
        d = json.loads(data)
        d["day"] = date.fromisoformat(d["day"])
        d["episodes"] = tuple(d["episodes"])
        rec = kind.record(**d)
        if (episode and episode not in rec.episodes) or (since and rec.day < since) or (until and rec.day > until):
            continue
        out.append(rec)
    return out
