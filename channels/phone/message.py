"""SIP messages on the wire (RFC 3261 §7): parsing a datagram, building requests and responses.

Parsing is strict about what the user agent relies on (a start line, Via, From, To, Call-ID,
CSeq, a Content-Length that fits) and lenient about the rest. A message that fails is reported
with :class:`SipParseError`, which says whether enough was read to answer ``400`` to it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

COMPACT = {
    "v": "via",
    "f": "from",
    "t": "to",
    "i": "call-id",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "k": "supported",
    "s": "subject",
    "e": "content-encoding",
    "o": "event",
    "r": "refer-to",
    "b": "referred-by",
}
"""RFC 3261 §7.3.3 compact header names and their long forms (lower case)."""

REQUIRED = ("via", "from", "to", "call-id", "cseq")
"""Headers without which a request cannot be answered or matched."""

MAX_DATAGRAM = 65507
REASONS = {
    100: "Trying",
    180: "Ringing",
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    481: "Call/Transaction Does Not Exist",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    491: "Request Pending",
    500: "Server Internal Error",
    503: "Service Unavailable",
}
_REQUEST_LINE = re.compile(r"^([A-Za-z]+) (\S+) SIP/2\.0$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$")
_CSEQ = re.compile(r"^(\d{1,10})\s+([A-Za-z]+)$")


class SipParseError(ValueError):
    """A datagram that is no usable SIP message; ``message`` is set when what was read is
    enough to answer ``400 Bad Request`` to it."""

    def __init__(self, reason: str, message: SipMessage | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


@dataclass
class SipMessage:
    """One request or response: the start line's parts, headers in order, the body."""

    method: str = ""
    """The request's method; empty for a response."""
    uri: str = ""
    status: int = 0
    """The response's status code; 0 for a request."""
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    """(name as written, value), in order; repeated headers appear once each."""
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        """Whether this is a request (else a response)."""
        return bool(self.method)

    def get(self, name: str) -> str | None:
        """The first value of header ``name`` (any case, compact forms too), or None."""
        values = self.get_all(name)
        return values[0] if values else None

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name``, comma-separated values of one header split."""
        wanted = name.lower()
        out: list[str] = []
        for key, value in self.headers:
            if COMPACT.get(key.lower(), key.lower()) == wanted:
                out.extend(split_commas(value) if wanted in _LIST_HEADERS else [value])
        return out

    def header(self, name: str) -> str:
        """The first value of a header the parser made sure is present."""
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    @property
    def call_id(self) -> str:
        """The Call-ID."""
        return self.header("call-id")

    @property
    def cseq(self) -> tuple[int, str]:
        """The CSeq number and method."""
        match = _CSEQ.match(self.header("cseq").strip())
        if match is None:
            raise KeyError("cseq")
        return int(match.group(1)), match.group(2).upper()

    @property
    def branch(self) -> str:
        """The top Via's branch parameter (the transaction id for RFC 3261 peers)."""
        return param(self.header("via"), "branch") or ""

    @property
    def from_tag(self) -> str:
        """The From header's tag."""
        return param(self.header("from"), "tag") or ""

    @property
    def to_tag(self) -> str:
        """The To header's tag (empty outside a dialog)."""
        return param(self.header("to"), "tag") or ""

    def encode(self) -> bytes:
        """The message as it goes on the wire, with a Content-Length that matches the body."""
        if self.is_request:
            lines = [f"{self.method} {self.uri} SIP/2.0"]
        else:
            lines = [f"SIP/2.0 {self.status} {self.reason}"]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() not in ("content-length", "l")]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


_LIST_HEADERS = {"via", "record-route", "route", "contact", "allow", "supported"}


def split_commas(value: str) -> list[str]:
    """A header value split at commas outside quotes and angle brackets."""
    parts: list[str] = []
    depth = 0
    quoted = False
    current: list[str] = []
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth -= 1
        if ch == "," and not quoted and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def param(value: str, name: str) -> str | None:
    """Header parameter ``name`` (``;tag=abc``) outside the angle-bracketed URI, or None;
    a parameter without value gives ""."""
    outside = value.rsplit(">", 1)[-1] if ">" in value else value
    for part in outside.split(";")[1:]:
        key, _, val = part.strip().partition("=")
        if key.lower() == name.lower():
            return val.strip()
    return None


def uri_of(value: str) -> str:
    """The URI inside a name-addr (``"Ann" <sip:1@h>;tag=x`` → ``sip:1@h``)."""
    if "<" in value:
        return value.split("<", 1)[1].split(">", 1)[0].strip()
    return value.split(";", 1)[0].strip()


def user_of(value: str) -> str:
    """The user part of a header's URI (``sip:13912345678@pbx`` → ``13912345678``)."""
    uri = uri_of(value)
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    return rest.split("@", 1)[0] if "@" in rest else ""


def host_port(uri: str, default_port: int = 5060) -> tuple[str, int]:
    """Host and port of a SIP URI (``sip:u@10.0.0.1:5070;lr`` → ``("10.0.0.1", 5070)``)."""
    rest = uri.split(":", 1)[1] if uri.lower().startswith(("sip:", "sips:")) else uri
    rest = rest.split("@", 1)[-1].split(";", 1)[0].split("?", 1)[0]
    if rest.startswith("["):
        host, _, tail = rest[1:].partition("]")
        return host, int(tail[1:]) if tail.startswith(":") else default_port
    host, _, port = rest.partition(":")
    return host, int(port) if port else default_port


def new_tag() -> str:
    """A random tag or Call-ID part."""
    return secrets.token_hex(8)


def new_branch() -> str:
    """A Via branch with the RFC 3261 magic cookie."""
    return "z9hG4bK" + secrets.token_hex(10)


def parse(data: bytes) -> SipMessage:
    """A datagram as a SIP message; raises :class:`SipParseError` when it is none."""
    if len(data) > MAX_DATAGRAM:
        raise SipParseError("datagram too large")
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SipParseError("head is not UTF-8") from error
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)  # RFC 3261 §7.5: CRLFs before the start line (keep-alives) are ignored
    if not lines:
        raise SipParseError("empty")
    message = SipMessage()
    start = lines[0].strip()
    if request := _REQUEST_LINE.match(start):
        message.method, message.uri = request.group(1).upper(), request.group(2)
    elif status := _STATUS_LINE.match(start):
        message.status, message.reason = int(status.group(1)), status.group(2)
    else:
        raise SipParseError("no SIP start line")
    bad = ""
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and message.headers:
            name, value = message.headers[-1]
            message.headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            bad = bad or line  # read on: the headers after it may make a 400 possible
            continue
        message.headers.append((name.strip(), value.strip()))
    if bad:
        raise SipParseError(f"bad header line {bad[:40]!r}", _answerable(message))
    missing = [name for name in REQUIRED if message.get(name) is None]
    if missing:
        raise SipParseError(f"missing {', '.join(missing)}", _answerable(message))
    try:
        _, method = message.cseq
    except KeyError as error:
        raise SipParseError("bad CSeq", _answerable(message)) from error
    if message.is_request and method != message.method and message.method != "ACK":
        raise SipParseError("CSeq method differs from the request's", message)
    length = message.get("content-length")
    if length is not None:
        if not length.isdigit() or int(length) > len(body):
            raise SipParseError("bad Content-Length", message)
        body = body[: int(length)]
    message.body = body
    return message


def _answerable(message: SipMessage) -> SipMessage | None:
    """``message`` when a 400 can be sent back for it (a request with the headers a response
    copies), else None."""
    complete = all(message.get(name) is not None for name in REQUIRED)
    return message if message.is_request and message.method != "ACK" and complete else None


def response(
    request: SipMessage,
    status: int,
    *,
    to_tag: str = "",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    received: tuple[str, int] | None = None,
) -> SipMessage:
    """The response to ``request`` (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq copied, a
    tag added to To unless it has one. ``received`` (the datagram's source) is noted on the
    top Via (``received``, ``rport``), where the response is sent."""
    out = SipMessage(status=status, reason=REASONS.get(status, "Unknown"))
    for index, via in enumerate(request.get_all("via")):
        if index == 0 and received is not None:
            via = _mark_received(via, received)
        out.headers.append(("Via", via))
    to = request.header("to")
    if to_tag and param(to, "tag") is None:
        to = f"{to};tag={to_tag}"
    out.headers += [
        ("From", request.header("from")),
        ("To", to),
        ("Call-ID", request.call_id),
        ("CSeq", request.header("cseq")),
    ]
    out.headers += headers or []
    out.body = body
    return out


def _mark_received(via: str, source: tuple[str, int]) -> str:
    """Via with ``received`` and a filled ``rport`` (RFC 3581) for the datagram's source."""
    parts = [
        p for p in via.split(";") if p.strip().split("=")[0].lower() not in ("received", "rport")
    ]
    return ";".join(parts) + f";received={source[0]};rport={source[1]}"
