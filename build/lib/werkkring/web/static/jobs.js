// Progressive enhancement: the job list reloads itself shortly after a job changes (server-sent events).
// Without JavaScript a reload shows the same.
(function () {
  var marker = document.querySelector("[data-live-jobs]");
  if (!marker || !window.EventSource) return;
  var source = new EventSource(marker.getAttribute("data-live-jobs"));
  var pending = null;
  source.addEventListener("jobs", function () {
    if (pending) return;
    pending = setTimeout(function () { window.location.reload(); }, 1500);
  });
})();
