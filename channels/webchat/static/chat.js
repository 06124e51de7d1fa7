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

  function conversationId() {
    let id = sessionStorage.getItem("banshi.conversation");
    if (!id) {
      id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random())
        .replace(/[^A-Za-z0-9]/g, "").slice(0, 32);
      sessionStorage.setItem("banshi.conversation", id);
    }
    return id;
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
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ conversation_id: conversationId(), text: text, channel: "webchat" }),
      });
      const data = await response.json().catch(() => ({}));
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
    if (!busy && started) {
      try {
        const response = await fetch(
          "/api/chat/" + conversationId() + "/messages?after=" + lastSeq);
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
