// While an article's change page is open, tell the site so once a minute (articles/admin_conflicts.py):
// others who open it are told it is being edited, and this page shows who else has it open.
(function () {
  "use strict";
  var HEARTBEAT_MS = 60 * 1000;
  function wire() {
    var form = document.getElementById("article_form");
    var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!form || !token || !/\/change\/$/.test(window.location.pathname)) return;
    var url = window.location.pathname.replace(/\/change\/$/, "/presence/");
    var notice = document.createElement("p");
    notice.className = "presence-notice";
    notice.setAttribute("role", "status");
    notice.hidden = true;
    form.parentNode.insertBefore(notice, form);
    function beat() {
      fetch(url, { method: "POST", headers: { "X-CSRFToken": token.value }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) return;
          // The server's notice is built with format_html: names are escaped there.
          notice.innerHTML = answer.notice;
          notice.hidden = !answer.notice;
        })
        .catch(function () {});
    }
    window.setInterval(beat, HEARTBEAT_MS);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
