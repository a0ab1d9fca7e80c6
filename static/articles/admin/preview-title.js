// The preview renders with the article's title (a leading body H1 equal to it is dropped, as on the
// page), so send the title along: markdownx reads its preview URL from this attribute on each call.
(function () {
  "use strict";
  function wire() {
    var title = document.getElementById("id_title");
    var editors = document.querySelectorAll("textarea.markdownx-editor");
    if (!title || !editors.length) return;
    editors.forEach(function (editor) {
      var base = editor.getAttribute("data-markdownx-urls-path").split("?")[0];
      function point() {
        editor.setAttribute("data-markdownx-urls-path", base + "?title=" + encodeURIComponent(title.value));
      }
      point();
      title.addEventListener("input", function () {
        point();
        editor.dispatchEvent(new Event("input"));
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
