"""Pull and report cost as the season grows: requests, seconds and rows for N videos a platform.

Batched pulls should cost the same number of HTTP requests for 5 or 50 videos; this prints
requests, wall seconds and values stored per pull, and the report's build time, for growing
seasons, with ratios to the smallest season measured in the same run. Loopback emulator:
it bounds the client-side cost, not the network's.

    python bench/metrics.py [--episodes 2 12 50 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.config import load_config  # noqa: E402
from pipeline.metrics import report  # noqa: E402
from pipeline.stages.metrics_demo import season_assets, seed_season  # noqa: E402
from pipeline.platforms.emulator import analytics as emulator_analytics  # noqa: E402
from pipeline.platforms.emulator import running  # noqa: E402
from pipeline.stages import metrics  # noqa: E402
from pipeline.store import Store  # noqa: E402
from season import season_config  # noqa: E402


def one(cfg, episodes: int, tmp: Path) -> tuple[int, int, float, int, float]:  # noqa: ANN001
    with running() as emu:
        dcfg = season_config(cfg, emu, episodes, tmp)
        with Store(dcfg.project.database) as store:
            names = season_assets(episodes)
            seed_season(store, emu, names)
            metrics.pull(dcfg, store)     # warm-up: imports, discovery documents
            emulator_analytics.state(emu).advance()
            n0 = len(emu.state.requests)
            t0 = time.perf_counter()
            result = metrics.pull(dcfg, store)
            pull_s = time.perf_counter() - t0
            requests = len(emu.state.requests) - n0
            t0 = time.perf_counter()
            report.build(dcfg, store, tmp / f"report-{episodes}")
            report_s = time.perf_counter() - t0
        return len(names), requests, pull_s, result.values, report_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--episodes", type=int, nargs="+", default=[2, 12, 25, 50])
    args = ap.parse_args()
    cfg = load_config(Path(__file__).resolve().parents[1] / "config.toml")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [one(cfg, n, Path(tmp)) for n in args.episodes]
    base = rows[0]
    print(f"{'videos/platform':>15} {'requests':>9} {'pull s':>8} {'x':>6} {'values':>8} {'report s':>9} {'x':>6}")
    for videos, req, pull_s, values, report_s in rows:
        print(f"{videos:>15} {req:>9} {pull_s:>8.2f} {pull_s / base[2]:>6.2f} {values:>8} {report_s:>9.2f} "
              f"{report_s / base[4]:>6.2f}")


if __name__ == "__main__":
    main()
