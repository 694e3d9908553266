// The room's shared script: one live stream per page (server-sent events) that the room's other scripts
// listen to (wkRoom.on("votes", fn)), and the round timer, which counts down from the end time the server
// gives (corrected for this device's clock), so every phone and the projector show the same. Without
// JavaScript the timer shows the minutes left when the page was made.
(function () {
  var handlers = {};
  var source = null;
  var room = window.wkRoom = {
    on: function (type, fn) { (handlers[type] = handlers[type] || []).push(fn); room.connect(); },
    connect: function () {
      if (source || !window.EventSource) return;
      var el = document.querySelector("[data-room-events]");
      if (!el) return;
      source = new EventSource(el.getAttribute("data-room-events"));
      var channel = "session:" + el.getAttribute("data-room-session");
      var deliver = function (e) {
        var data = JSON.parse(e.data);
        (handlers[data.type] || []).concat(handlers["*"] || []).forEach(function (fn) { fn(data); });
      };
      source.addEventListener(channel, deliver);
      source.addEventListener(channel + ":votes", deliver);
      source.addEventListener(channel + ":input", deliver);
    }
  };

  var skew = 0;  // server clock minus this device's clock, in ms
  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function draw(el) {
    var state = el.getAttribute("data-state");
    var left = parseInt(el.getAttribute("data-left") || "0", 10);
    if (state === "running") {
      var ends = parseInt(el.getAttribute("data-ends"), 10);
      left = Math.max(0, Math.ceil((ends - (Date.now() + skew)) / 1000));
      if (left === 0) state = "done";
    }
    var clock = el.querySelector(".clock");
    if (clock) clock.textContent = format(left);
    el.classList.toggle("over", state === "done");
    el.classList.toggle("paused", state === "paused");
    var label = el.querySelector(".timer-state");
    if (label) label.textContent = el.getAttribute("data-label-" + state) || "";
    el.hidden = state === "idle";
  }
  function tick() {
    var timers = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < timers.length; i++) draw(timers[i]);
  }
  var first = document.querySelector("[data-timer]");
  if (first && first.getAttribute("data-now")) skew = parseInt(first.getAttribute("data-now"), 10) - Date.now();
  room.on("timer", function (data) {
    if (data.now) skew = data.now - Date.now();
    var timers = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < timers.length; i++) {
      if (String(data.round) !== timers[i].getAttribute("data-round")) continue;
      timers[i].setAttribute("data-state", data.state);
      timers[i].setAttribute("data-left", String(data.left));
      timers[i].setAttribute("data-ends", data.ends_at === null ? "" : String(data.ends_at));
    }
    tick();
  });
  tick();
  setInterval(tick, 250);
})();
