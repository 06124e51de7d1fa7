// Microphone capture: turns the AudioContext's float samples into 16-bit PCM frames (20 ms
// each) for the WebSocket, with the frame's loudness for the page's barge-in detector.
"use strict";

class PcmCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    this.frame = opts.frameSamples || 320;
    this.buf = new Int16Array(this.frame);
    this.n = 0;
    this.sum = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const s = Math.max(-1, Math.min(1, channel[i]));
      this.buf[this.n++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      this.sum += s * s;
      if (this.n === this.frame) {
        const level = Math.sqrt(this.sum / this.frame) * 32768;
        this.port.postMessage({ pcm: this.buf.buffer, level: level }, [this.buf.buffer]);
        this.buf = new Int16Array(this.frame);
        this.n = 0;
        this.sum = 0;
      }
    }
    return true;
  }
}

registerProcessor("pcm-capture", PcmCapture);
