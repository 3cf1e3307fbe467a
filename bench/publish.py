"""Upload throughput through the real clients to the local emulator, by chunk size.

Prints MB/s for YouTube (google-api-python-client, resumable) and Facebook (requests,
Graph chunked upload) at several chunk sizes, and the ratio to the smallest chunk measured
in the same run: the per-request overhead each protocol pays. Loopback only: real links are
slower, so this bounds the client-side cost, not the network.

    python bench/publish.py [--mb 32]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.config import load_config  # noqa: E402
from pipeline.platforms.base import VideoUpload  # noqa: E402
from pipeline.platforms.emulator import running  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=32)
    args = ap.parse_args()
    from google.oauth2.credentials import Credentials

    from pipeline.platforms.facebook import Facebook
    from pipeline.platforms.youtube import YouTube

    with tempfile.TemporaryDirectory() as tmp, running() as emu:
        emu.state.accept_any_token = True
        f = Path(tmp) / "video.mp4"
        f.write_bytes(os.urandom(args.mb * 1024 * 1024))
        base = load_config(Path(__file__).resolve().parents[1] / "config.toml")
        video = VideoUpload("bench", f, "Bench", "", (), datetime.now(UTC) + timedelta(days=1), "public")
        print(f"{args.mb} MiB file, loopback emulator")
        for platform in ("youtube", "facebook"):
            first = None
            for kib in (256, 1024, 8192):
                pub = dataclasses.replace(base.publish, youtube=dataclasses.replace(
                    base.publish.youtube, api_root=emu.url + "/", chunk_bytes=kib * 1024),
                    facebook=dataclasses.replace(base.publish.facebook, graph_root=emu.url, page_id="1"))
                cfg = dataclasses.replace(base, publish=pub)
                emu.state.fb_chunk_size = kib * 1024
                client = YouTube(cfg, Credentials(token="bench")) if platform == "youtube" else Facebook(cfg, "bench")
                t = time.perf_counter()
                client.upload(video, None, lambda p: None)
                rate = args.mb * 1.048576 / (time.perf_counter() - t)
                first = first or rate
                print(f"{platform:9s} chunk {kib:5d} KiB: {rate:7.1f} MB/s  ({rate / first:.2f}x the 256 KiB chunk)")


if __name__ == "__main__":
    main()
