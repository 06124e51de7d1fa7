"""``banshi staff …``: staff accounts from the command line (there is no default password).

    banshi staff add NAME --role staff|supervisor --district D [--display-name X] [--password-stdin]
    banshi staff list
    banshi staff passwd NAME [--password-stdin]
    banshi staff disable NAME

``disable`` ends the person's sessions (every request of theirs is refused from then on, and
their console's live feed ends at its next check, within 15 s) and puts the citizens they were
serving back in the queue with a notice that another person will take over. The console's
``POST /api/staff/{name}/disable`` (supervisors) does the same and ends the live feed at once.

The password is asked twice on a terminal (never an argument, so it stays out of the shell
history and the process list), or read from one line of standard input with
``--password-stdin`` (for scripts and tests).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any

SettingsFactory = Callable[[], Any]
Migrate = Callable[[str], Awaitable[None]]
"""Brings the database at a URL to the newest schema (given by the composition root)."""


def register(subparsers: Any, settings: SettingsFactory, migrate: Migrate) -> None:
    """Add the ``staff`` command to the ``banshi`` parser; ``migrate`` runs before each
    command touches the database."""
    staff = subparsers.add_parser("staff", help="staff accounts of the console")
    commands = staff.add_subparsers(dest="staff_command", required=True)
    add = commands.add_parser("add", help="create a staff account")
    add.add_argument("name", help="user name for the login (letters, digits, . _ -)")
    add.add_argument("--role", choices=["staff", "supervisor"], required=True)
    add.add_argument("--district", required=True, help="the district this person serves")
    add.add_argument("--display-name", help="the name citizens see (default: the user name)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    listing = commands.add_parser("list", help="list the active accounts")
    passwd = commands.add_parser("passwd", help="set a new password (ends the sessions)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    disable = commands.add_parser("disable", help="disable an account (ends the sessions)")
    disable.add_argument("name")
    for parser in (add, listing, passwd, disable):
        parser.set_defaults(func=lambda args: run(args, settings(), migrate))


def _read_password(args: argparse.Namespace, username: str) -> str:
    from handoff.passwords import WeakPassword, check_strength

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码 (password): ")
        if getpass.getpass("再输一次 (again): ") != password:
            raise WeakPassword("两次输入的密码不一样。")
    check_strength(password, username)
    return password


def run(args: argparse.Namespace, settings: Any, migrate: Migrate) -> int:
    """Run one ``banshi staff`` command against the gateway's database."""
    import re

    from handoff.passwords import WeakPassword

    name = getattr(args, "name", "")
    if name and not re.fullmatch(r"[A-Za-z0-9._-]{2,64}", name):
        print("banshi: user names are 2-64 letters, digits, '.', '_' or '-'", file=sys.stderr)
        return 2
    try:
        password = _read_password(args, name) if args.staff_command in ("add", "passwd") else ""
    except WeakPassword as error:
        print(f"banshi: {error}", file=sys.stderr)
        return 2
    return asyncio.run(_run(args, settings.effective_gateway_database_url, password, migrate))


async def _run(args: argparse.Namespace, database_url: str, password: str, migrate: Migrate) -> int:
    from conversation.store import ConversationStore
    from handoff.models import Role
    from handoff.passwords import hash_password
    from handoff.staff_store import StaffExists, StaffStore

    await migrate(database_url)
    store = await ConversationStore.open(database_url)
    try:
        staff = StaffStore(store.engine)
        command = args.staff_command
        if command == "add":
            try:
                member = await staff.add(
                    username=args.name,
                    display_name=args.display_name or args.name,
                    role=Role(args.role),
                    district=args.district.strip(),
                    password_hash=await hash_password(password),
                )
            except StaffExists:
                print(f"banshi: staff {args.name} exists already", file=sys.stderr)
                return 1
            print(f"added {member.role.value} {member.username} ({member.district})")
        elif command == "list":
            for member in await staff.accounts():
                print(
                    f"{member.username}\t{member.role.value}\t{member.district}\t{member.display_name}"
                )
        elif command == "passwd":
            if not await staff.set_password(args.name, await hash_password(password)):
                print(f"banshi: no staff {args.name}", file=sys.stderr)
                return 1
            print(f"password of {args.name} changed; their sessions ended")
        elif command == "disable":
            account = await staff.by_username(args.name)
            if account is None or not await staff.set_active(args.name, False):
                print(f"banshi: no staff {args.name}", file=sys.stderr)
                return 1
            requeued = await _requeue(store, account)
            print(f"{args.name} disabled; sessions ended; {requeued} handoff(s) back in the queue")
        return 0
    finally:
        await store.close()


async def _requeue(store: Any, member: Any) -> int:
    """Put the handoffs ``member`` was serving back in the queue and tell the citizens."""
    from handoff import notices
    from handoff.audit import Actor, AuditLog
    from handoff.handoff_store import HandoffStore

    handoffs = HandoffStore(store.engine)
    audit = AuditLog(store.engine)
    actor = Actor("cli", "banshi staff", "banshi staff disable")
    await audit.append(actor, "staff.disable", "staff", str(member.id))
    count = 0
    for handoff in await handoffs.active_of(member.id):
        if not await handoffs.requeue(handoff.id, from_staff=member.id):
            continue
        info = await store.conversation(handoff.conversation_id)
        if info is not None:
            await store.add_messages(handoff.conversation_id, info.channel, [notices.staff_left()])
        await audit.append(actor, "handoff.requeue", "handoff", handoff.id, {"from": member.id})
        count += 1
    return count
