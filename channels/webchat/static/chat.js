// Web chat: sends the citizen's text to /api/chat, shows every answer, polls for staff replies.
"use strict";
(function () {
  const log = document.getElementById("log");
  const statusBox = document.getElementById("status");
  const alertBox = document.getElementById("alert");
  const options = document.getElementById("options");
  const form = document.getElementById("form");
  const input = document.getElementById("text");
  const bigger = document.getElementById("bigger");
  const WHO = { bot: "小助手", staff: "工作人员", system: "系统提示", citizen: "我" };
  // Poll faster while a person is (or will be) answering, so a staff reply shows within a second.
  const POLL_MS = { bot: 2000, waiting: 500, human: 500 };
  const MODE_STATUS = { waiting: "正在为您转接工作人员，请稍等…", human: "工作人员正在为您服务" };
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
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
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
      if (m.buttons && m.buttons.length) buttons = m.buttons;
    }
    if (messages.length) showOptions(buttons);
  }

  async function send(text, shown) {
    text = (text || "").trim();
    if (!text || busy) return;
    busy = true;
    alertBox.textContent = "";
    addMessage("citizen", shown || text);
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
        return;
      }
      if (data.conversation_token) keep(data.conversation_id, data.conversation_token);
      if (!response.ok) {
        const message = (data.error && data.error.message) || "没有发送成功，请再试一次。";
        alertBox.textContent = message;
        statusBox.textContent = "";
        return;
      }
      statusBox.textContent = "";
      showMessages(data.messages || []);
      setMode(data.mode);
      statusBox.textContent = MODE_STATUS[mode] || "";
    } catch (error) {
      alertBox.textContent = "网络连不上，请检查网络后再试。";
      statusBox.textContent = "";
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

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
    input.focus();
  });
  document.getElementById("human").addEventListener("click", () => send("转人工"));
  bigger.addEventListener("click", () => {
    const on = document.documentElement.classList.toggle("big");
    bigger.setAttribute("aria-pressed", String(on));
    bigger.textContent = on ? "标准字" : "大字";
  });
  setTimeout(poll, POLL_MS.bot);
})();
