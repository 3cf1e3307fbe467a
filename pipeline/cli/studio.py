"""`webseries serve`, `webseries worker` and `webseries users`: the studio, its jobs, its accounts."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from pipeline.cli.common import context, open_store
from pipeline.errors import PipelineError


def cmd_serve(args: argparse.Namespace) -> int:
    from pipeline.web.serve import serve

    return serve(context(args), args.host, args.port, worker=not args.no_worker, scheduler=not args.no_scheduler)


def cmd_worker(args: argparse.Namespace) -> int:
    from pipeline.jobs.queue import run_worker

    return run_worker(context(args), args.workers)


def _password(args: argparse.Namespace, name: str) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise PipelineError("no password on standard input", hint="pipe it in: echo ... | webseries users ...")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise PipelineError("no terminal to ask the password on", hint="use --password-stdin in scripts")
    first = getpass.getpass(f"password for {name}: ")
    if first != getpass.getpass("the same password again: "):
        raise PipelineError("the two passwords differ; nothing was changed", hint="run the command again")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from pipeline import users

    cfg = context(args)
    with open_store(cfg) as store:
        if args.action == "add":
            users.check_role(args.role)
            if users.get(store, args.name):
                raise PipelineError(f"user {args.name!r} already exists",
                                    hint=f"`webseries users passwd {args.name}` changes the password")
            user = users.add(store, args.name, args.role, _password(args, args.name))
            print(f"added {user.name} ({user.role}: {users.ROLE_DUTIES[user.role]})")
        elif args.action == "passwd":
            if not users.get(store, args.name):
                raise PipelineError(f"no user named {args.name!r}", hint="`webseries users list` shows the accounts")
            users.set_password(store, args.name, _password(args, args.name))
            print(f"password changed for {args.name}; their open sessions were closed")
        elif args.action == "role":
            users.set_role(store, args.name, args.role)
            print(f"{args.name} is now {args.role}")
        elif args.action == "remove":
            users.remove(store, args.name)
            print(f"removed {args.name}; their open sessions were closed")
        else:
            rows = users.all_users(store)
            if args.json:
                print(json.dumps([{"name": u.name, "role": u.role, "created_at": u.created_at.isoformat()}
                                  for u in rows], indent=2, ensure_ascii=False))
            elif not rows:
                print("no accounts yet: `webseries users add NAME --role admin` creates the first one")
            for u in rows if not args.json else ():
                print(f"{u.name:<24} {u.role:<14} {users.ROLE_DUTIES[u.role]}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from pipeline.users import ROLES

    p = sub.add_parser("serve", help="the studio (web app), a job worker and the publish scheduler, together")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only; "
                                                       "0.0.0.0: the whole network, trusted networks only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-worker", action="store_true", help="do not start a job worker here")
    p.add_argument("--no-scheduler", action="store_true", help="do not start the publish scheduler here")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run studio jobs (renders, subtitles, clips, uploads) from the queue")
    p.add_argument("--workers", type=int, metavar="N", help="jobs at once (default: [studio] workers, 1)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("users", help="studio accounts: add, list, remove, change a password or role")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = acts.add_parser("add", help="create an account (the password is asked twice, never shown)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=tuple(ROLES))
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input (scripts)")
    a = acts.add_parser("passwd", help="change an account's password (closes its sessions)")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input (scripts)")
    a = acts.add_parser("role", help="change an account's role")
    a.add_argument("name")
    a.add_argument("role", choices=tuple(ROLES))
    a = acts.add_parser("remove", help="delete an account (closes its sessions)")
    a.add_argument("name")
    a = acts.add_parser("list", help="the accounts and their roles")
    a.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users)
