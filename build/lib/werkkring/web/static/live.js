// Progressive enhancement: the host's input panel refreshes itself every few seconds. Without JavaScript the
// "Refresh" link does the same.
(function () {
  var panel = document.getElementById("live");
  if (!panel || !window.fetch) return;
  var url = panel.getAttribute("data-live");
  var last = panel.innerHTML;
  function refresh() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html !== last) { panel.innerHTML = html; last = html; }
      })
      .catch(function () {});
  }
  setInterval(refresh, 3000);
})();
