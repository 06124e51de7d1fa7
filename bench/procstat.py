"""What the kernel says about a started process and its children: CPU seconds, memory, open
files and sockets (``/proc``, Linux only). Used by the load and soak benchmarks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Usage:
    """One reading of a process tree."""

    cpu_s: float
    rss_bytes: int
    open_files: int
    sockets: int


def _stat(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    return text[text.rindex(")") + 2 :].split()


def tree(pid: int) -> list[int]:
    """``pid`` and every descendant alive now."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _descriptors(pid: int) -> list[str]:
    """What each open descriptor of ``pid`` points to (one closed meanwhile is left out)."""
    links = []
    try:
        entries = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return []
    for entry in entries:
        try:
            links.append(os.readlink(entry))
        except OSError:
            continue
    return links


def usage(pid: int) -> Usage:
    """CPU (user + system, children that exited included), resident memory, descriptors."""
    cpu = rss = files = sockets = 0.0
    for member in tree(pid):
        fields = _stat(member)
        if fields is None:
            continue
        # After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14) … rss(21)
        cpu += sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS
        rss += int(fields[21]) * PAGE
        for link in _descriptors(member):
            files += 1
            sockets += link.startswith("socket:")
    return Usage(round(cpu, 2), int(rss), int(files), int(sockets))
