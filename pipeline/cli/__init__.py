"""The `webseries` command: the only place that prints errors and exits.

Each stage's subcommand lives in a module of this package (transcode, subtitles, voiceover, clips,
package, publish, metrics, and studio: serve, worker, users) with a `register(sub)` function.
Expected problems (PipelineError) print `error:` and `hint:` lines and exit 2; anything else is a
bug and says so (set WEBSERIES_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from pipeline import __version__, log
from pipeline.cli import clips, metrics, package, publish, studio, subtitles, transcode, voiceover
from pipeline.cli.common import EXIT_BUG, EXIT_ERROR, EXIT_INTERRUPTED
from pipeline.errors import ConfigError, PipelineError
from pipeline.fsutil import NO_SPACE

# in pipeline order, as `--help` lists them
STAGES = (transcode, subtitles, voiceover, clips, package, publish, metrics, studio)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="webseries", description="Construisons Ensemble production pipeline")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--config", help="path to config.toml (default: ./config.toml or a parent folder's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in the log")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for stage in STAGES:
        stage.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    log.setup(args.verbose)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR
    except PipelineError as exc:
        print(f"error: {_redact(exc.message)}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted: unfinished outputs were removed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        if exc.errno not in NO_SPACE or os.environ.get("WEBSERIES_DEBUG"):
            return _bug(exc)
        print(f"error: {exc.strerror}: {exc.filename or 'a file being written'}; unfinished outputs were removed",
              file=sys.stderr)
        print("hint: free some space on that disk, then run the same command again", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        return _bug(exc)


def _bug(exc: Exception) -> int:
    if os.environ.get("WEBSERIES_DEBUG"):
        raise exc
    print(f"error: unexpected {type(exc).__name__}: {_redact(str(exc))}", file=sys.stderr)
    print("hint: this is a bug; rerun with WEBSERIES_DEBUG=1 and report the traceback", file=sys.stderr)
    return EXIT_BUG


def _redact(text: str) -> str:
    """Tokens never reach the terminal, even inside an error message (see platforms/accounts.py)."""
    if "pipeline.platforms.accounts" not in sys.modules:
        return text
    return sys.modules["pipeline.platforms.accounts"].redact(text)
