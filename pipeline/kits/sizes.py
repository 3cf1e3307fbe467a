"""Sizes as the people who pay for them count: megabytes of mobile data, gigabytes of a USB key.

MB and GB are powers of ten here (10^6, 10^9 bytes), as carriers bill and key makers label. A
WhatsApp limit of "16 MB" is therefore taken as 16,000,000 bytes, the stricter of the two readings
(16 MiB would be 16,777,216).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MB = 1_000_000
GB = 1_000_000_000
KEY_USABLE = 0.93          # of a key's labelled size: formatting, and keys that come up short (8 GB -> ~7.4 GB)
FAT32_LARGEST = 4 * 1024 ** 3 - 1   # most keys come formatted FAT32: no file may be larger


def human_duration(seconds: float) -> str:
    """12 min 05 s, to the second (rounded), as radio programmers read durations."""
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return f"{h} h {m:02d} min {sec:02d} s"
    return f"{m} min {sec:02d} s" if m else f"{sec} s"


def megabytes(size: int) -> str:
    """1,5 Mo (French decimal comma)."""
    return f"{size / MB:.1f}".replace(".", ",") + " Mo"


@dataclass(frozen=True)
class KitSize:
    """What a kit weighs against the USB key it must fit on."""

    total: int
    files: int
    key_gb: float
    largest: tuple[str, int]          # (relative path, bytes)

    @property
    def usable(self) -> int:
        return int(self.key_gb * GB * KEY_USABLE)

    @property
    def fits(self) -> bool:
        return self.total <= self.usable and self.largest[1] <= FAT32_LARGEST

    def sentence(self) -> str:
        """The summary a facilitator reads (French)."""
        total = f"{self.total / GB:.2f}".replace(".", ",") + " Go" if self.total >= GB else megabytes(self.total)
        key = f"{self.key_gb:g}".replace(".", ",")
        usable = f"{self.usable / GB:.1f}".replace(".", ",")
        if self.largest[1] > FAT32_LARGEST:
            return (f"Le kit pèse {total} ({self.files} fichiers) ; {self.largest[0]} dépasse 4 Go : "
                    "formatez la clé en exFAT (une clé FAT32 le refuse).")
        verdict = "tient" if self.fits else "ne tient pas"
        return (f"Le kit pèse {total} ({self.files} fichiers) : il {verdict} sur une clé USB de {key} Go "
                f"(environ {usable} Go utilisables).")


def measure(folder: Path, key_gb: float) -> KitSize:
    files = [p for p in folder.rglob("*") if p.is_file()]
    sizes = {p.relative_to(folder).as_posix(): p.stat().st_size for p in files}
    largest = max(sizes.items(), key=lambda kv: kv[1], default=("", 0))
    return KitSize(sum(sizes.values()), len(sizes), key_gb, largest)
