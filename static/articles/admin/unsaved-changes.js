// Changes not yet saved are not lost without a question (issue 14, defect 3): leaving the change
// form (closing the tab, reloading, following a link in the admin) after changing it asks first.
// A form sent with Save asks nothing; nor does one left as it was loaded. A form the server sent
// back with errors holds text that is not saved yet, so leaving it asks too.
(function () {
  "use strict";
  var QUESTION = "This article has changes that are not saved. Leave the page and lose them?";
  // What the form's own scripts change without the editor: the CSRF token, the loaded version.
  var IGNORED = ["csrfmiddlewaretoken", "loaded_version"];

  function snapshot(form) {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (IGNORED.indexOf(name) >= 0) return;
      var text = typeof value === "string" ? value.replace(/\r\n?/g, "\n") : value.name + ":" + value.size;
      parts.push(name + "=" + text);
    });
    return JSON.stringify(parts);
  }

  function wire() {
    var form = document.querySelector("#content-main form[method=post][id$=_form]");
    if (!form) return;
    var loaded = snapshot(form);
    var sentBackWithErrors = Boolean(form.querySelector(".errornote, .errorlist"));
    var leaving = false;
    function changed() { return !leaving && (sentBackWithErrors || snapshot(form) !== loaded); }

    form.addEventListener("submit", function () { leaving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!changed()) return;
      event.preventDefault();
      event.returnValue = QUESTION; // what older browsers need to ask at all
      return QUESTION;
    });
    // A link in the admin asks in our words (beforeunload shows the browser's own), once.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || event.defaultPrevented || event.button !== 0) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return; // a new tab or window
      if (link.target && link.target !== "_self") return;
      var href = link.getAttribute("href");
      if (href.charAt(0) === "#" || /^javascript:/i.test(href)) return; // the date and time shortcuts
      if (!changed()) return;
      if (window.confirm(QUESTION)) {
        leaving = true;
      } else {
        event.preventDefault();
      }
    });
    // A page restored from the back/forward cache keeps its leaving flag: reset it.
    window.addEventListener("pageshow", function (event) { if (event.persisted) leaving = false; });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
