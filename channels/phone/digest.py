"""HTTP digest authentication for SIP (RFC 2617 as used by RFC 3261 §22), MD5 with qop=auth.

Only the client side: the user agent answers a registrar's challenge. MD5 is what PBXes ask of
SIP accounts; the password itself never crosses the wire nor reaches a log.
"""

from __future__ import annotations

import hashlib
import re
import secrets

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


class DigestError(ValueError):
    """A challenge this client cannot answer (another algorithm, no nonce)."""


def parse_challenge(header: str) -> dict[str, str]:
    """The parameters of a ``WWW-Authenticate``/``Proxy-Authenticate: Digest ...`` value."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        raise DigestError(f"scheme {scheme!r} is not Digest")
    params = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _PARAM.finditer(rest)
    }
    if "nonce" not in params or "realm" not in params:
        raise DigestError("challenge without realm or nonce")
    if params.get("algorithm", "MD5").upper() != "MD5":
        raise DigestError(f"algorithm {params['algorithm']} is not supported (MD5 only)")
    return params


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def authorization(
    challenge: dict[str, str],
    *,
    method: str,
    uri: str,
    user: str,
    password: str,
    nc: int = 1,
    cnonce: str | None = None,
) -> str:
    """The ``Authorization`` value answering ``challenge`` for ``method`` on ``uri``."""
    realm, nonce = challenge["realm"], challenge["nonce"]
    ha1 = _md5(f"{user}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    parts = [
        f'username="{user}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        "algorithm=MD5",
    ]
    if "auth" in qops:
        cnonce = cnonce or secrets.token_hex(8)
        count = f"{nc:08x}"
        digest = _md5(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
        parts += [f'response="{digest}"', "qop=auth", f"nc={count}", f'cnonce="{cnonce}"']
    elif qops:
        raise DigestError(f"qop {qops} is not supported (auth only)")
    else:
        parts.append(f'response="{_md5(f"{ha1}:{nonce}:{ha2}")}"')
    if "opaque" in challenge:
        parts.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(parts)
