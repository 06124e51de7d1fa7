"""A few Prometheus metrics of the gateway, in the text exposition format.

No personal data is ever a label: labels are channels, codes and outcomes only.
"""

from __future__ import annotations

import threading
from collections import defaultdict

_BUCKETS_S = (0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Counters and one latency histogram, rendered by :meth:`render`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._turns: dict[tuple[str, str], int] = defaultdict(int)
        self._errors: dict[str, int] = defaultdict(int)
        self._responses: dict[str, int] = defaultdict(int)
        self._bucket_counts = [0] * len(_BUCKETS_S)
        self._latency_sum = 0.0
        self._latency_count = 0

    def turn(self, channel: str, outcome: str, seconds: float) -> None:
        """Count one user turn and its latency."""
        with self._lock:
            self._turns[(channel, outcome)] += 1
            self._latency_sum += seconds
            self._latency_count += 1
            for index, bound in enumerate(_BUCKETS_S):
                if seconds <= bound:
                    self._bucket_counts[index] += 1

    def error(self, code: str) -> None:
        """Count one error answer by code."""
        with self._lock:
            self._errors[code] += 1

    def response(self, status: int) -> None:
        """Count one HTTP answer by its status class (``2xx`` … ``5xx``)."""
        with self._lock:
            self._responses[f"{status // 100}xx"] += 1

    def render(self) -> str:
        """The metrics in Prometheus text format."""
        lines = [
            "# HELP banshi_turns_total User turns handled by the gateway.",
            "# TYPE banshi_turns_total counter",
        ]
        with self._lock:
            for (channel, outcome), count in sorted(self._turns.items()):
                lines.append(
                    f'banshi_turns_total{{channel="{channel}",outcome="{outcome}"}} {count}'
                )
            lines += [
                "# HELP banshi_errors_total Error answers by code.",
                "# TYPE banshi_errors_total counter",
            ]
            for code, count in sorted(self._errors.items()):
                lines.append(f'banshi_errors_total{{code="{code}"}} {count}')
            lines += [
                "# HELP banshi_gateway_responses_total HTTP answers by status class.",
                "# TYPE banshi_gateway_responses_total counter",
            ]
            for status_class in ("2xx", "3xx", "4xx", "5xx"):
                count = self._responses.get(status_class, 0)
                lines.append(f'banshi_gateway_responses_total{{class="{status_class}"}} {count}')
            lines += [
                "# HELP banshi_turn_seconds Time to answer a user turn.",
                "# TYPE banshi_turn_seconds histogram",
            ]
            for bound, count in zip(_BUCKETS_S, self._bucket_counts, strict=False):
                lines.append(f'banshi_turn_seconds_bucket{{le="{bound}"}} {count}')
            lines.append(f'banshi_turn_seconds_bucket{{le="+Inf"}} {self._latency_count}')
            lines.append(f"banshi_turn_seconds_sum {self._latency_sum:.6f}")
            lines.append(f"banshi_turn_seconds_count {self._latency_count}")
        return "\n".join(lines) + "\n"
