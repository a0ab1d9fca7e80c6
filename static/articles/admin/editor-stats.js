// Beside the body editor: its word count and reading time, counted from the live preview as the
// site counts them when it saves (articles/markdown.py outline(): the rendered text's words,
// without the headings' "#" links, at WORDS_PER_MINUTE, rounded up) (issue 14).
(function () {
  "use strict";
  var WORDS_PER_MINUTE = 230; // articles/markdown.py WORDS_PER_MINUTE; tests/test_editor_scripts.py checks

  function countWords(preview) {
    var copy = preview.cloneNode(true);
    copy.querySelectorAll(".header-anchor").forEach(function (anchor) { anchor.remove(); });
    var words = copy.textContent.split(/\s+/).filter(Boolean);
    return words.length;
  }
  function describe(words) {
    var minutes = words ? Math.ceil(words / WORDS_PER_MINUTE) : 0;
    var count = words.toLocaleString("en") + (words === 1 ? " word" : " words");
    return minutes ? count + " · " + minutes + " min read" : count;
  }

  function wire() {
    document.querySelectorAll(".markdownx").forEach(function (widget) {
      var preview = widget.querySelector(".markdownx-preview");
      if (!preview) return;
      var stats = document.createElement("p");
      stats.className = "editor-stats";
      stats.setAttribute("aria-live", "polite");
      widget.parentNode.insertBefore(stats, widget.nextSibling);
      function update() { stats.textContent = describe(countWords(preview)); }
      // markdownx replaces the preview's content after each render.
      new MutationObserver(update).observe(preview, { childList: true });
      update();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
