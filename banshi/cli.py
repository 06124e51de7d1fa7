"""The ``banshi`` command: ``run``, ``train``, ``doctor``, ``wait-for``, ``nlu-patterns``,
``staff``, ``tts``, ``stt``, ``speakable``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from types import FrameType

from banshi.nlu_patterns import register as register_nlu_patterns
from banshi.settings import Settings, SettingsError, get_settings
from handoff.cli import register as register_staff_commands


def _settings(profile: str | None) -> Settings:
    settings = get_settings()
    if profile:
        settings = settings.copy(update={"profile": profile})
    return settings


def cmd_train(args: argparse.Namespace) -> int:
    """Train the Rasa model if its inputs changed (or always, with --force)."""
    from banshi.training import ensure_model

    ensure_model(_settings(None).models_dir, force=args.force)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Train if needed, start every process of the profile, print the URLs, wait for Ctrl-C."""
    from banshi.api_docs import installed_swagger_ui
    from banshi.profiles import prepare
    from banshi.runner import ProcessFailed, ProcessGroup, process_specs
    from banshi.training import ensure_model

    try:
        settings = _settings(args.profile)
        if args.demo:
            settings = settings.copy(update={"demo": True})
        if settings.phone_enabled is None:  # `banshi run` answers calls unless told not to
            settings = settings.copy(update={"phone_enabled": True})
        settings = settings.with_secrets()
        settings.check_replicas()
    except SettingsError as error:
        print(f"banshi: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    model = ensure_model(settings.models_dir)
    try:
        prepare(settings)
    except Exception as error:
        print(
            f"banshi: the {settings.profile} profile cannot start: {error}\n"
            "  run `make doctor PROFILE=" + settings.profile + "` to see what is missing",
            file=sys.stderr,
        )
        return 1

    def terminate(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    group = ProcessGroup(
        settings,
        process_specs(settings, model),
        log_dir=settings.var_dir / "logs",
        echo=not args.quiet,
    )
    try:
        with group:
            gateway = f"http://{settings.host}:{settings.gateway_port}"
            api_docs = (
                f"docs: {gateway}/api/docs"
                if installed_swagger_ui()
                else f"schema: {gateway}/api/openapi.json"
            )
            ready_s = time.monotonic() - started
            print(
                f"\nbanshi is ready ({settings.profile} profile, {ready_s:.0f} s):\n"
                f"  web chat         {gateway}/chat\n"
                f"  kiosk            {gateway}/kiosk\n"
                f"  staff console    {gateway}/console"
                + (
                    f"   (demo: demo-staff / demo-supervisor, password {settings.demo_password})"
                    if settings.demo
                    else "   (accounts: banshi staff add NAME --role staff --district D)"
                )
                + "\n"
                f"  chat API         {gateway}/api/chat   ({api_docs})\n"
                f"  health, metrics  {gateway}/healthz  {gateway}/metrics\n"
                + (
                    f"  phone (SIP/UDP)  sip:banshi@{settings.sip_host}:{settings.sip_port}\n"
                    if settings.phone_enabled
                    else ""
                )
                + (
                    f"  replicas         gateway {settings.gateway_replicas}, rasa "
                    f"{settings.rasa_replicas}, actions {settings.action_replicas} behind nginx "
                    f"({settings.var_dir / 'nginx' / 'nginx.conf'})\n"
                    if settings.load_balanced
                    else ""
                )
                + f"  platform sandbox {settings.sandbox_url}/docs\n"
                f"  logs             {settings.var_dir / 'logs'}\n"
                + (
                    f"  calendar         pinned to {settings.today} (BANSHI_TODAY)\n"
                    if settings.today
                    else ""
                )
                + "Press Ctrl-C to stop.\n",
                flush=True,
            )
            while True:
                dead = group.check_alive()
                if dead:
                    print(
                        f"banshi: {dead} stopped unexpectedly; stopping everything.",
                        file=sys.stderr,
                    )
                    return 1
                time.sleep(0.5)
    except ProcessFailed as error:
        print(f"banshi: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    print("stopped.", flush=True)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the machine and print how to fix each problem."""
    from banshi.doctor import print_report, run_checks

    results = run_checks(_settings(args.profile))
    print_report(results)
    return 1 if any(r.status == "fail" for r in results) else 0


def cmd_wait_for(args: argparse.Namespace) -> int:
    """Wait until the named services answer; 1 with the reason after the deadline."""
    from banshi.wait_for import parse, wait_for

    settings = _settings(None)
    try:
        services = [parse(item, settings) for item in args.services]
        wait_for(services, timeout_s=settings.wait_for_s if args.timeout is None else args.timeout)
    except SettingsError as error:
        print(f"banshi: {error}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(prog="banshi", description="办事 — the banshi assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start every process of a profile")
    run.add_argument("--profile", choices=["embedded", "scale"])
    run.add_argument("--quiet", action="store_true", help="do not echo the processes' output")
    run.add_argument(
        "--demo", action="store_true", help="create demo console accounts (embedded profile only)"
    )
    run.set_defaults(func=cmd_run)
    train = sub.add_parser("train", help="train the Rasa model when its inputs changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=cmd_train)
    doctor = sub.add_parser("doctor", help="check the machine; say how to fix what is missing")
    doctor.add_argument("--profile", choices=["embedded", "scale"])
    doctor.set_defaults(func=cmd_doctor)
    wait = sub.add_parser(
        "wait-for", help="wait until PostgreSQL, Redis or RabbitMQ answer (scale profile)"
    )
    wait.add_argument(
        "services",
        nargs="+",
        metavar="SERVICE[=HOST:PORT]",
        help="postgres, redis or rabbitmq; the address from BANSHI_*_URL unless given",
    )
    wait.add_argument(
        "--timeout", type=float, help="seconds before giving up (default BANSHI_WAIT_FOR_S)"
    )
    wait.set_defaults(func=cmd_wait_for)
    register_nlu_patterns(sub, lambda: _settings(None))
    from banshi.migrate import upgrade_to_head

    register_staff_commands(sub, lambda: _settings(None), upgrade_to_head)
    from voice.cli import add_voice_commands

    add_voice_commands(sub, default_model=lambda: _settings(None).vosk_model_path)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``banshi`` command."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # httpx logs every request URL at INFO, and Rasa's /status URL carries its token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # alembic announces each of its plugins at INFO when it is imported.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
