"""The one check for files people send: type from the bytes, size limit, French refusals."""

from __future__ import annotations

import asyncio
import io

import pytest
from starlette.datastructures import UploadFile

from pipeline.web.files import UploadRefused, accept_upload

SRT = "1\n00:00:01,000 --> 00:00:02,000\nI ni ce\n".encode()


def accept(name: str, data: bytes, allowed=(".srt", ".csv", ".xlsx"), limit: int = 1000):  # noqa: ANN001, ANN201
    return asyncio.run(accept_upload(UploadFile(io.BytesIO(data), filename=name), allowed, limit))


def test_accepts_what_it_should():
    up = accept("../../bm.srt", SRT)
    assert (up.name, up.extension, up.data) == ("bm.srt", ".srt", SRT)  # the name is never a path
    assert accept("bm.csv", "début;fin;bamanankan\n".encode("utf-8-sig")).extension == ".csv"
    assert accept("bm.srt", SRT.decode().encode("utf-16")).extension == ".srt"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("bm.exe", b"MZ...", "n'est pas d'un type accepté (.srt, .csv, .xlsx)"),
    ("bm.srt", b"x" * 1001, "est trop volumineux"),
    ("bm.srt", b"", "est vide"),
    ("bm.srt", b"\x89PNG\r\n\x1a\n\0\0", "ne ressemble pas à un fichier .srt"),
    ("bm.xlsx", b"1;2;3\n", "ne ressemble pas à un fichier .xlsx"),
])
def test_refuses_with_a_french_reason(name, data, message):
    with pytest.raises(UploadRefused) as exc:
        accept(name, data)
    assert message in exc.value.message


def test_nothing_sent():
    with pytest.raises(UploadRefused, match="Aucun fichier reçu"):
        asyncio.run(accept_upload("", (".srt",), 10))
