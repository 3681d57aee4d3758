// Live updates: wait (long poll) until this community's record changes,
// then reload a page that only shows things, or offer a reload on a page
// where a form is being filled, so nothing typed is lost.
(function () {
  "use strict";
  var since = null;
  function offer() {
    if (document.getElementById("live")) return;
    var p = document.createElement("p");
    p.id = "live";
    p.className = "found";
    p.setAttribute("role", "status");
    var a = document.createElement("a");
    a.href = location.href;
    a.textContent = "The record changed: reload this page";
    p.appendChild(a);
    document.querySelector("main").prepend(p);
  }
  function filling() {
    return document.querySelector(
      "main form input:not([type=hidden]), main form textarea, main form select");
  }
  function poll() {
    var url = "/live" + (since === null ? "" : "?since=" + encodeURIComponent(since));
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      })
      .then(function (v) {
        if (since !== null && v !== since) {
          if (!filling()) {
            location.reload();
            return;
          }
          offer();
        }
        since = v;
        poll();
      })
      .catch(function () {
        setTimeout(poll, 5000);
      });
  }
  poll();
})();
