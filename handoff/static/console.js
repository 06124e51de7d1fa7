// Staff console: login, live queue (Server-Sent Events), transcript, claim, reply, hand back,
// close, transfer, notes, proxy cases, call-backs; for supervisors live conversations, a
// dashboard drawn in the page, and the audit log. Text from the server only via textContent.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const WHO = { citizen: "市民", bot: "小助手", staff: "工作人员", system: "系统" };
  const CHANNEL = { webchat: "网页", kiosk: "自助机", wechat: "微信", phone: "电话", api: "接口" };
  const PROXY_STATUS = {
    awaiting_consent: "等待市民同意", declined: "市民不同意", consented: "市民已同意",
    authorized: "已授权", done: "已办好", cancelled: "已取消",
  };
  const STATUS_ZH = { waiting: "等待接入", active: "服务中", closed: "已结束" };
  const TARGET_ZH = {
    handoff: "转人工", conversation: "会话", callback: "回电", proxy_case: "代办", staff: "工作人员",
    audit: "审计记录", dashboard: "看板",
  };
  const state = {
    me: null, csrf: "", source: null, sound: true, audio: null,
    open: null, openConversation: null, reveal: false, revealWhy: "", seen: new Set(), titleTimer: null,
    // The queue as the live feed keeps it: every waiting and active handoff by id (with the
    // moment it arrived, to count the wait on), and the events that came during a reload.
    handoffs: new Map(), loading: null, pending: [],
    detailTab: "queue-panel", notice: null, auditBefore: null, auditShown: 0,
  };

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function say(message) { $("alert").textContent = message || ""; }
  function status(message) { $("live-status").textContent = message || ""; }

  async function api(method, url, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
    const response = await fetch(url, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (response.status === 401 && url !== "/api/staff/login") {
      showLogin();
    }
    if (!response.ok) {
      const error = new Error((data.error && data.error.message) || "操作没有成功，请再试一次。");
      error.code = data.error && data.error.code;
      throw error;
    }
    return data;
  }

  async function act(fn) {
    say("");
    try { return await fn(); } catch (error) { say(error.message); return null; }
  }

  function clock(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return d.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function waited(seconds) {
    const s = Math.max(0, Math.round(seconds || 0));
    return Math.floor(s / 60) + "分" + String(s % 60).padStart(2, "0") + "秒";
  }

  // ------------------------------------------------------------------ login
  function showLogin() {
    if (state.source) { state.source.close(); state.source = null; }
    state.me = null;
    $("app").hidden = true;
    $("who").hidden = true;
    $("login-view").hidden = false;
  }

  async function start(me) {
    state.me = me.staff;
    state.csrf = me.csrf_token;
    $("login-view").hidden = true;
    $("app").hidden = false;
    $("who").hidden = false;
    $("main").focus();
    const role = state.me.role === "supervisor" ? "主管" : "工作人员";
    $("me").textContent = state.me.display_name + "（" + role + "，" + state.me.district + "）";
    for (const tab of document.querySelectorAll(".tab.supervisor")) {
      tab.hidden = state.me.role !== "supervisor";
    }
    connect();
    await Promise.all([refreshCallbacks(), loadCanned(), loadServices()]);
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    unlockAudio();
    const data = await act(() => api("POST", "/api/staff/login", {
      username: $("username").value.trim(), password: $("password").value,
    }));
    $("password").value = "";
    if (data) await start(data);
  });

  $("logout").addEventListener("click", async () => {
    await act(() => api("POST", "/api/staff/logout", {}));
    showLogin();
  });

  // ------------------------------------------------------------------ live feed
  function connect() {
    if (state.source) state.source.close();
    const source = new EventSource("/api/console/events");
    state.source = source;
    // Every (re)connection reads the queue once; after that the events keep it current.
    source.addEventListener("ready", () => {
      status("已连接，正在实时接收转人工请求。");
      refreshQueue();
    });
    source.addEventListener("handoff.created", (event) => {
      const handoff = JSON.parse(event.data);
      applyHandoff(handoff);
      if (handoff.status === "waiting") announce(handoff);
    });
    source.addEventListener("handoff.updated", (event) => {
      const handoff = JSON.parse(event.data);
      applyHandoff(handoff);
      if (state.notice === handoff.id && handoff.status !== "waiting") clearNotice();
      if (state.open && state.open.id === handoff.id) openHandoff(handoff.id, false);
    });
    source.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.conversation_id === state.openConversation) addLine(message);
      if (message.from === "citizen") saidLately(message);
    });
    source.addEventListener("callback.created", refreshCallbacks);
    source.addEventListener("proxy.updated", () => {
      if (state.open) openHandoff(state.open.id, false);
    });
    source.addEventListener("resync", () => { refreshQueue(); refreshCallbacks(); });
    source.addEventListener("logged_out", () => {
      source.close();
      showLogin();
      say("登录已结束，请重新登录。");
    });
    source.onerror = () => status("实时连接中断，正在重新连接…");
  }

  // A new handoff: a written notice (role=alert), the tab title and a short sound. The notice
  // stays until it is seen: the handoff opened, taken by anyone, or 知道了.
  function announce(handoff) {
    const who = handoff.citizen_age ? handoff.citizen_age + "岁市民" : "市民";
    const urgent = handoff.priority === "high" ? "【紧急】" : "";
    const about = handoff.service_zh ? "，在办" + handoff.service_zh : "";
    $("notice-text").textContent = urgent + "新的转人工请求：" + who + "，" +
      (CHANNEL[handoff.channel] || handoff.channel) + "，" + handoff.reason_zh + about + "。";
    $("notice").hidden = false;
    state.notice = handoff.id;
    flashTitle();
    beep(handoff.priority === "high" ? 3 : 1);
  }

  function clearNotice() {
    $("notice").hidden = true;
    $("notice-text").textContent = "";
    state.notice = null;
    clearInterval(state.titleTimer);
    document.title = "办事 · 工作台";
  }

  $("notice-dismiss").addEventListener("click", clearNotice);
  $("notice-open").addEventListener("click", () => {
    if (state.notice) { showTab("queue-panel"); openHandoff(state.notice, true); }
  });

  function flashTitle() {
    const base = "办事 · 工作台";
    clearInterval(state.titleTimer);
    let on = false;
    let count = 0;
    state.titleTimer = setInterval(() => {
      on = !on;
      document.title = on ? "【新请求】" + base : base;
      if (++count > 10) { clearInterval(state.titleTimer); document.title = base; }
    }, 700);
  }

  function unlockAudio() {
    if (!state.audio && window.AudioContext) state.audio = new AudioContext();
    if (state.audio && state.audio.state === "suspended") state.audio.resume();
  }

  function beep(times) {
    if (!state.sound || !state.audio) return;
    const ctx = state.audio;
    for (let i = 0; i < times; i++) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(ctx.destination);
      const at = ctx.currentTime + i * 0.35;
      osc.start(at);
      osc.stop(at + 0.2);
    }
  }

  $("sound").addEventListener("click", () => {
    unlockAudio();
    state.sound = !state.sound;
    $("sound").setAttribute("aria-pressed", String(state.sound));
    $("sound").textContent = "提示音：" + (state.sound ? "开" : "关");
  });

  // ------------------------------------------------------------------ queue
  function itemLabel(h) {
    const parts = [];
    if (h.citizen_age) parts.push(h.citizen_age + "岁");
    parts.push(CHANNEL[h.channel] || h.channel);
    parts.push(h.reason_zh);
    if (h.district) parts.push(h.district);
    if (h.status === "waiting") parts.push("已等" + waited(h.waited_s));
    if (h.status === "active" && h.assigned_to) parts.push(h.assigned_to.display_name);
    return parts.join(" · ");
  }

  // What the citizen came about: the service they were in and what they said last (masked).
  function aboutText(h) {
    const parts = [];
    if (h.service_zh) parts.push("在办：" + h.service_zh);
    parts.push(h.last_said ? "最后说：“" + h.last_said + "”" : "还没有说具体的事");
    return parts.join(" · ");
  }

  function handoffItem(h) {
    const urgent = h.priority === "high" || (h.citizen_age || 0) >= 80;
    const item = el("li", {
      class: (urgent ? "urgent " : "") + (state.open && state.open.id === h.id ? "selected" : ""),
      dataset: { handoffId: h.id, conversationId: h.conversation_id },
    });
    const badges = [];
    if (h.position) badges.push(el("span", { class: "badge place" }, "第" + h.position + "位"));
    if (h.priority === "high") badges.push(el("span", { class: "badge high" }, "紧急"));
    if ((h.citizen_age || 0) >= 80) badges.push(el("span", { class: "badge high" }, "80岁以上"));
    item.append(el("button", { type: "button", class: "item", onclick: () => openHandoff(h.id, true) },
      el("span", { class: "head" }, ...badges, itemLabel(h)),
      el("span", { class: "about" }, aboutText(h))));
    return item;
  }

  // The queue order of the server (handoff/queue.py): 80 or older, then urgent, then the
  // longest wait.
  function queueKey(h) {
    return [(h.citizen_age || 0) >= 80 ? 0 : 1, h.priority === "high" ? 0 : 1, h.created_at];
  }

  function byQueue(a, b) {
    const ka = queueKey(a);
    const kb = queueKey(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] < kb[i]) return -1;
      if (ka[i] > kb[i]) return 1;
    }
    return 0;
  }

  // A handoff as an event or a list gives it: kept while waiting or active, gone when closed.
  function keep(h) {
    h.receivedAt = Date.now();
    const known = state.handoffs.get(h.id);
    if (known && !h.last_said && known.last_said) h.last_said = known.last_said;
    if (h.status === "closed") state.handoffs.delete(h.id);
    else state.handoffs.set(h.id, h);
  }

  function applyHandoff(h) {
    if (state.loading) { state.pending.push(h); return; }
    keep(h);
    renderQueue();
  }

  // What a citizen said just now shows in their row (masked by the server).
  function saidLately(message) {
    for (const h of state.handoffs.values()) {
      if (h.conversation_id !== message.conversation_id) continue;
      h.last_said = message.text.length > 60 ? message.text.slice(0, 59) + "…" : message.text;
      renderQueue();
    }
  }

  function renderQueue() {
    const all = [...state.handoffs.values()];
    const now = Date.now();
    const waiting = all.filter((h) => h.status === "waiting").sort(byQueue);
    waiting.forEach((h, i) => {
      h.position = i + 1;
      h.waited_s = (h.waited_s || 0) + (now - h.receivedAt) / 1000;
      h.receivedAt = now;
    });
    $("waiting").replaceChildren(...waiting.map(handoffItem));
    $("waiting-count").textContent = "（" + waiting.length + "）";
    if (!waiting.length) $("waiting").append(el("li", {}, "暂无等待的市民。"));
    const active = all.filter((h) => h.status === "active");
    const mine = active.filter((h) => h.assigned_to && h.assigned_to.id === state.me.id);
    const others = active.filter((h) => !h.assigned_to || h.assigned_to.id !== state.me.id);
    $("mine").replaceChildren(...mine.map(handoffItem));
    $("others").replaceChildren(...others.map(handoffItem));
  }

  // The whole queue, read again: at (re)connection and when the feed says it missed events.
  async function refreshQueue() {
    if (state.loading) return state.loading;
    state.loading = (async () => {
      const [waiting, active] = await Promise.all([
        act(() => api("GET", "/api/handoffs?status=waiting")),
        act(() => api("GET", "/api/handoffs?status=active")),
      ]);
      if (waiting && active) {
        state.handoffs = new Map();
        for (const h of [...waiting.handoffs, ...active.handoffs]) keep(h);
      }
    })();
    try { await state.loading; } finally {
      state.loading = null;
      const pending = state.pending;
      state.pending = [];
      for (const h of pending) keep(h);
      if (state.me) renderQueue();
    }
  }

  // ------------------------------------------------------------------ one conversation
  function fact(list, term, value) {
    if (value === null || value === undefined || value === "") return;
    list.append(el("dt", {}, term), el("dd", {}, String(value)));
  }

  function accessibilityText(profile) {
    const names = { hard_of_hearing: "听力不好", slow_speech: "说话慢", prefers_text: "喜欢看文字" };
    return Object.entries(profile || {}).filter(([, v]) => v).map(([k]) => names[k] || k).join("、");
  }

  async function openHandoff(id, focus) {
    const sameOne = state.open && state.open.id === id;
    if (!sameOne) state.reveal = false;
    const query = state.reveal ? "?reveal=true&why=" + encodeURIComponent(state.revealWhy) : "";
    const data = await act(() => api("GET", "/api/handoffs/" + id + query).catch((error) => {
      // Routed elsewhere meanwhile (its events now go to that district): drop the row.
      if (error.code === "forbidden_district" || error.code === "handoff_not_found") {
        state.handoffs.delete(id);
        renderQueue();
      }
      throw error;
    }));
    if (!data) return;
    const h = data.handoff;
    const known = state.handoffs.get(h.id);
    if (known && !h.last_said) h.last_said = known.last_said;
    const changed = !state.open || state.open.conversation_id !== h.conversation_id;
    if (!sameOne) state.detailTab = currentTab();
    state.open = h;
    $("detail").hidden = currentTab() !== state.detailTab;
    $("detail-title").textContent = "会话：" + itemLabel(h);
    const facts = $("facts");
    facts.replaceChildren();
    fact(facts, "原因", h.reason_zh + (h.detail ? "（" + h.detail + "）" : ""));
    fact(facts, "优先级", h.priority === "high" ? "紧急" : "普通");
    fact(facts, "年龄", h.citizen_age ? h.citizen_age + "岁（" + h.age_group + "）" : "未知");
    fact(facts, "区域", h.district || "未知");
    fact(facts, "渠道", CHANNEL[h.channel] || h.channel);
    fact(facts, "无障碍需要", accessibilityText(h.accessibility) || "无");
    for (const [key, value] of Object.entries(h.collected || {})) {
      if (key !== "service") fact(facts, "已收集：" + key, value);  // the service is 在办的事
    }
    fact(facts, "在办的事", h.service_zh);
    fact(facts, "市民最后说", h.last_said);
    fact(facts, "状态", STATUS_ZH[h.status]);
    if (h.assigned_to) fact(facts, "负责人", h.assigned_to.display_name);
    if (h.outcome_zh) fact(facts, "结果", h.outcome_zh + (h.summary ? "：" + h.summary : ""));
    const serving = h.status === "active" && h.assigned_to && h.assigned_to.id === state.me.id;
    $("claim").hidden = h.status !== "waiting";
    $("step-in").hidden = state.me.role !== "supervisor" || h.status === "closed" || serving;
    $("reveal-box").hidden = !(serving || state.me.role === "supervisor") || h.status === "closed";
    $("serving").hidden = !serving;
    $("notes").replaceChildren(...data.notes.map((n) =>
      el("li", {}, n.by + "（" + clock(n.at) + "）：" + n.text)));
    $("proxy-cases").replaceChildren(...data.proxy_cases.map(proxyItem));
    if (serving) await loadColleagues();
    if (changed) await loadTranscript(h.conversation_id);
    if (!serving) $("close-confirm").hidden = true;
    if (state.notice === h.id) clearNotice();
    keep(h);
    renderQueue();
    if (focus) $("detail-title").focus();
  }

  function addLine(m) {
    if (state.seen.has(m.seq)) return;
    state.seen.add(m.seq);
    const who = m.from === "staff" && m.staff ? "工作人员 " + m.staff : WHO[m.from] || m.from;
    const line = el("div", { class: "line " + m.from, dataset: { seq: String(m.seq) } },
      el("span", { class: "from" }, who), m.text,
      el("span", { class: "at" }, clock(m.at)));
    $("transcript").append(line);
    line.scrollIntoView({ block: "nearest" });
  }

  async function loadTranscript(conversationId) {
    state.openConversation = conversationId;
    const query = state.reveal ? "?reveal=true&why=" + encodeURIComponent(state.revealWhy) : "";
    const data = await act(() => api("GET",
      "/api/conversations/" + conversationId + "/transcript" + query));
    if (!data) return;
    state.seen = new Set();
    $("transcript").replaceChildren();
    data.messages.forEach(addLine);
    $("masked-note").textContent = data.masked ? "（个人信息已遮挡）" : "（已显示完整信息，已记录）";
  }

  $("claim").addEventListener("click", async () => {
    if (!state.open) return;
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/claim", {}));
    if (data) { await openHandoff(data.handoff.id, false); $("reply-text").focus(); }
  });

  $("step-in").addEventListener("click", async () => {
    const conversation = state.open ? state.open.conversation_id : state.openConversation;
    if (!conversation) return;
    const data = await act(() => api("POST", "/api/conversations/" + conversation + "/step-in", {}));
    if (data) await openHandoff(data.handoff.id, false);
  });

  // A reveal needs a reason (2–200 characters); the server checks it and audits every try.
  function revealReason(input) {
    const why = input.value.trim();
    if (why.length < 2) {
      say("请先写明查看完整信息的原因（2到200个字）。");
      input.focus();
      return null;
    }
    return why;
  }

  $("reveal").addEventListener("click", async () => {
    if (!state.openConversation) return;
    const why = revealReason($("reveal-why"));
    if (!why) return;
    state.revealWhy = why;
    state.reveal = true;
    await loadTranscript(state.openConversation);
    if (state.open) await openHandoff(state.open.id, false);
  });

  // Enter (or Ctrl+Enter) sends; Shift+Enter is a new line; never while an input method is
  // still composing the characters.
  $("reply-text").addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    $("reply-form").requestSubmit();
  });

  $("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text || !state.open) return;
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/messages", { text }));
    if (data) { $("reply-text").value = ""; addLine(data.message); }
  });

  function releaseCount() {
    const left = 200 - $("release-summary").value.length;
    $("release-count").textContent = "最多200字，小助手会一句一句完整地说给市民。还可以写" + left + "字。";
  }
  $("release-summary").addEventListener("input", releaseCount);

  $("release-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!state.open) return;
    const summary = $("release-summary").value.trim();
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/release", { summary }));
    if (data) {
      $("release-summary").value = "";
      releaseCount();
      status("已交还小助手。");
      await openHandoff(data.handoff.id, false);
    }
  });

  // 结束 asks first: ending cannot be undone, and the citizen is told at once.
  $("close-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!state.open) return;
    $("close-confirm").hidden = false;
    $("close-no").focus();
  });

  $("close-no").addEventListener("click", () => {
    $("close-confirm").hidden = true;
    $("close-ask").focus();
  });

  $("close-yes").addEventListener("click", async () => {
    if (!state.open) return;
    const outcome = $("close-outcome").value;
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/close", { outcome }));
    $("close-confirm").hidden = true;
    if (data) { status("会话已结束。"); await openHandoff(data.handoff.id, true); }
  });

  $("transfer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const to = $("transfer-to").value;
    if (!state.open || !to) return;
    const route = state.me.role === "supervisor" && state.open.assigned_to &&
      state.open.assigned_to.id !== state.me.id ? "/reassign" : "/transfer";
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + route, { to }));
    if (data) { status("已转交。"); await openHandoff(data.handoff.id, false); }
  });

  $("note-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("note-text").value.trim();
    if (!text || !state.open) return;
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/notes", { text }));
    if (data) { $("note-text").value = ""; await openHandoff(state.open.id, false); }
  });

  async function loadCanned() {
    const data = await act(() => api("GET", "/api/console/canned-replies"));
    if (!data) return;
    $("canned").replaceChildren(...data.replies.map((r) => el("button", {
      type: "button", title: r.text,
      onclick: () => { $("reply-text").value = r.text; $("reply-text").focus(); },
    }, r.label)));
  }

  async function loadColleagues() {
    const data = await act(() => api("GET", "/api/staff"));
    if (!data) return;
    $("transfer-to").replaceChildren(el("option", { value: "" }, "选择同事"),
      ...data.staff.map((s) => el("option", { value: s.username }, s.display_name + "（" + s.district + "）")));
  }

  // ------------------------------------------------------------------ proxy cases
  async function loadServices() {
    const data = await act(() => api("GET", "/api/console/services"));
    if (!data) return;
    $("proxy-service").replaceChildren(...data.services.map((s) => el("option", { value: s.code }, s.name)));
  }

  function proxyItem(c) {
    const item = el("li", { dataset: { caseId: c.id } },
      c.service_name + "：" + (PROXY_STATUS[c.status] || c.status) +
      (c.consent ? "（同意方式：" + c.consent.method + "，" + clock(c.consent.at) + "）" : "") +
      (c.platform_note ? "，" + c.platform_note : "") +
      (c.result ? "，结果：" + c.result : ""));
    const refresh = () => openHandoff(state.open.id, false);
    if (c.status === "consented") {
      // Identity from the citizen's ID card, then the platform's proxy authorization.
      const name = el("input", { "aria-label": "身份证上的姓名", maxlength: "32" });
      const idNumber = el("input", { "aria-label": "身份证号", maxlength: "18", autocomplete: "off" });
      item.append(name, idNumber, el("button", { type: "button", onclick: async () => {
        const data = await act(() => api("POST", "/api/proxy-cases/" + c.id + "/authorize", {
          name: name.value.trim(), id_number: idNumber.value.trim(),
        }));
        idNumber.value = "";
        if (data) refresh();
      } }, "核验身份证并授权"));
    }
    if (c.status === "authorized" || c.status === "consented") {
      const input = el("input", { "aria-label": "代办结果", maxlength: "300" });
      item.append(input, el("button", { type: "button", onclick: async () => {
        const result = input.value.trim();
        if (!result) { say("请先写下办理结果。"); return; }
        const data = await act(() => api("POST", "/api/proxy-cases/" + c.id + "/complete", { result }));
        if (data) refresh();
      } }, "办好了，告诉市民"));
    }
    return item;
  }

  $("proxy-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!state.open) return;
    const service_code = $("proxy-service").value;
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/proxy-cases", { service_code }));
    if (data) { status("已向市民征求同意。"); await openHandoff(state.open.id, false); }
  });

  // ------------------------------------------------------------------ call-backs
  async function refreshCallbacks() {
    const data = await act(() => api("GET", "/api/callbacks?status=open"));
    if (!data) return;
    $("callback-count").textContent = data.callbacks.length ? "（" + data.callbacks.length + "）" : "";
    $("callbacks").replaceChildren(...data.callbacks.map((c) => {
      const phone = el("span", {}, c.phone);
      const whyId = "callback-why-" + c.id;
      const why = el("input", { id: whyId, type: "text", minlength: "2", maxlength: "200", required: "", placeholder: "例如：按约定回电" });
      return el("li", { dataset: { callbackId: String(c.id) } },
        "回电 ", phone, "，" + (c.district || "未知区域") + "，约定 " + new Date(c.due_at).toLocaleString("zh-CN") + " 以后",
        el("label", { for: whyId }, "查看原因"), why,
        el("button", { type: "button", onclick: async () => {
          const reason = revealReason(why);
          if (!reason) return;
          const shown = await act(() => api("POST", "/api/callbacks/" + c.id + "/reveal", { why: reason }));
          if (shown) phone.textContent = shown.callback.phone;
        } }, "显示号码"),
        el("button", { type: "button", onclick: async () => {
          const done = await act(() => api("POST", "/api/callbacks/" + c.id + "/done", { outcome: "reached" }));
          if (done) refreshCallbacks();
        } }, "已回电"));
    }));
    if (!data.callbacks.length) $("callbacks").append(el("li", {}, "暂无回电任务。"));
  }

  // ------------------------------------------------------------------ supervisor
  async function refreshLive() {
    const data = await act(() => api("GET", "/api/conversations/live"));
    if (!data) return;
    const modes = { bot: "小助手在答", waiting: "等待人工", human: "人工服务中" };
    $("live").replaceChildren(...data.conversations.map((c) => el("li", { dataset: { conversationId: c.id } },
      el("button", { type: "button", class: "item", onclick: () => watch(c.id) },
        el("span", { class: "head" }, (CHANNEL[c.channel] || c.channel) + " · " + modes[c.mode] + " · 共" +
          c.messages + "条消息 · 最后活动 " + clock(c.updated_at)),
        el("span", { class: "about" }, c.last_said ? "市民最后说：“" + c.last_said + "”" : "市民还没有说话")))));
    if (!data.conversations.length) $("live").append(el("li", {}, "最近30分钟没有会话。"));
  }

  async function watch(conversationId) {
    state.open = null;
    state.detailTab = "live-panel";
    $("detail").hidden = false;
    $("detail-title").textContent = "旁听会话（只读）";
    $("facts").replaceChildren();
    $("claim").hidden = true;
    $("serving").hidden = true;
    $("step-in").hidden = false;
    $("reveal-box").hidden = false;
    $("notes").replaceChildren();
    state.reveal = false;
    await loadTranscript(conversationId);
    $("detail-title").focus();
  }

  function barChart(target, titleId, rows) {
    const NS = "http://www.w3.org/2000/svg";
    const width = 360;
    const barH = 22;
    const height = rows.length * barH + 8;
    const max = Math.max(1, ...rows.map((r) => r.count));
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", titleId);
    rows.forEach((row, i) => {
      const y = 4 + i * barH;
      const label = document.createElementNS(NS, "text");
      label.setAttribute("x", "0"); label.setAttribute("y", String(y + 15));
      label.setAttribute("font-size", "13"); label.setAttribute("fill", "#111");
      label.textContent = row.label;
      const bar = document.createElementNS(NS, "rect");
      const w = Math.round((width - 150) * row.count / max);
      bar.setAttribute("x", "100"); bar.setAttribute("y", String(y + 3));
      bar.setAttribute("width", String(Math.max(w, 1))); bar.setAttribute("height", String(barH - 8));
      bar.setAttribute("fill", "#0b4f9c");
      const value = document.createElementNS(NS, "text");
      value.setAttribute("x", String(104 + w)); value.setAttribute("y", String(y + 15));
      value.setAttribute("font-size", "13"); value.setAttribute("fill", "#111");
      value.textContent = String(row.count);
      svg.append(label, bar, value);
    });
    const table = el("table", {}, el("caption", { class: "visually-hidden" }, $(titleId).textContent),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, el("th", { scope: "row" }, r.label), el("td", {}, String(r.count))))));
    target.replaceChildren(svg, table);
  }

  async function refreshDashboard() {
    const data = await act(() => api("GET", "/api/dashboard"));
    if (!data) return;
    const median = data.waiting_times.median_s;
    $("dashboard-summary").textContent = "共 " + data.total + " 次转人工，等待中 " + data.waiting +
      "，服务中 " + data.active + "，在线工作人员 " + data.on_duty + "，待回电 " + data.open_callbacks +
      (median === null ? "" : "，等待时间中位数 " + waited(median));
    barChart($("chart-hour"), "chart-hour-title",
      data.per_hour.map((h) => ({ label: h.hour, count: h.count })).slice(-12));
    barChart($("chart-wait"), "chart-wait-title", data.waiting_times.buckets);
    barChart($("chart-outcome"), "chart-outcome-title", data.outcomes.length ? data.outcomes : [{ label: "暂无", count: 0 }]);
    barChart($("chart-age"), "chart-age-title", data.age_groups);
  }

  // The audit log a page at a time (100 rows), filtered by who, what and when.
  function auditQuery(before) {
    const params = new URLSearchParams({ limit: "100" });
    const actor = $("audit-actor").value.trim();
    if (actor) params.set("actor", actor);
    if ($("audit-action").value) params.set("action", $("audit-action").value);
    if ($("audit-since").value) params.set("since", new Date($("audit-since").value + "T00:00:00").toISOString());
    if ($("audit-until").value) {
      const end = new Date($("audit-until").value + "T00:00:00");
      end.setDate(end.getDate() + 1);
      params.set("until", end.toISOString());
    }
    if (before) params.set("before", String(before));
    return "/api/audit?" + params.toString();
  }

  function auditActions(actions) {
    const select = $("audit-action");
    if (select.options.length > 1) return;
    for (const [code, name] of Object.entries(actions).sort((a, b) => a[1].localeCompare(b[1], "zh-CN"))) {
      select.append(el("option", { value: code }, name));
    }
  }

  async function refreshAudit(more) {
    const data = await act(() => api("GET", auditQuery(more ? state.auditBefore : null)));
    if (!data) return;
    auditActions(data.actions || {});
    const rows = data.entries.map((e) => el("tr", { dataset: { entryId: String(e.id) } },
      el("td", {}, new Date(e.at).toLocaleString("zh-CN")),
      el("td", {}, e.actor.name || e.actor.id),
      el("td", {}, e.action_zh || e.action),
      el("td", {}, (TARGET_ZH[e.target.kind] || e.target.kind) + (e.target.id ? " " + e.target.id : ""))));
    if (more) $("audit").append(...rows);
    else $("audit").replaceChildren(...rows);
    state.auditShown = (more ? state.auditShown : 0) + rows.length;
    state.auditBefore = data.next_before;
    $("audit-more").hidden = !data.next_before;
    $("audit-count").textContent = state.auditShown ? "已显示" + state.auditShown + "条" +
      (data.next_before ? "，还有更早的。" : "，没有更早的了。") : "没有符合条件的记录。";
  }

  $("live-refresh").addEventListener("click", refreshLive);
  $("audit-filter").addEventListener("submit", (event) => { event.preventDefault(); refreshAudit(false); });
  $("audit-clear").addEventListener("click", () => {
    for (const id of ["audit-actor", "audit-action", "audit-since", "audit-until"]) $(id).value = "";
    refreshAudit(false);
  });
  $("audit-more").addEventListener("click", () => refreshAudit(true));

  function currentTab() {
    const pressed = document.querySelector('.tab[aria-pressed="true"]');
    return pressed ? pressed.dataset.panel : "queue-panel";
  }

  // One tab at a time; the conversation panel belongs to the tab it was opened from (the
  // queue, or the live conversations for watching) and is not shown with the others.
  function showTab(panel) {
    for (const other of document.querySelectorAll(".tab")) {
      other.setAttribute("aria-pressed", String(other.dataset.panel === panel));
      $(other.dataset.panel).hidden = other.dataset.panel !== panel;
    }
    if (state.detailTab === "live-panel" && panel !== "live-panel" && !state.open) {
      state.openConversation = null;  // stop watching
      $("detail").hidden = true;
    }
    const opened = state.open || state.openConversation;
    $("detail").hidden = !opened || panel !== state.detailTab;
    if (panel === "live-panel") refreshLive();
    if (panel === "dashboard-panel") refreshDashboard();
    if (panel === "audit-panel") refreshAudit(false);
    if (panel === "callbacks-panel") refreshCallbacks();
  }

  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => showTab(tab.dataset.panel));
  }

  // ------------------------------------------------------------------ start
  (async () => {
    try {
      const me = await fetch("/api/staff/me", { credentials: "same-origin" });
      if (me.ok) { await start(await me.json()); return; }
    } catch (error) { /* not logged in */ }
    showLogin();
  })();
})();
