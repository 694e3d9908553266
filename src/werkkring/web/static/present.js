// The projector follows the room without reloading: on each live event of the session (input, dots, the
// voting, the groups, the host's themes) it fetches its changing part again, at most a few times a second,
// and every 20 s in any case. Themes are shown one at a time: arrow keys, space or a click step through them;
// the one on screen stays when the part is fetched again.
(function () {
  var root = document.getElementById("present");
  if (!root || !window.fetch) return;
  document.documentElement.classList.add("js");
  var stage = document.getElementById("stage");
  var url = root.getAttribute("data-state-url");
  var shown = null;  // the theme on screen, by id
  var pending = null;

  function themes() { return stage.querySelectorAll(".theme"); }
  function show(index) {
    var all = themes();
    if (!all.length) return;
    index = (index + all.length) % all.length;
    for (var i = 0; i < all.length; i++) all[i].classList.toggle("shown", i === index);
    shown = all[index].getAttribute("data-theme");
  }
  function current() {
    var all = themes();
    for (var i = 0; i < all.length; i++) if (all[i].getAttribute("data-theme") === shown) return i;
    return 0;
  }
  function phases() {
    var state = stage.querySelector(".state");
    if (!state) return;
    var phase = state.getAttribute("data-phase");
    var names = ["signup", "groups", "input", "synthesis", "published"];
    var items = document.querySelectorAll("#phases li");
    for (var i = 0; i < items.length; i++) {
      var now = names[i] === phase;
      items[i].classList.toggle("now", now);
      if (now) items[i].setAttribute("aria-current", "step"); else items[i].removeAttribute("aria-current");
    }
  }
  function bumps(before) {
    var cells = stage.querySelectorAll("[data-input]");
    for (var i = 0; i < cells.length; i++) {
      var key = cells[i].getAttribute("data-input");
      if (before[key] !== undefined && before[key] !== cells[i].textContent) cells[i].classList.add("bump");
    }
  }
  function refresh() {
    pending = null;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var before = {};
        var cells = stage.querySelectorAll("[data-input]");
        for (var i = 0; i < cells.length; i++) before[cells[i].getAttribute("data-input")] = cells[i].textContent;
        stage.innerHTML = html;
        bumps(before);
        phases();
        show(current());
      })
      .catch(function () {});
  }
  function soon() { if (!pending) pending = setTimeout(refresh, 300); }

  show(0);
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight" || e.key === " " || e.key === "PageDown") { show(current() + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "PageUp") { show(current() - 1); e.preventDefault(); }
  });
  stage.addEventListener("click", function () { show(current() + 1); });
  if (window.wkRoom) window.wkRoom.on("*", function (data) { if (data.type !== "timer") soon(); });
  setInterval(refresh, 20000);

  var full = document.getElementById("fullscreen");
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
    document.addEventListener("fullscreenchange", function () { full.hidden = !!document.fullscreenElement; });
  }
})();
