// The live preview follows the caret: the block being edited is scrolled into view in the preview.
// The preview is the page's own HTML (no source positions in it), so the block is found by its
// words: the caret's line, stripped of Markdown marks, is looked for in the preview's blocks; when
// no block has it (a table row, a code fence's first line), the preview scrolls in proportion.
(function () {
  "use strict";
  var BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, table, figure, img";
  function plain(line) {
    return line
      .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/, "")
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/[*_`~]/g, "")
      .trim();
  }
  function wire() {
    document.querySelectorAll("textarea.markdownx-editor").forEach(function (editor) {
      var preview = editor.closest(".markdownx") && editor.closest(".markdownx").querySelector(".markdownx-preview");
      if (!preview) return;
      var pending = null;
      function follow() {
        var before = editor.value.slice(0, editor.selectionStart);
        var lineStart = before.lastIndexOf("\n") + 1;
        var lineEnd = editor.value.indexOf("\n", editor.selectionStart);
        var words = plain(editor.value.slice(lineStart, lineEnd < 0 ? undefined : lineEnd)).slice(0, 40);
        var target = null;
        if (words.length >= 3) {
          var blocks = preview.querySelectorAll(BLOCKS);
          for (var i = 0; i < blocks.length && !target; i++) {
            if (blocks[i].textContent.replace(/\s+/g, " ").indexOf(words.replace(/\s+/g, " ")) >= 0) target = blocks[i];
          }
        }
        var top;
        if (target) {
          top = target.getBoundingClientRect().top - preview.getBoundingClientRect().top + preview.scrollTop - 16;
        } else {
          var lines = editor.value.split("\n").length || 1;
          top = (before.split("\n").length / lines) * preview.scrollHeight - preview.clientHeight / 2;
        }
        var visibleTop = preview.scrollTop, visibleBottom = visibleTop + preview.clientHeight;
        if (top < visibleTop || top > visibleBottom - 48) preview.scrollTop = Math.max(0, top);
        preview.dataset.followed = target ? target.tagName.toLowerCase() : "proportion";
      }
      function soon() { window.clearTimeout(pending); pending = window.setTimeout(follow, 120); }
      ["keyup", "click", "input", "focus"].forEach(function (type) { editor.addEventListener(type, soon); });
      // markdownx replaces the preview's content after each render: follow again once it has.
      new MutationObserver(soon).observe(preview, { childList: true });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
