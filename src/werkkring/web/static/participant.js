// The participant's page follows the session live (server-sent events): when the phase, the groups, a seat
// or their group's input changes, the page fetches its own view again and swaps it in, keeping what the
// person is typing. Without JavaScript a reload shows the same.
(function () {
  var root = document.getElementById("room-me");
  if (!root || !window.EventSource || !window.fetch) return;
  var source = null;
  var pending = false;
  // What wakes every phone in the room; a late arrival's seat wakes only their table and themself.
  var WAKE = { groups: 1, phase: 1, input: 1 };  // input: the host closed or opened the round's input

  function channels() {
    var id = root.getAttribute("data-session");
    var group = root.getAttribute("data-group");
    var list = ["session:" + id];
    if (group) list.push("session:" + id + ":group:" + group);
    return list;
  }

  function refresh() {
    if (pending) return;
    pending = true;
    fetch(root.getAttribute("data-me"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        pending = false;
        if (html === null) return;
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.querySelector("#room-me");
        if (!fresh) return;
        var typed = root.querySelector("textarea");
        var focused = document.activeElement && document.activeElement.id;
        // Someone changing their own input keeps that form open with what they typed.
        var open = [], edits = {};
        root.querySelectorAll("details[id][open]").forEach(function (d) { open.push(d.id); });
        root.querySelectorAll("details textarea[id]").forEach(function (t) { edits[t.id] = t.value; });
        var checks = {};
        root.querySelectorAll("input[type=checkbox]").forEach(function (c) { checks[c.name] = c.checked; });
        var oldGroup = root.getAttribute("data-group");
        root.replaceWith(fresh);
        root = fresh;
        var area = root.querySelector("textarea");
        if (typed && area) {
          area.value = typed.value;
          if (focused === area.id) { area.focus(); area.setSelectionRange(area.value.length, area.value.length); }
        }
        root.querySelectorAll("input[type=checkbox]").forEach(function (c) { if (c.name in checks) c.checked = checks[c.name]; });
        open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
        Object.keys(edits).forEach(function (id) {
          var t = document.getElementById(id);
          if (t) { t.value = edits[id]; if (focused === id) t.focus(); }
        });
        if (root.getAttribute("data-group") !== oldGroup) connect();
      })
      .catch(function () { pending = false; });
  }

  function onEvent(e) {
    var data = {};
    try { data = JSON.parse(e.data); } catch (err) { return; }
    var statusChanged = data.status && data.status !== root.getAttribute("data-status");
    var ownGroup = e.type.indexOf(":group:") > 0;
    var mine = root.getAttribute("data-group");
    var seatedHere = data.type === "seated" && (!mine || (data.groups || []).map(String).indexOf(mine) >= 0);
    if (statusChanged || ownGroup || data.type in WAKE || seatedHere) refresh();
  }

  function connect() {
    if (source) source.close();
    source = new EventSource(root.getAttribute("data-events"));
    channels().forEach(function (name) { source.addEventListener(name, onEvent); });
    // After a lost connection the browser reconnects and gets what it missed (Last-Event-ID).
  }
  connect();
})();
