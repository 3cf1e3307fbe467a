"""Files in and out of the studio, never outside the project's folders.

Media routes serve only files under the project's episodes/, subtitles/ and build/ folders
(`/media/<area>/<path>`): the path is resolved (symlinks followed) and must stay inside its
folder, hidden and half-written files are never served, and anything else is a 404. Video is
served with HTTP Range support (Starlette's FileResponse), so players can seek. Previews are
small JPEGs made once per file version with Pillow. `accept_upload` is the one check for files
people send: size, then type from the bytes themselves, not from the name alone; `stage` keeps one
for its preview until the person confirms (`staged`) or cancels (`unstage`).
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.web.registry import ALL, Ctx, route

SERVED = {".mp4": "video/mp4", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".wav": "audio/wav", ".mov": "video/quicktime",
          ".webm": "video/webm", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
          ".srt": "text/plain; charset=utf-8", ".vtt": "text/vtt; charset=utf-8", ".csv": "text/csv; charset=utf-8"}
PREVIEW_WIDTH = 320


def areas(cfg: Config) -> dict[str, Path]:
    return {"episodes": cfg.project.episodes_dir, "subtitles": cfg.project.subtitles_dir,
            "build": cfg.project.build_dir}


def safe_path(cfg: Config, area: str, relative: str) -> Path:
    """The file `relative` under an area's folder, or HTTPException(404): never anything outside it."""
    base = areas(cfg).get(area)
    if base is None or "\0" in relative:
        raise HTTPException(404)
    try:
        root = base.resolve()
        path = (root / relative).resolve()
    except (OSError, ValueError, RuntimeError):
        raise HTTPException(404) from None
    if not path.is_relative_to(root) or path == root or not path.is_file():
        raise HTTPException(404)
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        raise HTTPException(404)  # temporaries (.name.partial-*), hidden files
    if path.suffix.lower() not in SERVED:
        raise HTTPException(404)
    return path


def media_url(cfg: Config, path: Path, preview: bool = False) -> str | None:
    """/media/<area>/<relative path> for a file inside the project's folders (None otherwise)."""
    from urllib.parse import quote

    resolved = path.resolve()
    for area, base in areas(cfg).items():
        root = base.resolve()
        if resolved.is_relative_to(root):
            prefix = "/media/preview" if preview else "/media"
            return f"{prefix}/{area}/{quote(resolved.relative_to(root).as_posix())}"
    return None


@route("/media/{area}/{path:path}", roles=ALL)
def media(ctx: Ctx) -> Response:
    path = safe_path(ctx.cfg, ctx.request.path_params["area"], ctx.request.path_params["path"])
    return FileResponse(path, media_type=SERVED[path.suffix.lower()],
                        headers={"Cache-Control": "private, max-age=60"})


@route("/media/preview/{area}/{path:path}", roles=ALL)
def preview(ctx: Ctx) -> Response:
    """A JPEG PREVIEW_WIDTH wide of an image (thumbnail), cached under build/.studio-previews/."""
    from PIL import Image

    path = safe_path(ctx.cfg, ctx.request.path_params["area"], ctx.request.path_params["path"])
    if path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
        raise HTTPException(404)
    st = path.stat()
    key = hashlib.sha256(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:32]
    cached = ctx.cfg.project.build_dir / ".studio-previews" / f"{key}.jpg"
    if not cached.is_file():
        with Image.open(path) as im:
            im = im.convert("RGB")
            im.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH * 4))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=80)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.tmp")
        tmp.write_bytes(buf.getvalue())
        tmp.replace(cached)
    return FileResponse(cached, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


ROUTES = (preview, media)  # the preview path first: /media/{area} would take it otherwise


# ------------------------------------------------------------------ uploads

class UploadRefused(PipelineError):
    """A file a person sent that the studio will not take (French message, shown beside the field)."""


Sniffer = Callable[[bytes], bool]


def _text(data: bytes) -> bool:
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "\0" not in text
    return False


SNIFFERS: dict[str, Sniffer] = {
    ".srt": lambda b: _text(b) and "-->" in b.decode("utf-8", "replace").replace("\0", ""),
    ".csv": _text,
    ".xlsx": lambda b: b.startswith(b"PK\x03\x04") and b"[Content_Types].xml" in b[:65536],
    ".jpg": lambda b: b.startswith(b"\xff\xd8\xff"),
    ".png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
}


@dataclass(frozen=True)
class Upload:
    name: str        # the name the person's file had (for messages only; never used as a path)
    extension: str
    data: bytes


async def accept_upload(upload: UploadFile | str | None, allowed: tuple[str, ...], max_bytes: int) -> Upload:
    """Read an uploaded file if it is one of `allowed` (".csv", ".xlsx", ".srt"...) and small enough."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UploadRefused("Aucun fichier reçu.", hint="choisissez un fichier puis envoyez")
    name = Path(upload.filename).name
    ext = Path(name).suffix.lower()
    kinds = ", ".join(allowed)
    if ext not in allowed:
        raise UploadRefused(f"« {name} » n'est pas d'un type accepté ({kinds}).", hint="enregistrez-le dans un de ces formats")
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(f"« {name} » est trop volumineux (plus de {max_bytes / 1e6:.0f} Mo).",
                            hint="envoyez un fichier plus petit")
    if not data:
        raise UploadRefused(f"« {name} » est vide.", hint="vérifiez le fichier")
    if not SNIFFERS.get(ext, lambda _: False)(data):
        raise UploadRefused(f"« {name} » ne ressemble pas à un fichier {ext} : son contenu ne correspond pas.",
                            hint="ouvrez-le et enregistrez-le de nouveau dans ce format")
    return Upload(name, ext, data)


# ------------------------------------------------------------------ staged uploads (preview, then confirm)

STAGED_HOURS = 24   # previews never confirmed are removed after this


def _staging(build_dir: Path) -> Path:
    return build_dir / ".studio-uploads"


def _safe_name(name: str, extension: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in Path(name).stem)[:80].strip("._")
    return f"{stem or 'fichier'}{extension}"


def stage(build_dir: Path, sent: Upload, owner: dict[str, str]) -> tuple[str, Path]:
    """Keep an upload under build/.studio-uploads/<random token>/ until it is confirmed; `owner` (the
    person, what it is for) must match when the token comes back. Returns (token, staged file)."""
    folder = _staging(build_dir)
    cutoff = time.time() - STAGED_HOURS * 3600
    if folder.is_dir():
        for old in folder.iterdir():
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_hex(16)
    (folder / token).mkdir(parents=True)
    name = _safe_name(sent.name, sent.extension)
    (folder / token / name).write_bytes(sent.data)
    (folder / token / "meta.json").write_text(json.dumps({**owner, "name": name}), encoding="utf-8")
    return token, folder / token / name


def staged(build_dir: Path, token: str, owner: dict[str, str]) -> Path:
    """The staged file of `token` if it was staged for exactly `owner`; HTTPException(404) otherwise."""
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        raise HTTPException(404)
    folder = _staging(build_dir) / token
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise HTTPException(404) from None
    if not isinstance(meta, dict) or any(meta.get(k) != v for k, v in owner.items()):
        raise HTTPException(404)
    path = folder / str(meta.get("name", ""))
    if not path.is_file() or path.parent != folder:
        raise HTTPException(404)
    return path


def unstage(path: Path) -> None:
    """Forget a staged upload (after its import, or when the person cancels)."""
    shutil.rmtree(path.parent, ignore_errors=True)
