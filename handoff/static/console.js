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
  const state = {
    me: null, csrf: "", source: null, sound: true, audio: null,
    open: null, openConversation: null, reveal: false, revealWhy: "", seen: new Set(), titleTimer: null,
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
    const role = state.me.role === "supervisor" ? "主管" : "工作人员";
    $("me").textContent = state.me.display_name + "（" + role + "，" + state.me.district + "）";
    for (const tab of document.querySelectorAll(".tab.supervisor")) {
      tab.hidden = state.me.role !== "supervisor";
    }
    connect();
    await Promise.all([refreshQueue(), refreshCallbacks(), loadCanned(), loadServices()]);
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
    source.addEventListener("ready", () => status("已连接，正在实时接收转人工请求。"));
    source.addEventListener("handoff.created", (event) => {
      const handoff = JSON.parse(event.data);
      if (handoff.status === "waiting") {
        showNew(handoff);
        announce(handoff);
      }
      refreshQueue();
    });
    source.addEventListener("handoff.updated", (event) => {
      const handoff = JSON.parse(event.data);
      refreshQueue();
      if (state.open && state.open.id === handoff.id) openHandoff(handoff.id, false);
    });
    source.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.conversation_id === state.openConversation) addLine(message);
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

  // A new handoff: a written notice (role=alert), the tab title and a short sound.
  function announce(handoff) {
    const who = handoff.citizen_age ? handoff.citizen_age + "岁市民" : "市民";
    const urgent = handoff.priority === "high" ? "【紧急】" : "";
    $("notice").textContent = urgent + "新的转人工请求：" + who + "，" +
      (CHANNEL[handoff.channel] || handoff.channel) + "，" + handoff.reason_zh + "。";
    $("notice").hidden = false;
    flashTitle();
    beep(handoff.priority === "high" ? 3 : 1);
  }

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

  function handoffItem(h) {
    const urgent = h.priority === "high" || (h.citizen_age || 0) >= 80;
    const item = el("li", {
      class: (urgent ? "urgent " : "") + (state.open && state.open.id === h.id ? "selected" : ""),
      dataset: { handoffId: h.id, conversationId: h.conversation_id },
    });
    const badges = [];
    if (h.priority === "high") badges.push(el("span", { class: "badge high" }, "紧急"));
    if ((h.citizen_age || 0) >= 80) badges.push(el("span", { class: "badge high" }, "80岁以上"));
    if (h.position) badges.push(el("span", { class: "badge" }, "第" + h.position + "位"));
    item.append(el("button", { type: "button", class: "item", onclick: () => openHandoff(h.id, true) },
      ...badges, itemLabel(h)));
    return item;
  }

  // Show a new handoff at once from the event; the refresh that follows puts it in order.
  function showNew(handoff) {
    const list = $("waiting");
    if (list.querySelector('li[data-handoff-id="' + handoff.id + '"]')) return;
    for (const empty of list.querySelectorAll("li:not([data-handoff-id])")) empty.remove();
    list.append(handoffItem(handoff));
  }

  async function refreshQueue() {
    const [waiting, active] = await Promise.all([
      act(() => api("GET", "/api/handoffs?status=waiting")),
      act(() => api("GET", "/api/handoffs?status=active")),
    ]);
    if (!waiting || !active) return;
    $("waiting").replaceChildren(...waiting.handoffs.map(handoffItem));
    $("waiting-count").textContent = "（" + waiting.handoffs.length + "）";
    if (!waiting.handoffs.length) $("waiting").append(el("li", {}, "暂无等待的市民。"));
    const mine = active.handoffs.filter((h) => h.assigned_to && h.assigned_to.id === state.me.id);
    const others = active.handoffs.filter((h) => !h.assigned_to || h.assigned_to.id !== state.me.id);
    $("mine").replaceChildren(...mine.map(handoffItem));
    $("others").replaceChildren(...others.map(handoffItem));
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
    const data = await act(() => api("GET", "/api/handoffs/" + id + query));
    if (!data) return;
    const h = data.handoff;
    const changed = !state.open || state.open.conversation_id !== h.conversation_id;
    state.open = h;
    $("detail").hidden = false;
    $("detail-title").textContent = "会话：" + itemLabel(h);
    const facts = $("facts");
    facts.replaceChildren();
    fact(facts, "原因", h.reason_zh + (h.detail ? "（" + h.detail + "）" : ""));
    fact(facts, "优先级", h.priority === "high" ? "紧急" : "普通");
    fact(facts, "年龄", h.citizen_age ? h.citizen_age + "岁（" + h.age_group + "）" : "未知");
    fact(facts, "区域", h.district || "未知");
    fact(facts, "渠道", CHANNEL[h.channel] || h.channel);
    fact(facts, "无障碍需要", accessibilityText(h.accessibility) || "无");
    for (const [key, value] of Object.entries(h.collected || {})) fact(facts, "已收集：" + key, value);
    fact(facts, "状态", { waiting: "等待接入", active: "服务中", closed: "已结束" }[h.status]);
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
    refreshQueue();
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
    if (data) { $("notice").hidden = true; await openHandoff(data.handoff.id, false); $("reply-text").focus(); }
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

  $("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text || !state.open) return;
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/messages", { text }));
    if (data) { $("reply-text").value = ""; addLine(data.message); }
  });

  $("release-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!state.open) return;
    const summary = $("release-summary").value.trim();
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/release", { summary }));
    if (data) { $("release-summary").value = ""; status("已交还小助手。"); await openHandoff(data.handoff.id, false); }
  });

  $("close-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!state.open) return;
    const outcome = $("close-outcome").value;
    const data = await act(() => api("POST", "/api/handoffs/" + state.open.id + "/close", { outcome }));
    if (data) { status("会话已结束。"); await openHandoff(data.handoff.id, false); }
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
        (CHANNEL[c.channel] || c.channel) + " · " + modes[c.mode] + " · " + c.messages + "条 · " + clock(c.updated_at)))));
  }

  async function watch(conversationId) {
    state.open = null;
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

  async function refreshAudit() {
    const data = await act(() => api("GET", "/api/audit?limit=100"));
    if (!data) return;
    $("audit").replaceChildren(...data.entries.map((e) => el("tr", {},
      el("td", {}, new Date(e.at).toLocaleString("zh-CN")),
      el("td", {}, e.actor.name || e.actor.id),
      el("td", {}, e.action),
      el("td", {}, e.target.kind + " " + e.target.id))));
  }

  $("live-refresh").addEventListener("click", refreshLive);
  $("audit-refresh").addEventListener("click", refreshAudit);

  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll(".tab")) {
        other.setAttribute("aria-pressed", String(other === tab));
        $(other.dataset.panel).hidden = other !== tab;
      }
      const panel = tab.dataset.panel;
      if (panel === "live-panel") refreshLive();
      if (panel === "dashboard-panel") refreshDashboard();
      if (panel === "audit-panel") refreshAudit();
      if (panel === "callbacks-panel") refreshCallbacks();
    });
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
