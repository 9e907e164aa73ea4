// The citizen's side of the web chat: post a message, then poll the conversation.
// The conversation is the server's: its token lives in an HttpOnly cookie this script never sees.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("send");
  var input = document.getElementById("text");
  var status = document.getElementById("status");
  var shown = 0;
  var labels = { citizen: "Tu", bot: "Sportello", agent: "Operatore" };

  function render(messages) {
    if (messages.length === shown) return;
    log.textContent = "";
    messages.forEach(function (m) {
      var li = document.createElement("li");
      li.className = m.role;
      li.textContent = m.text;  // text, never HTML
      var meta = document.createElement("small");
      meta.textContent = labels[m.role] + " · " + new Date(m.at).toLocaleTimeString();
      li.appendChild(meta);
      log.appendChild(li);
    });
    shown = messages.length;
    log.scrollTop = log.scrollHeight;
    var last = messages[messages.length - 1];
    status.textContent = last && last.role === "citizen" ? "In attesa di risposta…" : "";
  }

  function refresh() {
    fetch("/api/chat", { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 429) { return { messages: null }; }
        return r.json();
      })
      .then(function (data) { if (data.messages) { render(data.messages); } })
      .catch(function () { status.textContent = "Connessione assente, riprovo…"; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    fetch("/api/chat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text })
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { status.textContent = data.error || "Errore"; return; }
        input.value = "";
        refresh();
      });
    }).catch(function () { status.textContent = "Invio non riuscito, riprova."; });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  refresh();
  setInterval(refresh, 1500);
})();
