// The citizen's side of the web chat: post a message, then poll the conversation.
// The conversation is the server's: its token lives in an HttpOnly cookie this script never sees.
// The page's words come from its data attributes (the page is in the citizen's language).
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  var words = chat.dataset;
  var max = Number(words.max);
  var log = document.getElementById("log");
  var form = document.getElementById("send");
  var input = document.getElementById("text");
  var button = document.getElementById("send-button");
  var counter = document.getElementById("counter");
  var status = document.getElementById("status");
  var shown = 0;
  var labels = { citizen: words.you, bot: words.bot, agent: words.agent };

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  // The limit is said before it bites: a counter, and no send while the text is too long.
  function count() {
    var n = input.value.length;
    var over = n - max;
    counter.textContent = over > 0 ? say(words.tooLong, { max: max, over: over }) : say(words.count, { n: n, max: max });
    counter.classList.toggle("over", over > 0);
    button.disabled = over > 0;
    return over <= 0;
  }

  function render(messages) {
    if (messages.length === shown) return;
    log.textContent = "";
    messages.forEach(function (m) {
      var li = document.createElement("li");
      li.className = m.role;
      li.textContent = m.text;  // text, never HTML
      var meta = document.createElement("small");
      meta.textContent = labels[m.role] + " · " + new Date(m.at).toLocaleTimeString(document.documentElement.lang);
      li.appendChild(meta);
      log.appendChild(li);
    });
    shown = messages.length;
    log.scrollTop = log.scrollHeight;
    var last = messages[messages.length - 1];
    status.textContent = last && last.role === "citizen" ? words.waiting : "";
  }

  function refresh() {
    fetch("/api/chat", { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 429) { return { messages: null }; }
        return r.json();
      })
      .then(function (data) { if (data.messages) { render(data.messages); } })
      .catch(function () { status.textContent = words.offline; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !count()) return;
    fetch("/api/chat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(words.service ? { text: text, service: words.service } : { text: text })
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { status.textContent = data.error || words.error; return; }
        input.value = "";
        count();
        refresh();
      });
    }).catch(function () { status.textContent = words.failed; });
  });
  input.addEventListener("input", count);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  count();
  refresh();
  setInterval(refresh, 1500);
})();
