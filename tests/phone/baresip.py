"""baresip, a real SIP phone, as the caller: headless, driven over its ``ctrl_tcp`` socket.

Its voice is a WAV file (``aufile``); what it hears is written by ``sndfile`` to a WAV per
call (``dump-*-dec.wav``) under ``recordings``.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import wave
from pathlib import Path
from typing import Any

from tests.conftest import free_port
from tests.needs import need

MODULES = Path("/usr/lib/baresip/modules")


def need_baresip() -> None:
    """baresip with the modules the tests use."""
    need(
        shutil.which("baresip") and (MODULES / "ctrl_tcp.so").exists(),
        "baresip",
        "apt-get install baresip-core (scripts/system-packages.sh)",
    )


def free_udp_port() -> int:
    """A UDP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _free(port: int, kind: socket.SocketKind) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_sip_port() -> int:
    """A port for baresip's SIP: it listens on UDP and TCP there and TLS on the next port,
    so all three must be free."""
    for _ in range(100):
        port = free_udp_port()
        if port < 65535 and _free(port, socket.SOCK_STREAM) and _free(port + 1, socket.SOCK_STREAM):
            return port
    raise RuntimeError("no free port pair for baresip")


class Baresip:
    """One baresip process with one account (``user``@127.0.0.1, no registration); with
    ``answer`` it answers calls by itself (a staff phone)."""

    def __init__(
        self,
        home: Path,
        voice: Path,
        *,
        user: str = "13912345678",
        codecs: str = "PCMU",
        answer: bool = False,
    ):
        self.home = home
        self.recordings = home / "recordings"
        self.events: list[dict[str, Any]] = []
        self._user = user
        self._voice = voice
        self._codecs = codecs
        self._answer = answer
        self.sip_port = 0
        """Where it takes SIP (known once started)."""
        self._ctrl_port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._responses: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._event_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._pump: asyncio.Task[None] | None = None
        self._token = 0

    async def start(self) -> None:
        """Write the configuration, start baresip, connect to its control socket."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.recordings.mkdir(exist_ok=True)
        sip_port = self.sip_port = free_sip_port()
        (self.home / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    f"sip_listen 127.0.0.1:{sip_port}",
                    "net_interface 127.0.0.1",
                    "call_max_calls 16",
                    f"audio_source aufile,{self._voice}",
                    f"audio_alert aufile,{self._voice}",
                    "audio_player aubridge,none",
                    "audio_srate 8000",
                    "audio_channels 1",
                    f"module_path {MODULES}",
                    "module g711.so",
                    "module aufile.so",
                    "module aubridge.so",
                    "module sndfile.so",
                    "module_app account.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    f"ctrl_tcp_listen 127.0.0.1:{self._ctrl_port}",
                    f"snd_path {self.recordings}",
                    "",
                ]
            )
        )
        (self.home / "accounts").write_text(
            f"<sip:{self._user}@127.0.0.1>;regint=0;audio_codecs={self._codecs}"
            + (";answermode=auto" if self._answer else "")
            + "\n"
        )
        (self.home / "contacts").write_text("")
        self._process = subprocess.Popen(
            ["baresip", "-f", str(self.home)],
            stdin=subprocess.DEVNULL,
            stdout=(self.home / "baresip.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):  # until the control socket accepts (baresip starts in ~50 ms)
            try:
                self._reader, self._writer = await asyncio.open_connection(
                    "127.0.0.1", self._ctrl_port
                )
                break
            except OSError:
                if self._process.poll() is not None:
                    raise RuntimeError(f"baresip exited: {self.log()}") from None
                await asyncio.sleep(0.05)
        else:
            raise RuntimeError(f"baresip's control socket did not open: {self.log()}")
        self._pump = asyncio.ensure_future(self._read())

    def log(self) -> str:
        """baresip's output so far (for failure messages)."""
        return (self.home / "baresip.log").read_text(errors="replace")[-3000:]

    async def _read(self) -> None:
        assert self._reader is not None
        while True:
            try:
                length = await self._reader.readuntil(b":")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            data = await self._reader.readexactly(int(length[:-1]) + 1)
            message = json.loads(data[:-1])
            if message.get("event"):
                self.events.append(message)
                self._event_queue.put_nowait(message)
            else:
                self._responses.put_nowait(message)

    async def command(self, command: str, params: str = "") -> dict[str, Any]:
        """Run one baresip command (``dial``, ``hangup``, ``sndcode``) and return its answer."""
        assert self._writer is not None
        self._token += 1
        body = json.dumps({"command": command, "params": params, "token": str(self._token)})
        self._writer.write(f"{len(body)}:{body},".encode())
        await self._writer.drain()
        return await asyncio.wait_for(self._responses.get(), 10)

    async def wait_event(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next event of ``kind`` (``CALL_ESTABLISHED``, ``CALL_CLOSED``…)."""

        async def find() -> dict[str, Any]:
            while True:
                event = await self._event_queue.get()
                if event.get("type") == kind:
                    return event

        return await asyncio.wait_for(find(), timeout)

    def heard(self) -> Path:
        """The WAV of what baresip heard on its (one) call."""
        files = sorted(self.recordings.glob("dump-*-dec.wav"))
        if len(files) != 1:
            raise AssertionError(f"expected one recording, found {files}")
        return files[0]

    async def stop(self) -> None:
        """Quit baresip and wait for it (so its recordings are complete)."""
        if self._writer is not None:
            self._writer.close()
        if self._pump is not None:
            self._pump.cancel()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            await asyncio.get_running_loop().run_in_executor(None, self._process.wait, 10)


def wav_pcm(path: Path) -> bytes:
    """The samples of a 16-bit mono WAV."""
    with wave.open(str(path), "rb") as wav:
        return wav.readframes(wav.getnframes())
