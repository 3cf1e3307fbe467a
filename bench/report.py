"""What each of the evaluation report's files costs, as the season grows: CPU-seconds to compute
the data, then to write the page, the Word document (matplotlib charts included), the workbook and
the CSVs, with each format's ratio to the page's cost measured in the same run (CPU time, not wall:
this machine is shared).

    python bench/report.py [--episodes 4 25]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.config import load_config  # noqa: E402
from pipeline.metrics import report, report_docx, report_html, report_xlsx  # noqa: E402
from pipeline.metrics.evaluation import compute  # noqa: E402
from pipeline.metrics.tables import all_tables, dataset_table  # noqa: E402
from pipeline.platforms.accounts import write_token_file  # noqa: E402
from pipeline.platforms.emulator import analytics as emulator_analytics  # noqa: E402
from pipeline.platforms.emulator import running  # noqa: E402
from pipeline.stages import metrics  # noqa: E402
from pipeline.stages.metrics_demo import demo_config, season_assets, seed_season  # noqa: E402
from pipeline.store import Store  # noqa: E402


def cpu(fn):  # noqa: ANN001, ANN201
    t0 = time.process_time()
    out = fn()
    return out, time.process_time() - t0


def one(cfg, episodes: int, tmp: Path) -> dict[str, float]:  # noqa: ANN001
    import dataclasses

    with running() as emu:
        emu.state.accept_any_token = True
        tokens = tmp / f"tokens-{episodes}"
        write_token_file(tokens / "youtube-token.json", '{"token": "bench-token"}')
        write_token_file(tokens / "facebook-page-token", "bench-page-token")
        dcfg = demo_config(cfg, emu.url, tokens)
        dcfg = dataclasses.replace(dcfg, project=dataclasses.replace(
            dcfg.project, database=tmp / f"bench-{episodes}.sqlite3", build_dir=tmp / f"build-{episodes}"))
        with Store(dcfg.project.database) as store:
            seed_season(store, emu, season_assets(episodes))
            for _ in range(2):
                metrics.pull(dcfg, store)
                emulator_analytics.state(emu).advance()
            zone, tz = dcfg.project.zone, dcfg.project.timezone
            report_html.render(compute(dcfg, store), zone, tz)                 # warm-up: imports
            report_docx.render(compute(dcfg, store), zone, tz)
            d, t_data = cpu(lambda: compute(dcfg, store))
            tables = all_tables(d)
            _, t_html = cpu(lambda: report_html.render(d, zone, tz))
            _, t_docx = cpu(lambda: report_docx.render(d, zone, tz))
            _, t_xlsx = cpu(lambda: report_xlsx.render(d, [*tables, dataset_table(d)], zone, tz))
            _, t_csv = cpu(lambda: report.write_csvs(d, tables, dataset_table(d), tmp / f"csv-{episodes}", "french",
                                                     dcfg))
        return {"videos": len(season_assets(episodes)), "values": len(d.audience.rows), "data": t_data,
                "html": t_html, "docx": t_docx, "xlsx": t_xlsx, "csv": t_csv}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--episodes", type=int, nargs="+", default=[4, 25])
    args = ap.parse_args()
    cfg = load_config(Path(__file__).resolve().parents[1] / "config.toml")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [one(cfg, n, Path(tmp)) for n in args.episodes]
    print(f"{'videos':>7} {'values':>7} {'data s':>7} {'html s':>7} {'docx s':>7} {'x html':>7} {'xlsx s':>7} "
          f"{'x html':>7} {'csv s':>6} {'x html':>7}   (CPU-seconds)")
    for r in rows:
        print(f"{r['videos']:>7} {r['values']:>7} {r['data']:>7.2f} {r['html']:>7.2f} {r['docx']:>7.2f} "
              f"{r['docx'] / r['html']:>7.1f} {r['xlsx']:>7.2f} {r['xlsx'] / r['html']:>7.1f} {r['csv']:>6.2f} "
              f"{r['csv'] / r['html']:>7.1f}")


if __name__ == "__main__":
    main()
