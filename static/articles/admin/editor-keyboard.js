// The body editor must not trap the keyboard (WCAG 2.1.2; issue 14, defect 4). markdownx makes Tab
// and Shift+Tab indent and unindent, which Markdown needs; as in accessible code editors, Esc then
// Tab (or Shift+Tab) moves the focus on instead, and a hint under the editor says so.
(function () {
  "use strict";
  var MODIFIERS = ["Shift", "Control", "Alt", "Meta"];
  var HINT = "Tab indents. To leave the editor from the keyboard, press Esc, then Tab (or Shift+Tab to go back).";

  function wire() {
    document.querySelectorAll(".markdownx").forEach(function (widget) {
      var editor = widget.querySelector("textarea.markdownx-editor");
      if (!editor) return;
      var hint = document.createElement("div");
      hint.id = (editor.id || "editor") + "-keyboard-hint";
      hint.className = "help editor-keyboard-hint";
      hint.textContent = HINT;
      widget.parentNode.insertBefore(hint, widget.nextSibling);
      var described = editor.getAttribute("aria-describedby");
      editor.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);

      var leaving = false;
      // On the widget, in the capture phase: before markdownx's own listener on the textarea.
      widget.addEventListener("keydown", function (event) {
        if (event.target !== editor || MODIFIERS.indexOf(event.key) >= 0) return;
        if (event.key === "Escape") {
          leaving = true;
          widget.classList.add("markdownx--leaving");
          return;
        }
        if (event.key === "Tab" && leaving) {
          // markdownx never sees this Tab: the browser's default moves the focus.
          event.stopPropagation();
        }
        leaving = false;
        widget.classList.remove("markdownx--leaving");
      }, true);
      editor.addEventListener("blur", function () {
        leaving = false;
        widget.classList.remove("markdownx--leaving");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
