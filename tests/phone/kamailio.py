"""Kamailio as the PBX of the phone tests: started on a free loopback port with the tests'
configuration (``kamailio.cfg``: registrar with digest authentication, calls routed to the
registered user)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.needs import need
from tests.phone.baresip import free_udp_port

CONFIG = Path(__file__).with_name("kamailio.cfg")
PASSWORD = "s3cret-pass"
"""The password of the ``banshi`` account in ``kamailio.cfg``."""


@contextmanager
def running_kamailio(workdir: Path) -> Iterator[int]:
    """A Kamailio on a free loopback port, working in ``workdir``; yields the port."""
    binary = shutil.which("kamailio") or shutil.which("/usr/sbin/kamailio")
    need(binary, "kamailio", "apt-get install kamailio (scripts/system-packages.sh)")
    assert binary is not None
    port = free_udp_port()
    config = workdir / "kamailio.cfg"
    config.write_text(CONFIG.read_text().replace("LISTEN", f"127.0.0.1:{port}"))
    log = (workdir / "kamailio.log").open("wb")
    process = subprocess.Popen(
        [binary, "-f", str(config), "-DD", "-E", "-Y", str(workdir), "-P", str(workdir / "pid")],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its forked workers go with it
    )
    try:
        yield port
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            # Kamailio 5.6 at times hangs in its clean-up after "Thank you for flying kamailio"
            # (its workers already gone): the PBX's exit is not what these tests check.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        log.close()
