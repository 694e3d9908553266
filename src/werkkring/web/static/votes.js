// Progressive enhancement of the dot-voting page: the forms are sent with fetch (no reload), and every
// card's count follows everyone's dots over the session's live stream. Without JavaScript the forms post and
// the page reloads with the same result.
(function () {
  var root = document.getElementById("votes");
  if (!root || !window.fetch) return;
  var csrf = root.getAttribute("data-csrf");
  var dots = parseInt(root.getAttribute("data-dots"), 10);
  var errorBox = document.getElementById("vote-error");

  function setLeft(left) {
    var shown = document.getElementById("left");
    if (shown) shown.textContent = String(left);
    var marks = root.querySelectorAll(".dots .dot");
    for (var i = 0; i < marks.length; i++) marks[i].classList.toggle("spent", i >= left);
  }
  function setCount(card, count) {
    var el = root.querySelector('[data-count="' + card + '"]');
    if (el && el.textContent !== String(count)) {
      el.textContent = String(count);
      var unit = el.parentNode.querySelector(".unit");
      if (unit) unit.textContent = unit.getAttribute(count === 1 ? "data-one" : "data-many");
      el.classList.remove("bump"); void el.offsetWidth; el.classList.add("bump");
    }
  }
  function setMine(form, mine) {
    var item = form.closest(".vote-card");
    var button = form.querySelector("button");
    item.classList.toggle("voted", mine);
    form.setAttribute("action", mine ? form.getAttribute("data-back") : form.getAttribute("data-put"));
    button.className = mine ? "secondary" : "";
    var text = mine ? button.getAttribute("data-back-label") : button.getAttribute("data-put-label");
    button.textContent = text;
    var label = button.getAttribute("aria-label") || "";
    button.setAttribute("aria-label", text + label.slice(label.indexOf(":")));
  }

  root.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("vote-form")) return;
    e.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
      body: new FormData(form)
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) {
        errorBox.textContent = answer.body.error || "";
        errorBox.hidden = false;
        return;
      }
      errorBox.hidden = true;
      setMine(form, answer.body.mine);
      setCount(answer.body.card, answer.body.count);
      setLeft(answer.body.left);
    }).catch(function () {
      form.submit();
    }).then(function () { button.disabled = false; });
  });

  if (!window.wkRoom) return;
  window.wkRoom.on("votes", function (data) { setCount(data.card, data.count); });
  window.wkRoom.on("voting", function (data) {
    if (data.voting !== root.getAttribute("data-voting") || data.dots !== dots) window.location.reload();
  });
})();
