// The host's synthesis board, enhanced: drag a card onto another theme (or onto "set aside"), or with the
// keyboard — focus a card, Space (or Enter) picks it up, the arrow keys choose the theme, Space/Enter puts it
// down, Escape cancels. Each move posts the card's own form (the one that works without JavaScript) and the
// answer is the board again, swapped in place; a stale edit (another host changed the board) comes back as
// 409 with the board as it is now and the message. While a re-run runs in the background the board asks
// again every few seconds; when it fails the board shows why, with "try again" (a plain form too).
(function () {
  if (!window.fetch || !window.FormData) return;
  var board = document.getElementById("board");
  if (!board) return;
  var holder = board.parentNode;
  var lifted = null;  // {card, targets, index}

  function say(text) {
    var live = document.getElementById("board-live");
    if (live) { live.textContent = ""; setTimeout(function () { live.textContent = text; }, 30); }
  }
  function swap(html, focusId) {
    var box = document.createElement("div");
    box.innerHTML = html;
    var fresh = box.querySelector("#board");
    if (!fresh) return;
    var old = document.getElementById("board");
    old.parentNode.replaceChild(fresh, old);
    board = fresh;
    if (focusId) {
      var target = document.getElementById(focusId);
      if (target) target.focus();
    }
    var message = fresh.querySelector("#board-live");
    if (message && message.textContent) say(message.textContent);
    watch();
  }
  function post(form, focusId, announce) {
    board.classList.add("busy");
    return fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Board": "fragment", "Accept": "text/html" }
    }).then(function (r) {
      return r.text().then(function (html) { return { ok: r.ok, status: r.status, html: html }; });
    }).then(function (answer) {
      board.classList.remove("busy");
      if (answer.html.indexOf('id="board"') < 0) { form.submit(); return; }
      swap(answer.html, focusId);
      if (answer.ok && announce) say(announce);
    }).catch(function () { board.classList.remove("busy"); form.submit(); });
  }
  function labelOf(drop) {
    if (drop.getAttribute("data-drop") === "aside") return (document.getElementById("aside-title") || {}).textContent || "aside";
    var theme = drop.closest(".board-theme");
    var label = theme && theme.querySelector(".label");
    return label ? label.textContent : "";
  }
  function moveCard(card, target) {
    var id = card.getAttribute("data-card");
    var here = card.closest("[data-drop]");
    if (here && here.getAttribute("data-drop") === target) return;
    var form, select;
    if (target === "aside") {
      form = card.querySelector('form[action$="/board/aside"]');
    } else if (card.classList.contains("aside")) {
      form = card.querySelector('form[action$="/board/back"]');
    } else {
      form = card.querySelector("form[data-board-move]");
    }
    if (!form) return;
    select = form.querySelector("select[name=theme]");
    if (select && target !== "aside") select.value = target;
    var drop = board.querySelector('[data-drop="' + target + '"]');
    post(form, "card-" + id, (drop ? labelOf(drop) : "") + ": " + (card.querySelector(".text") || card).textContent.slice(0, 60));
  }

  // Drag and drop.
  holder.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".board-card");
    if (!card) return;
    e.dataTransfer.setData("text/plain", card.getAttribute("data-card"));
    e.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  holder.addEventListener("dragend", function (e) {
    var card = e.target.closest && e.target.closest(".board-card");
    if (card) card.classList.remove("dragging");
    board.querySelectorAll(".target").forEach(function (t) { t.classList.remove("target"); });
  });
  function dropOf(e) {
    var el = e.target.closest && e.target.closest("[data-drop], .board-theme");
    if (!el) return null;
    return el.hasAttribute("data-drop") ? el : el.querySelector("[data-drop]");
  }
  holder.addEventListener("dragover", function (e) {
    var drop = dropOf(e);
    if (!drop) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".target").forEach(function (t) { if (t !== drop) t.classList.remove("target"); });
    drop.classList.add("target");
  });
  holder.addEventListener("drop", function (e) {
    var drop = dropOf(e);
    if (!drop) return;
    e.preventDefault();
    var id = e.dataTransfer.getData("text/plain");
    var card = document.getElementById("card-" + id);
    drop.classList.remove("target");
    if (card) moveCard(card, drop.getAttribute("data-drop"));
  });

  // The keyboard.
  function targets() { return Array.prototype.slice.call(board.querySelectorAll("[data-drop]")); }
  function mark(index) {
    var all = lifted.targets;
    all.forEach(function (t, i) { t.classList.toggle("target", i === index); });
    lifted.index = index;
    if (all[index]) {
      all[index].scrollIntoView({ block: "nearest" });
      say(labelOf(all[index]) + " (" + (index + 1) + "/" + all.length + ")");
    }
  }
  function drop(cancel) {
    if (!lifted) return;
    var card = lifted.card, target = lifted.targets[lifted.index];
    card.classList.remove("lifted");
    card.setAttribute("aria-grabbed", "false");
    lifted.targets.forEach(function (t) { t.classList.remove("target"); });
    lifted = null;
    if (cancel || !target) { say("—"); setTimeout(catchUp, 50); return; }
    moveCard(card, target.getAttribute("data-drop"));
  }
  holder.addEventListener("keydown", function (e) {
    var card = e.target.classList && e.target.classList.contains("board-card") ? e.target : null;
    if (!card) return;
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      if (lifted && lifted.card === card) { drop(false); return; }
      var all = targets();
      var here = all.indexOf(card.closest("[data-drop]"));
      lifted = { card: card, targets: all, index: here };
      card.classList.add("lifted");
      card.setAttribute("aria-grabbed", "true");
      mark(here < 0 ? 0 : here);
    } else if (lifted && lifted.card === card && (e.key === "ArrowDown" || e.key === "ArrowRight")) {
      e.preventDefault(); mark((lifted.index + 1) % lifted.targets.length);
    } else if (lifted && lifted.card === card && (e.key === "ArrowUp" || e.key === "ArrowLeft")) {
      e.preventDefault(); mark((lifted.index - 1 + lifted.targets.length) % lifted.targets.length);
    } else if (lifted && e.key === "Escape") {
      e.preventDefault(); drop(true);
    }
  });
  holder.addEventListener("focusout", function (e) {
    if (lifted && e.target === lifted.card && !document.hasFocus()) drop(true);
  });

  // The other forms of the board (move, set aside, themes) also answer with the board in place.
  holder.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.closest || !form.closest("#board") || form.hasAttribute("data-plain")) return;
    e.preventDefault();
    var card = form.closest(".board-card, .board-theme");
    post(form, card ? card.id : null, null);
  });

  // Another host's edit (or a re-run that finished) arrives on the session's live stream: the board is
  // fetched again, unless this host is in the middle of something (a card picked up or being dragged, a
  // field being typed in); then as soon as that is over.
  var behind = false;
  function busy() {
    var active = document.activeElement;
    return lifted || board.querySelector(".dragging") ||
      (active && board.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
  }
  function catchUp() {
    if (!behind || busy()) return;
    behind = false;
    var active = document.activeElement;
    var keep = active && board.contains(active) && active.id ? active.id : null;
    fetch(board.getAttribute("data-board"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) swap(html, keep); })
      .catch(function () {});
  }
  if (window.EventSource && board.getAttribute("data-events")) {
    var stream = new EventSource(board.getAttribute("data-events"));
    stream.addEventListener(board.getAttribute("data-channel"), function (e) {
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data.type !== "board" && data.type !== "phase") return;
      // A phase event about the status this board already shows changes nothing here (every edit of the
      // board itself comes as a "board" event with its version).
      if (data.type === "phase" && data.status && data.status === board.getAttribute("data-status")) return;
      // A change of the background draft's state (queued, running, failed, done: data.job) always counts.
      if (data.version !== undefined && Number(data.version) <= Number(board.getAttribute("data-version")) && !data.running && !data.job) return;
      behind = true;
      catchUp();
    });
    holder.addEventListener("focusout", function () { setTimeout(catchUp, 50); });
    holder.addEventListener("dragend", function () { setTimeout(catchUp, 50); });
  }

  // A re-run in the background: look again every few seconds until it is done.
  var timer = null;
  function watch() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (board.getAttribute("data-running") !== "yes") return;
    timer = setTimeout(function () {
      fetch(board.getAttribute("data-board"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) swap(html, null); else watch(); })
        .catch(watch);
    }, 3000);
  }
  watch();
})();
