"""``banshi nlu-patterns``: the NLU pattern files made from the platform's reference lists.

    banshi nlu-patterns [--platform-url URL] [--client-key KEY] [--output DIR]

The districts, schools and agency points are fetched with the platform client
(``GET /v1/districts``, ``GET /v1/schools``, ``GET /v1/agency-points?district=``) and handed as
plain lists, with the province's own names of ``nlu_data/place_names.yml``, to
:func:`nlu.patterns.write_all`, which writes ``nlu_data/patterns/*.jsonl``,
``nlu_data/lookups.yml`` and ``nlu_data/jieba/entities.txt`` under ``--output`` (the
project, by default). Retrain afterwards (``banshi train``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from banshi import paths
from nlu import patterns
from platform_client import PlatformClient, PlatformError, PlatformUnavailable


async def fetch_lists(client: PlatformClient) -> patterns.ReferenceLists:
    """The platform's districts, schools and agency points, in the platform's order."""
    districts = [district.name for district in await client.districts()]
    schools = [patterns.School(s.name, s.district) for s in await client.schools()]
    points = [
        patterns.AgencyPoint(point.name, district, point.kind)
        for district in districts
        for point in await client.agency_points(district=district)
    ]
    return patterns.ReferenceLists(districts=districts, schools=schools, agency_points=points)


async def generate(
    platform_url: str, client_key: str, output: Path, place_names: Path
) -> list[Path]:
    """Fetch the lists from the platform and write the files under ``output``."""
    places = patterns.read_place_names(place_names)
    client = PlatformClient(platform_url, client_key, read_timeout_s=10.0)
    try:
        lists = await fetch_lists(client)
    finally:
        await client.aclose()
    return patterns.write_all(output, lists, places)


def cmd_nlu_patterns(args: argparse.Namespace, settings: Any) -> int:
    """Write the pattern files from the platform's lists; 1 when the platform cannot give them."""
    url = args.platform_url or settings.effective_platform_url
    key = args.client_key if args.client_key is not None else settings.platform_client_key
    if not key.strip():
        print(
            "banshi nlu-patterns: no client key: give --client-key or set "
            "BANSHI_PLATFORM_CLIENT_KEY",
            file=sys.stderr,
        )
        return 2
    try:
        written = asyncio.run(generate(url, key, args.output.resolve(), args.place_names))
    except PlatformUnavailable as error:
        print(f"banshi nlu-patterns: cannot reach the platform at {url}: {error}", file=sys.stderr)
        return 1
    except PlatformError as error:
        print(
            f"banshi nlu-patterns: the platform at {url} refused: {error.code} ({error.message})",
            file=sys.stderr,
        )
        return 1
    except (OSError, patterns.PlaceNamesError) as error:
        print(f"banshi nlu-patterns: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print("retrain the model (`banshi train`) to use them")
    return 0


def register(subparsers: Any, settings: Callable[[], Any]) -> None:
    """Add the ``nlu-patterns`` command to the ``banshi`` parser."""
    command = subparsers.add_parser(
        "nlu-patterns", help="write the NLU pattern files from the platform's reference lists"
    )
    command.add_argument(
        "--platform-url",
        metavar="URL",
        help="the platform's base URL (default: BANSHI_PLATFORM_URL or the sandbox)",
    )
    command.add_argument(
        "--client-key",
        metavar="KEY",
        help="the platform client key (default: BANSHI_PLATFORM_CLIENT_KEY)",
    )
    command.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        default=paths.ROOT,
        help="write DIR/nlu_data/… (default: the project)",
    )
    command.add_argument(
        "--place-names",
        metavar="FILE",
        type=Path,
        default=patterns.PLACE_NAMES_FILE,
        help="the province's own place names (default: nlu_data/place_names.yml)",
    )
    command.set_defaults(func=lambda args: cmd_nlu_patterns(args, settings()))
