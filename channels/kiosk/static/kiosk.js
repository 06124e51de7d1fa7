// Kiosk page: voice and touch in, text and speech out, over one WebSocket (/kiosk/ws).
// Protocol: channels/kiosk/protocol.py. Accessibility: ACCESSIBILITY.md K1–K12.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const main = $("main");
  const log = $("log");
  const statusBox = $("status");
  const alertBox = $("alert");
  const options = $("options");
  const mic = $("mic");
  const micLabel = $("mic-label");
  const handsfreeButton = $("handsfree");
  const voiceBox = $("voice");
  const slowerButton = $("slower");
  const idlePanel = $("idle");
  const idleCount = $("idle-count");
  const form = $("form");
  const input = $("text");
  const WHO = { bot: "小助手", staff: "工作人员", system: "系统提示", citizen: "我" };
  const START_OPTIONS = [
    { title: "交学费", payload: "交学费" },
    { title: "查养老金", payload: "查养老金" },
    { title: "我能办什么", payload: "我能办什么" },
  ];
  const CAPTURE_RATE = 16000;
  const BARGE_IN_LEVEL = 1500; // RMS, 16-bit units
  const BARGE_IN_FRAMES = 3; // 3 × 20 ms

  // Counters for tests and diagnostics (no personal data).
  const stats = {
    connects: 0, listenStarts: 0, framesSent: 0, transcripts: 0, messages: 0,
    audioStarts: 0, audioChunks: 0, audioSamples: 0, sourcesEnded: 0, bargeIns: 0,
    lastBargeInMs: null, lastBargeInWhy: null, voiceBargeInLatencyMs: null,
    lastTranscriptAt: null, firstAudioAfterTranscriptMs: null, resets: 0, playing: false,
    welcomesSpoken: 0, droppedMessages: 0,
  };
  window.kioskStats = stats;

  let ws = null;
  let ready = null; // the last "ready" message
  let voiceInput = "unavailable";
  let listening = false;
  let handsfree = false;
  let pressStarted = 0;
  let engaged = false;
  let lastActivity = Date.now();
  let warningUntil = 0;
  let reconnectDelay = 500;
  let conversationId = null; // the conversation on screen; null while a reset is on its way
  let welcomeName = null; // the greeting on screen (a prompt name)
  let speakWelcome = true; // say the greeting when it is next shown (not after an idle reset)

  // ------------------------------------------------------------------ socket
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/kiosk/ws");
    ws.binaryType = "arraybuffer";
    ws.onopen = () => { stats.connects++; reconnectDelay = 500; };
    ws.onmessage = (event) => {
      if (typeof event.data === "string") onMessage(JSON.parse(event.data));
      else onAudio(event.data);
    };
    ws.onclose = () => {
      setListening(false);
      stopPlayback(false);
      showAlert("网络断开了，正在重新连接…");
      setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 8000);
    };
  }

  function send(message) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }

  function onMessage(m) {
    switch (m.type) {
      case "ready": return onReady(m);
      case "voice_status": return setVoiceInput(m.voice_input, m.voice_message, m.welcome);
      case "listening": return;
      case "speech_started": touch(); return stopPlayback(true, "voice");
      case "partial": touch(); statusBox.textContent = "听到：" + m.text; return;
      case "transcript": return onTranscript(m);
      case "messages": return onMessages(m);
      case "audio_start": return onAudioStart(m);
      case "audio_end": return onAudioEnd(m);
      case "rate": return setSlow(m.slow, false);
      case "error": return onError(m);
    }
  }

  function onReady(m) {
    ready = m;
    conversationId = m.conversation_id;
    alertBox.textContent = "";
    setVoiceInput(m.voice_input, m.voice_message);
    setSlow(m.slow, false);
    if (!log.childElementCount) showWelcome(m.welcome);
    if (!options.childElementCount) showOptions(START_OPTIONS);
    reveal();
  }

  // The greeting: shown with its 再听一遍, and said aloud when the screen opens or after
  // "办完了" (after an inactivity reset nobody is there to hear it).
  function showWelcome(name) {
    welcomeName = name;
    addMessage("bot", ready.prompts[name], { prompt: name });
    if (speakWelcome) {
      stats.welcomesSpoken++;
      send({ type: "prompt", name: name });
    }
    speakWelcome = true;
  }

  // Without voice input the microphone controls are gone and the greeting says how to use
  // the screen by touch and typing (a model that failed to load changes the greeting too,
  // while nobody has started).
  function setVoiceInput(status, message, welcome) {
    voiceInput = status;
    voiceBox.hidden = status === "unavailable";
    mic.disabled = status !== "ready";
    handsfreeButton.disabled = status !== "ready";
    input.placeholder = status === "unavailable" ? "请在这里打字，比如：交学费" : "也可以打字，比如：交学费";
    if (status === "loading") {
      micLabel.textContent = "语音准备中";
      statusBox.textContent = message || "";
      statusBox.dataset.voice = "1";
    } else {
      micLabel.textContent = "按下说话";
      if (statusBox.dataset.voice) statusBox.textContent = "";
      delete statusBox.dataset.voice;
    }
    if (welcome && welcomeName && welcome !== welcomeName && !engaged) {
      log.replaceChildren();
      showWelcome(welcome);
      reveal();
    }
  }

  // ------------------------------------------------------------------ the conversation on screen
  // ``ref``: {seq} of a stored message or {prompt} of a fixed prompt; either can be heard again.
  function addMessage(party, text, ref) {
    const seq = ref && ref.seq !== undefined && ref.seq !== null ? ref.seq : null;
    const prompt = ref && ref.prompt ? ref.prompt : null;
    const item = document.createElement("div");
    item.className = "msg " + party;
    if (seq !== null) item.dataset.seq = String(seq);
    if (prompt !== null) item.dataset.prompt = prompt;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = WHO[party] || party;
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    item.append(who, body);
    if (party !== "citizen" && (seq !== null || prompt !== null)) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "again";
      again.textContent = "再听一遍";
      const request = seq !== null ? { type: "speak", seq: seq } : { type: "prompt", name: prompt };
      again.addEventListener("click", () => { unlockAudio(); send(request); });
      item.append(again);
    }
    log.append(item);
    return item;
  }

  // Bring the newest message, the quick replies under it and the status line into view, with
  // as much of the conversation before it as fits (when they do not fit, the newest message's
  // start). The conversation scrolls inside <main> (or, on a screen too small for fixed bars,
  // the whole page does).
  function reveal() {
    const target = log.lastElementChild;
    if (!target) return;
    const own = getComputedStyle(main).overflowY !== "visible";
    const view = own ? main.getBoundingClientRect() : { top: 0, height: window.innerHeight };
    const last = alertBox.textContent ? alertBox : statusBox;
    const top = target.getBoundingClientRect().top - view.top - 8;
    const end = last.getBoundingClientRect().bottom - view.top + 8;
    const low = end - view.height;
    let by = 0;
    if (low > top) by = top; // taller than the view: its start first
    else if (low > 0) by = low;
    else if (top < 0) by = top;
    if (!by) return;
    if (own) main.scrollTop += by;
    else window.scrollBy(0, by);
  }

  function showOptions(buttons) {
    options.replaceChildren();
    for (const button of (buttons || []).slice(0, 5)) {
      const el = document.createElement("button");
      el.type = "button";
      el.textContent = button.title;
      el.addEventListener("click", () => sendText(button.payload || button.title, button.title));
      options.append(el);
    }
  }

  function showAlert(text) { alertBox.textContent = text; }

  function sendText(text, shown) {
    text = (text || "").trim();
    if (!text) return;
    unlockAudio();
    engaged = true;
    alertBox.textContent = "";
    addMessage("citizen", shown || text);
    reveal();
    statusBox.textContent = "正在处理，请稍等…";
    send({ type: "text", text: text });
  }

  function onTranscript(m) {
    stats.transcripts++;
    stats.lastTranscriptAt = performance.now();
    stats.firstAudioAfterTranscriptMs = null;
    setListening(false);
    touch();
    if (m.text) {
      engaged = true;
      addMessage("citizen", m.text);
      reveal();
      statusBox.textContent = "正在处理，请稍等…";
    } else {
      statusBox.textContent = "";
    }
    // Hands-free: listen again at once, so that speaking over the reply interrupts it.
    if (handsfree) startListening(false);
  }

  function onMessages(m) {
    if (m.conversation_id !== conversationId) {
      stats.droppedMessages += m.messages.length; // the last person's, after "办完了"
      return;
    }
    stats.messages += m.messages.length;
    statusBox.textContent = m.mode && m.mode !== "bot" ? "已为您转接工作人员，请稍等。" : "";
    let buttons = null;
    for (const message of m.messages) {
      addMessage(message.from, message.text, { seq: message.seq });
      if (message.buttons && message.buttons.length) buttons = message.buttons;
    }
    if (m.messages.length) showOptions(buttons);
    reveal();
    touch();
  }

  function onError(m) {
    showAlert(m.message);
    if (statusBox.textContent.startsWith("正在处理")) statusBox.textContent = "";
    setListening(false);
    reveal();
  }

  // ------------------------------------------------------------------ speech out
  // Messages are spoken one after another: each audio stream (audio_start … audio_end) is
  // scheduled after the end of the one before, on one output AudioContext.
  let playCtx = null;
  let current = null; // the stream receiving audio: {id, seq, rate, sources, ended}
  const streams = new Map(); // id → stream, until its last buffer has played
  const cancelled = new Set();
  let queueEnd = 0;
  let playingSince = 0;

  function unlockAudio() {
    if (!playCtx) playCtx = new AudioContext();
    if (playCtx.state === "suspended") playCtx.resume();
  }

  function isPlaying() { return streams.size > 0; }

  function onAudioStart(m) {
    unlockAudio();
    stats.audioStarts++;
    if (!isPlaying()) playingSince = performance.now();
    current = {
      id: m.id, seq: m.seq, prompt: m.prompt || null, rate: m.sample_rate, sources: [], ended: false,
    };
    streams.set(m.id, current);
    stats.playing = true;
    markSpeaking();
  }

  function onAudio(data) {
    if (!current || cancelled.has(current.id) || !playCtx) return;
    const pcm = new Int16Array(data);
    if (!pcm.length) return;
    if (stats.firstAudioAfterTranscriptMs === null && stats.lastTranscriptAt !== null) {
      stats.firstAudioAfterTranscriptMs = performance.now() - stats.lastTranscriptAt;
    }
    const buffer = playCtx.createBuffer(1, pcm.length, current.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) channel[i] = pcm[i] / 32768;
    const source = playCtx.createBufferSource();
    source.buffer = buffer;
    source.connect(playCtx.destination);
    const start = Math.max(playCtx.currentTime + 0.03, queueEnd);
    source.start(start);
    queueEnd = start + buffer.duration;
    const stream = current;
    stream.sources.push(source);
    stats.audioChunks++;
    stats.audioSamples += pcm.length;
    source.onended = () => {
      stats.sourcesEnded++;
      stream.sources = stream.sources.filter((s) => s !== source);
      if (!stream.sources.length && stream.ended) finished(stream);
    };
  }

  function onAudioEnd(m) {
    const stream = streams.get(m.id);
    if (!stream) return;
    stream.ended = true;
    if (current === stream) current = null;
    if (!stream.sources.length) finished(stream);
  }

  function finished(stream) {
    streams.delete(stream.id);
    markSpeaking();
    stats.playing = isPlaying();
    touch();
    if (!isPlaying() && handsfree && !listening && voiceInput === "ready") startListening(false);
  }

  // One message at a time is outlined as speaking: the one being heard now. Streams play one
  // after another in the order they arrived, so that is the oldest one not yet finished.
  function markSpeaking() {
    let item = null;
    const stream = streams.values().next().value;
    if (stream && stream.seq !== null && stream.seq !== undefined) {
      item = log.querySelector('.msg[data-seq="' + stream.seq + '"]');
    } else if (stream && stream.prompt) {
      item = log.querySelector('.msg[data-prompt="' + stream.prompt + '"]');
    }
    for (const other of log.querySelectorAll(".msg.speaking")) {
      if (other !== item) other.classList.remove("speaking");
    }
    if (item) item.classList.add("speaking");
  }

  // Barge-in: stop everything playing or queued now, and tell the server to stop sending.
  function stopPlayback(tellServer, why) {
    if (!isPlaying()) return;
    for (const stream of streams.values()) {
      cancelled.add(stream.id);
      for (const source of stream.sources) {
        try { source.stop(); } catch (error) { /* already stopped */ }
      }
    }
    streams.clear();
    markSpeaking();
    current = null;
    queueEnd = 0;
    stats.playing = false;
    if (why) {
      const now = performance.now();
      stats.bargeIns++;
      stats.lastBargeInMs = now;
      stats.lastBargeInWhy = why;
      // V7: from the moment the person's voice overlapped the speech to the stop.
      if (why === "voice" && loudRun > 0) {
        stats.voiceBargeInLatencyMs = now - Math.max(loudSince, playingSince);
      }
    }
    if (tellServer) send({ type: "stop_audio" });
  }

  // ------------------------------------------------------------------ speech in
  let micStream = null;
  let capCtx = null;
  let worklet = null;
  let loudRun = 0;
  let loudSince = 0;

  async function ensureMic() {
    if (worklet) return;
    micStream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    try {
      capCtx = new AudioContext({ sampleRate: CAPTURE_RATE });
    } catch (error) {
      capCtx = new AudioContext(); // the server converts any supported rate on arrival
    }
    await capCtx.audioWorklet.addModule("/kiosk/static/mic-worklet.js");
    const source = capCtx.createMediaStreamSource(micStream);
    worklet = new AudioWorkletNode(capCtx, "pcm-capture", {
      processorOptions: { frameSamples: Math.round(capCtx.sampleRate / 50) },
    });
    const mute = capCtx.createGain();
    mute.gain.value = 0;
    source.connect(worklet);
    worklet.connect(mute).connect(capCtx.destination);
    worklet.port.onmessage = (event) => {
      const level = event.data.level;
      if (level > BARGE_IN_LEVEL) {
        if (loudRun++ === 0) loudSince = performance.now();
        if (listening && isPlaying() && loudRun >= BARGE_IN_FRAMES) stopPlayback(true, "voice");
      } else {
        loudRun = 0;
      }
      if (listening && ws && ws.readyState === WebSocket.OPEN) {
        ws.send(event.data.pcm);
        stats.framesSent++;
      }
    };
  }

  // ``interrupt``: the person pressed the button, which stops the speech (hands-free
  // listening starts without interrupting; speaking over the reply does that).
  async function startListening(interrupt) {
    if (voiceInput !== "ready" || listening) return;
    unlockAudio();
    if (interrupt !== false) stopPlayback(true, "touch");
    try {
      await ensureMic();
      if (capCtx.state === "suspended") await capCtx.resume();
    } catch (error) {
      showAlert("没有找到麦克风，请用文字或点按钮。");
      return;
    }
    alertBox.textContent = "";
    send({ type: "listen", sample_rate: capCtx.sampleRate, mode: handsfree ? "handsfree" : "ptt" });
    stats.listenStarts++;
    setListening(true);
  }

  function stopListening() {
    if (!listening) return;
    send({ type: "stop_listening" });
    setListening(false);
    statusBox.textContent = "正在识别，请稍等…";
  }

  function setListening(on) {
    listening = on;
    mic.classList.toggle("listening", on);
    mic.setAttribute("aria-pressed", String(on));
    if (voiceInput === "ready") micLabel.textContent = on ? "正在听…说完停一下" : "按下说话";
    if (on) statusBox.textContent = "请说话，我在听。";
  }

  // Press and hold (released after 0.7 s) ends the utterance on release; a short tap keeps
  // listening until the speaker pauses. Keyboard: Enter or Space toggles.
  mic.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    pressStarted = performance.now();
    if (listening) stopListening();
    else startListening();
  });
  mic.addEventListener("pointerup", () => {
    if (listening && performance.now() - pressStarted > 700) stopListening();
  });
  mic.addEventListener("click", (event) => {
    if (event.detail !== 0) return; // pointer clicks were handled above
    if (listening) stopListening();
    else startListening();
  });
  handsfreeButton.addEventListener("click", () => {
    handsfree = !handsfree;
    handsfreeButton.setAttribute("aria-pressed", String(handsfree));
    if (handsfree) startListening();
    else if (listening) { send({ type: "cancel_listening" }); setListening(false); statusBox.textContent = ""; }
  });

  // ------------------------------------------------------------------ controls
  function setSlow(on, tellServer) {
    slowerButton.setAttribute("aria-pressed", String(!!on));
    if (tellServer) send({ type: "rate", slow: !!on });
  }
  slowerButton.addEventListener("click", () => {
    setSlow(slowerButton.getAttribute("aria-pressed") !== "true", true);
  });
  $("bigger").addEventListener("click", (event) => {
    const on = document.documentElement.classList.toggle("big");
    event.currentTarget.setAttribute("aria-pressed", String(on));
    reveal(); // larger text moves the newest reply down: keep it in view
  });
  window.addEventListener("resize", () => reveal());
  // "办完了": the screen is cleared at once, the server starts a new conversation.
  $("finish").addEventListener("click", () => {
    resetScreen(true);
    statusBox.textContent = "已清除刚才的对话。";
  });
  $("human").addEventListener("click", () => sendText("转人工", "转人工"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    sendText(text);
  });

  // Touching anything, or a key, stops the speech (K10) and counts as activity (K6).
  document.addEventListener("pointerdown", (event) => {
    touch();
    if (event.target.closest && event.target.closest(".again")) return;
    stopPlayback(true, "touch");
  }, true);
  document.addEventListener("keydown", () => { touch(); stopPlayback(true, "touch"); }, true);

  // ------------------------------------------------------------------ inactivity (K6)
  function touch() {
    lastActivity = Date.now();
    if (!idlePanel.hidden) hideWarning();
  }

  function showWarning() {
    const seconds = ready ? ready.warning_s : 30;
    warningUntil = Date.now() + seconds * 1000;
    idleCount.textContent = String(Math.ceil(seconds));
    idlePanel.hidden = false;
    reveal();
    send({ type: "prompt", name: "idle_warning" });
    $("stay").focus({ preventScroll: true });
  }

  function hideWarning() {
    idlePanel.hidden = true;
    warningUntil = 0;
  }

  // A new person: nothing of the last one stays on the screen. ``finished``: they pressed
  // "办完了" (and the next person hears the greeting); otherwise nobody was there.
  function resetScreen(finished) {
    stats.resets++;
    conversationId = null;
    welcomeName = null;
    speakWelcome = !!finished;
    hideWarning();
    stopPlayback(true);
    if (listening) send({ type: "cancel_listening" });
    setListening(false);
    handsfree = false;
    handsfreeButton.setAttribute("aria-pressed", "false");
    document.documentElement.classList.remove("big");
    $("bigger").setAttribute("aria-pressed", "false");
    log.replaceChildren();
    options.replaceChildren();
    statusBox.textContent = "";
    alertBox.textContent = "";
    input.value = "";
    engaged = false;
    send({ type: "reset" }); // the server starts a new conversation and answers "ready"
  }

  $("stay").addEventListener("click", () => { hideWarning(); touch(); });

  setInterval(() => {
    if (!ready || !engaged) return;
    const now = Date.now();
    if (warningUntil) {
      const left = Math.max(0, Math.ceil((warningUntil - now) / 1000));
      idleCount.textContent = String(left);
      if (left <= 0) resetScreen(false);
      return;
    }
    if (!listening && !isPlaying() && now - lastActivity >= ready.idle_s * 1000) showWarning();
  }, 250);

  connect();
})();
