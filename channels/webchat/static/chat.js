// Web chat: greets at once, sends the citizen's text to /api/chat, shows every answer above the
// input bar, reads any answer aloud (听), polls for staff replies, and after a reload shows the
// conversation that is still going.
"use strict";
(function () {
  const root = document.documentElement;
  const header = document.querySelector("header.bar");
  const log = document.getElementById("log");
  const statusBox = document.getElementById("status");
  const alertBox = document.getElementById("alert");
  const options = document.getElementById("options");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
  const bigger = document.getElementById("bigger");
  const WHO = { bot: "小助手", staff: "工作人员（真人）", system: "提示", citizen: "我" };
  // The greeting and starting options shown before the first turn (the kiosk's three).
  const WELCOME = "您好！我是办事小助手。请点下面的按钮选您要办的事，也可以在最下面打字告诉我。";
  const START_OPTIONS = [
    { title: "交学费", payload: "交学费" },
    { title: "查养老金", payload: "查养老金" },
    { title: "我能办什么", payload: "我能办什么" },
  ];
  // Poll faster while a person is (or will be) answering, so a staff reply shows within a second.
  const POLL_MS = { bot: 2000, waiting: 500, human: 500 };
  const MODE_STATUS = { waiting: "正在为您转接工作人员，请稍等…", human: "工作人员正在为您服务" };
  const GAP = 8; // px kept between the newest answer and the header or the input bar
  const seen = new Set();
  let lastSeq = 0;
  let busy = false;
  let started = false;
  let mode = "bot";

  function setMode(next) {
    if (!next || next === mode) return;
    mode = next;
    document.body.dataset.mode = mode;
    if (!busy) statusBox.textContent = MODE_STATUS[mode] || "";
  }

  // The conversation this tab started: its id and the token the gateway gave with it. The
  // token is the only proof that the conversation is ours; it stays in this tab's session.
  const KEY = "banshi.conversation";
  function conversation() {
    try {
      const kept = JSON.parse(sessionStorage.getItem(KEY) || "null");
      if (kept && kept.id && kept.token) return kept;
    } catch (error) { /* a damaged entry: start again */ }
    return null;
  }
  function keep(id, token) { sessionStorage.setItem(KEY, JSON.stringify({ id: id, token: token })); }
  function forget() { sessionStorage.removeItem(KEY); }

  function newMessageId() {
    const random = crypto.randomUUID ? crypto.randomUUID()
      : String(Date.now()) + String(Math.random()).slice(2);
    return random.replace(/[^A-Za-z0-9]/g, "").slice(0, 32);
  }

  // One turn, sent again once with the same message id when the network failed: the gateway
  // answers a retry with the first answer and never handles the turn twice.
  async function post(body) {
    const current = conversation();
    const headers = { "Content-Type": "application/json" };
    if (current) {
      body.conversation_id = current.id;
      headers["X-Conversation-Token"] = current.token;
    }
    const request = { method: "POST", headers: headers, body: JSON.stringify(body) };
    try {
      return await fetch("/api/chat", request);
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return fetch("/api/chat", request);
    }
  }

  // ------------------------------------------------------------------ keeping the answer in view
  // The header and the input bar stick to the edges (unless the screen is too low, see
  // chat.css); scroll-padding keeps anything focused clear of them, and reveal() puts the
  // newest answer with its quick replies between them.
  function stuck(element) { return getComputedStyle(element).position === "sticky"; }
  function edges() {
    const top = stuck(header) ? header.getBoundingClientRect().bottom : 0;
    const bottom = stuck(form) ? form.getBoundingClientRect().top : window.innerHeight;
    return { top: top, bottom: bottom };
  }
  function measureBars() {
    root.style.setProperty("--head-h", (stuck(header) ? header.offsetHeight : 0) + "px");
    root.style.setProperty("--bar-h", (stuck(form) ? form.offsetHeight : 0) + "px");
  }
  function reveal() {
    const answers = log.querySelectorAll(".msg:not(.citizen)");
    const last = answers[answers.length - 1];
    if (!last) return;
    const view = edges();
    const top = last.getBoundingClientRect().top;
    let bottom = last.getBoundingClientRect().bottom;
    if (options.childElementCount) bottom = Math.max(bottom, options.getBoundingClientRect().bottom);
    if (alertBox.textContent) bottom = Math.max(bottom, alertBox.getBoundingClientRect().bottom);
    let delta = 0;
    if (bottom > view.bottom - GAP) delta = bottom - (view.bottom - GAP);
    if (top - delta < view.top + GAP) delta = top - (view.top + GAP); // a long answer: its start
    if (delta) window.scrollBy(0, delta);
  }

  // ------------------------------------------------------------------ reading aloud (听)
  let player = null;
  let reading = null; // the 听 button whose message is being read
  function stopReading() {
    if (player) {
      player.pause();
      URL.revokeObjectURL(player.src);
      player = null;
    }
    if (reading) {
      reading.textContent = "听";
      reading.setAttribute("aria-label", "听这段话");
      reading.closest(".msg").classList.remove("reading");
      reading = null;
    }
  }
  async function readAloud(button, url) {
    const wasReading = reading === button;
    stopReading();
    if (wasReading) return; // a second press stops it
    const current = conversation();
    const headers = current ? { "X-Conversation-Token": current.token } : {};
    reading = button;
    button.textContent = "停止";
    button.setAttribute("aria-label", "停止朗读");
    button.closest(".msg").classList.add("reading");
    try {
      const response = await fetch(url, { headers: headers });
      if (!response.ok) throw new Error("audio " + response.status);
      const audio = new Audio(URL.createObjectURL(await response.blob()));
      if (reading !== button) return; // stopped while it was being fetched
      player = audio;
      audio.addEventListener("ended", () => { if (player === audio) stopReading(); });
      await audio.play();
    } catch (error) {
      if (reading === button) {
        stopReading();
        alertBox.textContent = "朗读暂时不能用，请看屏幕上的文字。";
      }
    }
  }
  // Reading stops as soon as the person touches or types anything else (K10).
  function interrupt(event) {
    if (reading && !(event.target instanceof Element && event.target.closest(".listen"))) {
      stopReading();
    }
  }
  document.addEventListener("pointerdown", interrupt, true);
  document.addEventListener("keydown", interrupt, true);

  function listenButton(url) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "listen";
    button.textContent = "听";
    button.setAttribute("aria-label", "听这段话");
    button.addEventListener("click", () => readAloud(button, url()));
    return button;
  }

  // ------------------------------------------------------------------ the conversation on screen
  function addMessage(party, text, seq) {
    if (seq !== undefined) {
      if (seen.has(seq)) return;
      seen.add(seq);
      lastSeq = Math.max(lastSeq, seq);
    }
    const item = document.createElement("div");
    item.className = "msg " + party;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = WHO[party] || party;
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    item.append(who, body);
    if (party !== "citizen" && seq !== undefined) {
      item.dataset.seq = String(seq);
      item.append(listenButton(() => {
        const current = conversation();
        return "/api/chat/" + encodeURIComponent(current ? current.id : "") +
          "/messages/" + seq + "/audio";
      }));
    }
    log.append(item);
    return item;
  }

  function showOptions(buttons) {
    options.replaceChildren();
    for (const button of buttons || []) {
      const el = document.createElement("button");
      el.type = "button";
      el.textContent = button.title;
      el.addEventListener("click", () => send(button.payload || button.title, button.title));
      options.append(el);
    }
  }

  function showMessages(messages) {
    let buttons = null;
    for (const m of messages) {
      addMessage(m.from, m.text, m.seq);
      if (m.from === "citizen") buttons = null;
      else buttons = m.buttons && m.buttons.length ? m.buttons : buttons;
    }
    if (messages.length) {
      showOptions(buttons);
      reveal();
    }
  }

  function greet() {
    const item = addMessage("bot", WELCOME);
    item.classList.add("welcome");
    item.append(listenButton(() => "/api/chat/welcome/audio"));
    showOptions(START_OPTIONS);
  }

  async function send(text, shown) {
    text = (text || "").trim();
    if (!text || busy) return;
    busy = true;
    stopReading();
    alertBox.textContent = "";
    addMessage("citizen", shown || text);
    options.replaceChildren();
    statusBox.textContent = "正在处理，请稍等…";
    started = true;
    try {
      const response = await post({ text: text, channel: "webchat", message_id: newMessageId() });
      const data = await response.json().catch(() => ({}));
      if (response.status === 404 || response.status === 401) {
        // The conversation is gone (or its token with it): the next message starts a new one.
        forget();
        started = false;
        alertBox.textContent = "这次对话已经结束了，请再发一次，我们重新开始。";
        statusBox.textContent = "";
        reveal();
        return;
      }
      if (data.conversation_token) keep(data.conversation_id, data.conversation_token);
      if (!response.ok) {
        const message = (data.error && data.error.message) || "没有发送成功，请再试一次。";
        alertBox.textContent = message;
        statusBox.textContent = "";
        reveal();
        return;
      }
      statusBox.textContent = "";
      showMessages(data.messages || []);
      setMode(data.mode);
      statusBox.textContent = MODE_STATUS[mode] || "";
    } catch (error) {
      alertBox.textContent = "网络连不上，请检查网络后再试。";
      statusBox.textContent = "";
      reveal();
    } finally {
      busy = false;
    }
  }

  // After a reload: the conversation of this tab, whole, or a clear new start.
  async function restore() {
    const current = conversation();
    if (!current) return;
    busy = true;
    statusBox.textContent = "正在找回您刚才的对话…";
    try {
      const response = await fetch(
        "/api/chat/" + encodeURIComponent(current.id) + "/messages?after=0&include=citizen",
        { headers: { "X-Conversation-Token": current.token } });
      if (response.status === 404 || response.status === 401) {
        forget();
        statusBox.textContent = "刚才的对话已经结束了，我们重新开始。";
        return;
      }
      if (!response.ok) throw new Error("restore " + response.status);
      const data = await response.json();
      started = true;
      const messages = data.messages || [];
      if (messages.length) showMessages(messages);
      setMode(data.mode);
      statusBox.textContent = MODE_STATUS[mode] ||
        (messages.length ? "这是您刚才的对话，可以接着办。" : "");
    } catch (error) {
      statusBox.textContent = "";
      alertBox.textContent = "网络连不上，没能找回刚才的对话，请检查网络后刷新页面。";
    } finally {
      busy = false;
    }
  }

  async function poll() {
    const current = conversation();
    if (!busy && started && current) {
      try {
        const response = await fetch(
          "/api/chat/" + encodeURIComponent(current.id) + "/messages?after=" + lastSeq,
          { headers: { "X-Conversation-Token": current.token } });
        if (response.ok) {
          const data = await response.json();
          showMessages(data.messages || []);
          setMode(data.mode);
        }
      } catch (error) { /* the next poll tries again */ }
    }
    setTimeout(poll, POLL_MS[mode] || POLL_MS.bot);
  }

  function showBig(on) {
    root.classList.toggle("big", on);
    bigger.setAttribute("aria-pressed", String(on));
    bigger.textContent = on ? "标准字" : "大字";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
  document.getElementById("human").addEventListener("click", () => send("转人工"));
  bigger.addEventListener("click", () => {
    const on = !root.classList.contains("big");
    showBig(on);
    try { localStorage.setItem("banshi.big", on ? "1" : "0"); } catch (error) { /* not kept */ }
    measureBars();
    reveal();
  });
  window.addEventListener("resize", () => { measureBars(); reveal(); });

  showBig(root.classList.contains("big")); // as prefs.js applied it
  measureBars();
  greet();
  restore().then(() => setTimeout(poll, POLL_MS[mode] || POLL_MS.bot));
})();
