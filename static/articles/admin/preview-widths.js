// The live preview at a reader's screen width: beside the editor (the default), or under it at a
// phone's, a tablet's or a desktop's width, to see how the article's lines, images and tables
// fall there (issue 14). The choice is kept for the next article.
(function () {
  "use strict";
  var WIDTHS = [
    ["beside", "Beside the editor"],
    ["phone", "Phone (375 px)"],
    ["tablet", "Tablet (768 px)"],
    ["desktop", "Desktop (full width)"],
  ];
  var KEPT = "article-preview-width";

  function wire() {
    document.querySelectorAll(".markdownx").forEach(function (widget) {
      if (!widget.querySelector(".markdownx-preview")) return;
      var bar = document.createElement("div");
      bar.className = "preview-widths";
      bar.setAttribute("role", "group");
      bar.setAttribute("aria-label", "Preview width");
      var label = document.createElement("span");
      label.textContent = "Preview:";
      bar.append(label);
      var buttons = WIDTHS.map(function (width) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.dataset.width = width[0];
        button.textContent = width[1];
        button.addEventListener("click", function () { choose(width[0]); });
        bar.append(" ", button);
        return button;
      });
      function choose(width) {
        if (width === "beside") delete widget.dataset.previewWidth; else widget.dataset.previewWidth = width;
        buttons.forEach(function (button) {
          button.setAttribute("aria-pressed", String(button.dataset.width === width));
        });
        try { window.localStorage.setItem(KEPT, width); } catch (error) { /* not kept: fine */ }
      }
      widget.parentNode.insertBefore(bar, widget);
      var kept = null;
      try { kept = window.localStorage.getItem(KEPT); } catch (error) { /* storage refused */ }
      choose(WIDTHS.some(function (width) { return width[0] === kept; }) ? kept : "beside");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
