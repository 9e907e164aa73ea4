// The agents' console: live queue, keyboard shortcuts, canned replies. No dependencies.
// Every citizen-supplied string is put on the page with textContent, never as HTML.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("console-config").textContent);
  const S = config.strings;
  const prefix = config.prefix;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const baseTitle = document.title;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function duration(seconds) {
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min";
    const hours = Math.floor(seconds / 3600);
    if (hours < 48) return hours + " h " + String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
    return Math.floor(hours / 24) + " d";
  }

  function toast(text, kind) {
    let box = document.getElementById("toast");
    if (!box) {
      box = el("div", "toast");
      box.id = "toast";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.className = "toast show " + (kind || "");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.className = "toast"; }, 4000);
  }

  // -- long texts: folded to a few lines, with a "more" button that unfolds them -----------
  function fold(node, key, opened) {
    node.classList.add("fold");
    if (opened && opened.has(key)) node.classList.add("open");
    requestAnimationFrame(function () {
      const next = node.nextElementSibling;
      if (next && next.classList.contains("more")) return;
      if (!node.classList.contains("open") && node.scrollHeight <= node.clientHeight + 1) return;
      const more = el("button", "link more", node.classList.contains("open") ? S.less : S.more);
      more.type = "button";
      more.setAttribute("aria-expanded", node.classList.contains("open") ? "true" : "false");
      more.addEventListener("click", function (event) {
        event.preventDefault();
        const open = node.classList.toggle("open");
        more.textContent = open ? S.less : S.more;
        more.setAttribute("aria-expanded", open ? "true" : "false");
        if (opened) { if (open) opened.add(key); else opened.delete(key); }
      });
      node.insertAdjacentElement("afterend", more);
    });
  }
  document.querySelectorAll(".fold").forEach(function (node, index) { fold(node, "page-" + index, null); });

  async function post(url, fields) {
    const body = new URLSearchParams(fields || {});
    body.set("csrf", csrf);
    return fetch(url, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
      body: body,
      credentials: "same-origin",
    });
  }

  // -- emergencies: a banner on every page, a sound and a browser notification --------
  // Notifications are asked for once per sign-in (the first page after it), and from the
  // banner's button when the browser wants a click first.
  const alerted = new Set(JSON.parse(sessionStorage.getItem("sportello-alerted") || "[]"));
  if ("Notification" in window && Notification.permission === "default" && !sessionStorage.getItem("sportello-asked")) {
    sessionStorage.setItem("sportello-asked", "1");
    try { Notification.requestPermission(); } catch (e) { /* old browsers */ }
  }
  const enableAlerts = document.getElementById("enable-alerts");
  if (enableAlerts && "Notification" in window && Notification.permission === "default") {
    enableAlerts.hidden = false;
    enableAlerts.addEventListener("click", function () {
      Notification.requestPermission().then(function () { enableAlerts.hidden = true; });
    });
  }

  function beep() {
    document.body.dataset.alarm = String(Number(document.body.dataset.alarm || 0) + 1);
    try {
      const Audio = window.AudioContext || window.webkitAudioContext;
      const audio = new Audio();
      [0, 0.35].forEach(function (at) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.25, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.3);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + at);
        tone.stop(audio.currentTime + at + 0.3);
      });
    } catch (e) { /* no audio: the banner and the notification remain */ }
  }

  function alertAgents(fresh) {
    if (!fresh.length) return;
    beep();
    if ("Notification" in window && Notification.permission === "granted") {
      fresh.forEach(function (item) {
        const note = new Notification(S.new_emergency + " · " + item.channel, { body: item.text, tag: "emergency-" + item.id, requireInteraction: true });
        note.onclick = function () { window.focus(); window.location.href = prefix + "/messages/" + item.id; };
      });
    }
  }

  function showEmergencies(count, list) {
    const banner = document.getElementById("emergency-banner");
    if (!banner) return;
    document.getElementById("emergency-count").textContent = String(count);
    banner.hidden = count === 0;
    document.title = (count ? "(" + count + "!) " : "") + baseTitle;
    const fresh = (list || []).filter(function (item) { return !alerted.has(item.id); });
    fresh.forEach(function (item) { alerted.add(item.id); });
    sessionStorage.setItem("sportello-alerted", JSON.stringify(Array.from(alerted)));
    alertAgents(fresh);
  }

  // -- the live queue ---------------------------------------------------------------
  const list = document.getElementById("queue");
  const order = list ? list.dataset.order : "urgency";
  const filters = config.filters || "";
  const unfolded = new Set();
  const seen = new Set();
  let firstLoad = true;
  let items = [];
  let selectedId = null;

  function chip(label, value) {
    const node = el("span", "chip");
    node.appendChild(el("span", "chip-label", label));
    node.appendChild(document.createTextNode(" " + value));
    return node;
  }

  function canAct(item) {
    return (item.urgency === "emergency" || item.urgency === "escalated" || item.urgency === "review") &&
      (item.claimed_by === null || item.claimed_by === config.me);
  }

  function renderItem(item) {
    const li = el("li", "item u-" + item.urgency);
    li.dataset.id = String(item.id);
    if (item.watched) li.classList.add("watched");
    if (item.claimed_by && item.claimed_by !== config.me) li.classList.add("claimed-other");
    if (!firstLoad && !seen.has(item.id)) li.classList.add("new");
    if (item.id === selectedId) li.classList.add("selected");

    const meta = el("div", "meta");
    meta.appendChild(el("span", "badge urgency", S[item.urgency] || item.urgency));
    if (item.watched) meta.appendChild(el("span", "badge watch", S.watch));
    meta.appendChild(el("span", "channel", item.channel));
    meta.appendChild(el("span", "author", item.author_name || item.author));
    if (item.case_status) {
      meta.appendChild(el("span", "case-status case-" + item.case_status, S.case_state + " " + item.case_id + ": " + (S["case_" + item.case_status] || item.case_status)));
    }
    if (item.wait_level === "done") {
      meta.appendChild(el("span", "wait w-done", S.answered_ago));
    } else {
      meta.appendChild(el("span", "wait w-" + item.wait_level, S.waiting + " " + duration(item.waited_seconds)));
    }
    if (item.claimed_by) {
      const who = item.claimed_by === config.me ? S.you : item.claimed_by;
      meta.appendChild(el("span", "claim", S.claimed_by + " " + who));
    }
    li.appendChild(meta);

    const text = el("a", "text", item.text);
    text.href = prefix + "/messages/" + item.id;
    li.appendChild(text);
    fold(text, "t" + item.id, unfolded);

    const decision = el("div", "decision-line");
    if (item.intent) decision.appendChild(chip(S.intent, (S["intent_" + item.intent] || item.intent) + (item.category ? " · " + (S["cat_" + item.category] || item.category) : "")));
    if (item.routes.length) decision.appendChild(chip(S.lines, item.routes.join(", ")));
    if (item.stops.length) decision.appendChild(chip(S.stops, item.stops.join(", ")));
    if (item.place_names && item.place_names.length) decision.appendChild(chip(S.places, item.place_names.join("; ")));
    if (item.alert_ids.length) decision.appendChild(chip(S.alerts, item.alert_ids.join(", ")));
    if (item.faq_id) decision.appendChild(chip(S.faq, item.faq_id));
    if (item.confidence !== null) decision.appendChild(chip(S.confidence, Math.round(item.confidence * 100) + "%"));
    li.appendChild(decision);

    if (item.draft) {
      const draft = el("p", "draft");
      draft.appendChild(el("span", "draft-label", S.draft + ": "));
      draft.appendChild(document.createTextNode(item.draft));
      li.appendChild(draft);
      fold(draft, "d" + item.id, unfolded);
    }

    const actions = el("div", "actions");
    const open = el("a", "button", S.open);
    open.href = text.href;
    actions.appendChild(open);
    if (canAct(item) && item.draft) {
      const approve = el("button", "approve", S.approve);
      approve.type = "button";
      approve.dataset.act = "approve";
      actions.appendChild(approve);
    }
    if (canAct(item) && item.assigned_to !== config.me) {
      const mine = el("button", null, S.assign_self);
      mine.type = "button";
      mine.dataset.act = "mine";
      actions.appendChild(mine);
    }
    if (canAct(item) && item.state === "awaiting_review") {
      const escalate = el("button", "warn", S.escalate);
      escalate.type = "button";
      escalate.dataset.act = "escalate";
      actions.appendChild(escalate);
    }
    li.appendChild(actions);
    return li;
  }

  function renderQueue(data) {
    items = data.items;
    if (selectedId !== null && !items.some(function (i) { return i.id === selectedId; })) selectedId = null;
    const fragment = document.createDocumentFragment();
    let section = null;
    items.forEach(function (item) {
      const group = item.watched ? "watch"
        : order === "newest" ? (item.urgency === "emergency" ? "emergency" : "all") : item.urgency;
      if (group !== section && group !== "all") {
        fragment.appendChild(el("li", "section-heading s-" + group, S[group] || group));
      }
      section = group;
      fragment.appendChild(renderItem(item));
    });
    list.replaceChildren(fragment);
    items.forEach(function (item) { seen.add(item.id); });
    firstLoad = false;
    document.getElementById("queue-empty").hidden = items.some(function (i) {
      return i.urgency !== "answered";
    });
  }

  async function refresh() {
    const live = document.getElementById("live");
    try {
      const response = await fetch(prefix + "/api/queue?order=" + encodeURIComponent(order) + (filters ? "&" + filters : ""), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 401) {
        window.location.href = prefix + "/login";
        return;
      }
      const data = await response.json();
      showEmergencies(data.emergencies, data.emergency_items);
      if (list) renderQueue(data);
      if (live) { live.textContent = S.live; live.classList.remove("offline"); }
    } catch (error) {
      if (live) { live.textContent = S.offline; live.classList.add("offline"); }
    }
  }

  async function act(id, action) {
    const response = await post(prefix + "/messages/" + id + "/" + action);
    if (response.ok) {
      toast(action === "approve" ? S.approved_flash : action === "mine" ? S.assigned_self_flash : S.escalated_flash, "ok");
    } else {
      let reason = response.statusText;
      try { reason = (await response.json()).error || reason; } catch (e) { /* not JSON */ }
      toast(reason, "error");
    }
    refresh();
  }

  if (list) {
    list.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-act]");
      if (!button) return;
      const li = button.closest("li.item");
      act(li.dataset.id, button.dataset.act);
    });
  }

  function select(step) {
    const actionable = items;
    if (!actionable.length) return;
    let index = actionable.findIndex(function (i) { return i.id === selectedId; });
    index = index < 0 ? 0 : Math.min(Math.max(index + step, 0), actionable.length - 1);
    selectedId = actionable[index].id;
    list.querySelectorAll("li.item").forEach(function (li) {
      const on = Number(li.dataset.id) === selectedId;
      li.classList.toggle("selected", on);
      if (on) li.scrollIntoView({ block: "nearest" });
    });
  }

  function selectedItem() {
    return items.find(function (i) { return i.id === selectedId; }) || null;
  }

  // -- the case view ----------------------------------------------------------------
  const reply = document.getElementById("reply-text");
  const search = document.getElementById("canned-search");

  // A canned or suggested text replaces the draft while it is untouched, else goes in at the cursor.
  function insertReply(text) {
    if (!reply.value.trim() || reply.value === reply.dataset.draft) {
      reply.value = text;
    } else {
      const start = reply.selectionStart, end = reply.selectionEnd;
      reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
      reply.selectionStart = reply.selectionEnd = start + text.length;
    }
    reply.dispatchEvent(new Event("input"));
    reply.focus();
  }

  function replyChoice(title, text, note, link) {
    const li = el("li");
    const button = el("button", "link insert", S.insert);
    button.type = "button";
    button.addEventListener("click", function () { insertReply(text); });
    if (title) li.appendChild(el("strong", null, title));
    if (note) li.appendChild(note);
    const body = el("span", "muted reply-text", " " + text);
    li.appendChild(body);
    li.appendChild(button);
    if (link) li.appendChild(link);
    return li;
  }

  if (search && reply) {
    const results = document.getElementById("canned-results");
    let timer = null;
    async function findCanned() {
      const params = new URLSearchParams({ q: search.value, lang: search.dataset.lang, message: search.dataset.message });
      const response = await fetch(prefix + "/api/canned?" + params, { headers: { "Accept": "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      const fragment = document.createDocumentFragment();
      data.replies.forEach(function (canned) {
        const badge = canned.shipped ? el("span", "badge", S.shipped) : null;
        const li = replyChoice(canned.title + " ", canned.text, badge, null);
        li.dataset.canned = String(canned.id);
        fragment.appendChild(li);
      });
      results.replaceChildren(fragment);
    }
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(findCanned, 200); });
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); findCanned(); } });
    findCanned();
  }

  const suggestions = document.getElementById("suggest-results");
  if (suggestions && reply) {
    (async function () {
      const id = document.getElementById("suggestions").dataset.message;
      const response = await fetch(prefix + "/api/suggest?message=" + encodeURIComponent(id), { headers: { "Accept": "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      const fragment = document.createDocumentFragment();
      data.suggestions.forEach(function (s) {
        const source = el("a", "source", S.case_state + " " + (s.case_id || "") + " · " + s.agent + " · " + Math.round(s.score) + "%");
        source.href = s.url;
        source.title = s.asked;
        const li = replyChoice(null, s.text, null, source);
        li.className = "suggestion";
        fragment.appendChild(li);
      });
      suggestions.appendChild(fragment);
      document.getElementById("suggest-none").hidden = data.suggestions.length > 0;
    })();
  }

  function submit(id) {
    const form = document.getElementById(id);
    if (form) form.requestSubmit();
  }

  // Approving sends the draft as it was: once the agent changes the text, only "send" is offered.
  const approveButton = document.getElementById("approve-button");
  if (reply && approveButton) {
    reply.addEventListener("input", function () {
      approveButton.hidden = reply.value !== reply.dataset.draft;
    });
  }

  // -- keyboard ---------------------------------------------------------------------
  const help = document.getElementById("help");
  document.getElementById("help-button").addEventListener("click", function () { help.showModal(); });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (help.open) return;
    const key = event.key;
    if (key === "?") { help.showModal(); event.preventDefault(); return; }
    if (list) {
      const item = selectedItem();
      if (key === "j") select(1);
      else if (key === "k") select(-1);
      else if ((key === "o" || key === "Enter") && item) window.location.href = prefix + "/messages/" + item.id;
      else if (key === "e" && item) window.location.href = prefix + "/messages/" + item.id + "#reply-text";
      else if (key === "a" && item && canAct(item) && item.draft) act(item.id, "approve");
      else if (key === "x" && item && canAct(item) && item.state === "awaiting_review") act(item.id, "escalate");
      else return;
      event.preventDefault();
      return;
    }
    if (config.messageId) {
      if (key === "a" && approveButton && !approveButton.hidden) approveButton.click();
      else if (key === "x") submit("escalate-form");
      else if (key === "e" && reply) reply.focus();
      else if (key === "u" || key === "Escape") window.location.href = prefix + "/";
      else if (key === "j") window.location.href = prefix + "/next?after=" + config.messageId;
      else if (key === "k") window.location.href = prefix + "/next?dir=prev&after=" + config.messageId;
      else return;
      event.preventDefault();
    }
  });

  // -- the case view: opening a free message takes it, by POST (a GET never changes anything)
  async function claimOpenMessage() {
    const response = await post(prefix + "/messages/" + config.messageId + "/claim");
    if (response.status === 409) { window.location.reload(); return; }
    if (!response.ok) return;
    let notice = document.getElementById("held-notice");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "held-notice";
      const main = document.querySelector(".col-main");
      if (main) main.insertBefore(notice, main.firstChild);
    }
    notice.className = "notice mine";
    notice.textContent = S.held_by_you || "";
  }
  if (config.messageId && config.claim) claimOpenMessage();

  if (reply && window.location.hash === "#reply-text") reply.focus();
  refresh();
  setInterval(refresh, config.pollMs);
})();
