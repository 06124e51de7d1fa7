"""What the kiosk page really plays: a listener on every output AudioContext, installed before
the page's own script runs.

Every node the page connects to its context's destination is also connected to one analyser
(the analyser leads into a zero gain, so nothing is heard twice). A watcher samples the
analyser every few milliseconds from the audio thread's latest output and notes when sound was
last heard, and the ``timeStamp`` of the last real ``pointerdown`` (the moment the browser
received the touch). So a test can ask "when did the speaker actually go quiet after the
touch?" across real events, not inside one JavaScript task.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

INIT_SCRIPT = """
(() => {
  const probe = { analysers: [], heardAt: null, touchedAt: null, polls: 0 };
  window.audioProbe = probe;
  const connect = AudioNode.prototype.connect;
  AudioNode.prototype.connect = function (target, ...rest) {
    if (target instanceof AudioDestinationNode) {
      const context = target.context;
      if (!context.probeAnalyser) {
        const analyser = context.createAnalyser();
        analyser.fftSize = 2048;
        const mute = context.createGain();
        mute.gain.value = 0;
        connect.call(analyser, mute);
        connect.call(mute, target);
        context.probeAnalyser = analyser;
        probe.analysers.push(analyser);
      }
      connect.call(this, context.probeAnalyser);
    }
    return connect.call(this, target, ...rest);
  };
  const samples = new Float32Array(2048);
  probe.loud = () => probe.analysers.some((analyser) => {
    analyser.getFloatTimeDomainData(samples);
    return samples.some((value) => Math.abs(value) > 1e-4);
  });
  setInterval(() => {
    probe.polls++;
    if (probe.loud()) probe.heardAt = performance.now();
  }, 4);
  window.addEventListener("pointerdown", (event) => {
    if (event.isTrusted) probe.touchedAt = event.timeStamp;
  }, true);
})();
"""


def install(page: Page) -> None:
    """Listen to everything ``page`` will play (call before ``page.goto``)."""
    page.add_init_script(INIT_SCRIPT)


def wait_until_heard(page: Page, *, timeout_ms: float = 30_000) -> None:
    """Wait until the speaker is playing sound right now."""
    page.wait_for_function("() => window.audioProbe.loud()", timeout=timeout_ms)


def wait_until_quiet(page: Page, *, quiet_ms: float, timeout_ms: float = 10_000) -> dict[str, Any]:
    """Wait until no sound was heard for ``quiet_ms``; the probe's ``heardAt``, ``touchedAt``
    and ``polls`` then."""
    page.wait_for_function(
        f"""() => {{ const p = window.audioProbe;
                    return p.heardAt !== null && performance.now() - p.heardAt >= {quiet_ms}; }}""",
        timeout=timeout_ms,
    )
    return page.evaluate(
        "({heardAt: audioProbe.heardAt, touchedAt: audioProbe.touchedAt, polls: audioProbe.polls})"
    )
