"""Pre/post knowledge surveys from KoboToolbox: its XLSX/CSV export, or its API v2 with a token.

`[metrics.survey]` in config.toml says which form field is the wave (pre/post), sex, age, region
(and a respondent id that links a person's two answers, if the form has one), and which questions
score knowledge with their right answers. Only those fields are stored (`survey_responses`): names,
phone numbers or GPS points a form may hold never enter the database. A response is keyed by Kobo's
`_uuid` (or a digest of its row), so importing the same export twice counts each person once.
The token is read from $WEBSERIES_KOBO_TOKEN or a 0600 file outside the project, like the platforms'.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.clips.select import fold
from pipeline.config import Config
from pipeline.config.evaluation import SurveyConfig
from pipeline.errors import PipelineError
from pipeline.platforms.accounts import pasted_token
from pipeline.platforms.base import AuthError
from pipeline.store import Store, utcnow
from pipeline.tabular import read_sheet

AGE_GROUPS = {"u18": "moins de 18 ans", "18_35": "18-35 ans", "o35": "plus de 35 ans", "": "âge non précisé"}
SEXES = {"f": "femmes", "m": "hommes", "": "sexe non précisé"}
LOGIN_KOBO = "webseries metrics login kobo"
KEY_FIELDS = ("_uuid", "meta/instanceID", "instanceID", "_id")


@dataclass(frozen=True)
class Response:
    key: str
    wave: str                          # pre | post
    respondent: str
    sex: str                           # f | m | ""
    age_group: str                     # u18 | 18_35 | o35 | ""
    region: str
    answers: tuple[tuple[str, str], ...]
    submitted_at: str


@dataclass(frozen=True)
class SurveyImport:
    rows: int
    new: int
    already: int
    pre: int
    post: int
    read_as: str


def _norm(text: object) -> str:
    return fold(str(text if text is not None else "")).strip()


def _column(header: list[str], name: str) -> int | None:
    """A form field in an export's header: its name, or a group path ending with it ("grp/age")."""
    if not name:
        return None
    want = _norm(name)
    for i, h in enumerate(header):
        if _norm(h) == want or _norm(h).endswith("/" + want):
            return i
    return None


def age_group(value: object) -> str:
    """Years -> u18 / 18_35 / o35; a group label written as one ("18-35", "moins de 18") is understood."""
    text = _norm(value).replace(" ", "")
    if not text:
        return ""
    try:
        years = float(text.replace(",", "."))
    except ValueError:
        if "moins" in text or "<18" in text or "under" in text or text.startswith("u18"):
            return "u18"
        if "plus" in text or ">35" in text or "over" in text or text.startswith("o35") or "36" in text:
            return "o35"
        return "18_35" if "18" in text and "35" in text else ""
    return "u18" if years < 18 else "18_35" if years <= 35 else "o35"


def _sex(value: object, sc: SurveyConfig) -> str:
    v = _norm(value)
    return "f" if v in {_norm(x) for x in sc.female} else "m" if v in {_norm(x) for x in sc.male} else ""


def _wave(value: object, sc: SurveyConfig) -> str | None:
    v = _norm(value)
    return "pre" if v in {_norm(x) for x in sc.pre} else "post" if v in {_norm(x) for x in sc.post} else None


def from_rows(sc: SurveyConfig, header: list[str], rows: list[list[object]], source: str,
              first_row: int = 2) -> list[Response]:
    """Responses from an export's rows; every unusable row named at once (nothing kept on error)."""
    where = {k: _column(header, getattr(sc, k)) for k in ("wave", "sex", "age", "region", "respondent")}
    qcols = {q: _column(header, q) for q in sc.questions}
    lost = [getattr(sc, k) for k in ("wave", "sex", "age", "region") if where[k] is None]
    lost += [q for q, i in qcols.items() if i is None]
    if sc.respondent and where["respondent"] is None:
        lost.append(sc.respondent)
    if not sc.questions:
        raise PipelineError("no scored question in [metrics.survey.questions]",
                            hint='list each knowledge question with its right answer, e.g. q_age_vote = "18"')
    if lost:
        raise PipelineError(f"{source}: field(s) missing from the export: {', '.join(lost)}",
                            hint="export with the form's field names (XML values and headers), or fix the names "
                                 "in [metrics.survey] of config.toml; nothing was imported")
    key_col = next((i for k in KEY_FIELDS if (i := _column(header, k)) is not None), None)
    time_col = _column(header, "_submission_time")
    out, problems = [], []

    def cell(row: list[object], i: int | None) -> object:
        return row[i] if i is not None and i < len(row) else None

    for n, row in enumerate(rows, start=first_row):
        if not any(str(v or "").strip() for v in row):
            continue
        wave = _wave(cell(row, where["wave"]), sc)
        if wave is None:
            problems.append(f"row {n}: wave {str(cell(row, where['wave']) or '')!r} is neither pre "
                            f"({', '.join(sc.pre)}) nor post ({', '.join(sc.post)})")
            continue
        answers = tuple((q, str(cell(row, i) if cell(row, i) is not None else "").strip()) for q, i in qcols.items())
        raw_key = str(cell(row, key_col) or "")
        key = raw_key or hashlib.sha256(json.dumps([str(v) for v in row], ensure_ascii=False).encode()).hexdigest()
        out.append(Response(key, wave, str(cell(row, where["respondent"]) or "").strip(),
                            _sex(cell(row, where["sex"]), sc), age_group(cell(row, where["age"])),
                            str(cell(row, where["region"]) or "").strip(), answers, str(cell(row, time_col) or "")))
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise PipelineError(f"{source}: {len(problems)} row(s) unusable, nothing imported: {shown}",
                            hint="fix the wave values in the form's data (or [metrics.survey] pre/post) and import again")
    return out


def save(store: Store, responses: list[Response], source: str, read_as: str) -> SurveyImport:
    now = utcnow().isoformat()
    with store.db:
        before = store.db.execute("SELECT COUNT(*) FROM survey_responses").fetchone()[0]
        store.db.executemany(
            "INSERT OR IGNORE INTO survey_responses (response_key, wave, respondent, sex, age_group, region, answers, "
            "submitted_at, source, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r.key, r.wave, r.respondent, r.sex, r.age_group, r.region, json.dumps(dict(r.answers), ensure_ascii=False),
              r.submitted_at, source, now) for r in responses])
        after = store.db.execute("SELECT COUNT(*) FROM survey_responses").fetchone()[0]
    new = after - before
    return SurveyImport(len(responses), new, len(responses) - new, sum(r.wave == "pre" for r in responses),
                        sum(r.wave == "post" for r in responses), read_as)


def read_file(cfg: Config, path: Path) -> tuple[list[Response], str]:
    """A KoboToolbox export's responses (XLSX or CSV, field names as headers) and how it was read; nothing stored."""
    sheet = read_sheet(path, "survey export")
    cells = [r for r in sheet.cells if any(str(v or "").strip() for v in r)]
    if len(cells) < 2:
        raise PipelineError(f"{path.name}: no responses in it", hint="export the form's data from KoboToolbox")
    header = [str(h or "") for h in cells[0]]
    first = next(i for i, r in enumerate(sheet.cells) if any(str(v or "").strip() for v in r)) + 2
    return from_rows(cfg.metrics.evaluation.survey, header, cells[1:], path.name, first), sheet.encoding


def import_file(cfg: Config, store: Store, path: Path) -> SurveyImport:
    """A KoboToolbox export into the database (every row checked first: nothing stored on error)."""
    responses, read_as = read_file(cfg, path)
    return save(store, responses, path.name, read_as)


def kobo_token(cfg: Config) -> str:
    sc = cfg.metrics.evaluation.survey
    return pasted_token(cfg, "KoboToolbox token (your account's API key)", sc.kobo_token_env, sc.kobo_token_file,
                        LOGIN_KOBO)


def pull_kobo(cfg: Config, store: Store) -> tuple[SurveyImport, int]:
    """Every submission of the form through the API v2 (paged); returns the import and the requests made."""
    import requests

    sc = cfg.metrics.evaluation.survey
    if not sc.kobo_asset:
        raise PipelineError("no KoboToolbox form set", hint="set [metrics.survey] kobo_asset to the form's uid "
                                                          "(the code in its address: …/forms/aBcD1234…)")
    token = kobo_token(cfg)
    url: str | None = f"{sc.kobo_server}/api/v2/assets/{sc.kobo_asset}/data.json"
    params: dict[str, object] | None = {"limit": 1000, "format": "json"}
    subs: list[dict] = []
    calls = 0
    with requests.Session() as http:
        while url:
            try:
                r = http.get(url, params=params, headers={"Authorization": f"Token {token}"}, timeout=60)
            except requests.RequestException as exc:
                raise PipelineError(f"KoboToolbox unreachable: {type(exc).__name__}",
                                    hint=f"check the connection and [metrics.survey] kobo_server ({sc.kobo_server})") from None
            calls += 1
            if r.status_code in (401, 403):
                raise AuthError("KoboToolbox refused the token", hint=f"run `{LOGIN_KOBO}` with a valid API token")
            if r.status_code == 404:
                raise PipelineError(f"KoboToolbox has no form {sc.kobo_asset!r} for this account",
                                    hint="check [metrics.survey] kobo_asset and that the form is shared with this account")
            if r.status_code >= 400:
                raise PipelineError(f"KoboToolbox answered HTTP {r.status_code}", hint="try again later")
            body = r.json()
            subs += [s for s in body.get("results", []) if isinstance(s, dict)]
            url, params = body.get("next"), None
    header = sorted({k for s in subs for k in s})
    rows = [[s.get(k) for k in header] for s in subs]
    responses = from_rows(sc, header, rows, f"KoboToolbox form {sc.kobo_asset}")
    return save(store, responses, f"kobo:{sc.kobo_asset}", "KoboToolbox API v2"), calls


def load(store: Store) -> list[Response]:
    return [Response(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6]).items()), r[7])
            for r in store.db.execute("SELECT response_key, wave, respondent, sex, age_group, region, answers, "
                                      "submitted_at FROM survey_responses ORDER BY submitted_at, response_key")]


def correct(answer: str, right: tuple[str, ...]) -> bool:
    """Right when it equals one of the right answers (accents and case ignored); a multiple choice
    ("a c") when it has the same choices in any order."""
    got = _norm(answer)
    if not got:
        return False
    return any(got == _norm(a) or sorted(got.split()) == sorted(_norm(a).split()) for a in right)


def score(response: Response, questions: dict[str, tuple[str, ...]]) -> float:
    """Knowledge score, 0-100: the share of scored questions answered right (a blank counts as wrong)."""
    given = dict(response.answers)
    return 100.0 * sum(correct(given.get(q, ""), right) for q, right in questions.items()) / len(questions)
