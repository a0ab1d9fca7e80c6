// An image dropped or pasted into the body goes on a line of its own (markdownx types its Markdown
// at the caret, mid-sentence if that is where the caret was) and the editor is asked at once for
// its alt text, which goes into the Markdown: ![what it shows](url) (issue 14).
(function () {
  "use strict";

  function ownLine(value, at, length) {
    var before = value.slice(0, at).replace(/[ \t]+$/, "");
    var after = value.slice(at + length).replace(/^[ \t]+/, "");
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = after === "" ? "\n" : /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    return { text: before + lead + value.substr(at, length) + tail + after, start: before.length + lead.length };
  }
  function altText(text) { return text.replace(/[\\\[\]]/g, "\\$&").replace(/\s+/g, " ").trim(); }

  function button(text) {
    var made = document.createElement("button");
    made.type = "button";
    made.className = "button";
    made.textContent = text;
    return made;
  }

  function askForAlt(widget, editor, code) {
    var form = document.createElement("div");
    form.className = "image-alt-prompt";
    form.setAttribute("role", "group");
    form.setAttribute("aria-labelledby", "image-alt-prompt-label");
    var label = document.createElement("label");
    label.id = "image-alt-prompt-label";
    label.htmlFor = "image-alt-prompt-input";
    label.textContent = "The image is in the article. What does it show? (Its alt text, for readers who cannot see it; leave empty only if it is decoration.)";
    var input = document.createElement("input");
    input.type = "text";
    input.id = "image-alt-prompt-input";
    input.className = "vTextField";
    var add = button("Add alt text");
    var skip = button("Not now");
    form.append(label, input, " ", add, " ", skip);
    var old = widget.parentNode.querySelector(".image-alt-prompt");
    if (old) old.remove();
    widget.parentNode.insertBefore(form, widget.nextSibling);
    input.focus();

    function done() { form.remove(); editor.focus(); }
    function apply() {
      var alt = altText(input.value);
      var at = editor.value.indexOf(code);
      if (alt && at >= 0) {
        var withAlt = code.replace(/^!\[\]/, "![" + alt + "]");
        editor.value = editor.value.slice(0, at) + withAlt + editor.value.slice(at + code.length);
        editor.setSelectionRange(at + withAlt.length, at + withAlt.length);
        editor.dispatchEvent(new Event("input", { bubbles: true }));
      }
      done();
    }
    add.addEventListener("click", apply);
    skip.addEventListener("click", done);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); apply(); }  // not the form's Save
      if (event.key === "Escape") { event.preventDefault(); done(); }
    });
  }

  function wire() {
    document.querySelectorAll(".markdownx").forEach(function (widget) {
      var editor = widget.querySelector("textarea.markdownx-editor");
      if (!editor) return;
      widget.addEventListener("markdownx.fileUploadEnd", function (event) {
        var code = event.detail && event.detail[0] && event.detail[0].image_code;
        if (!code) return;
        var caret = editor.selectionStart;
        var at = editor.value.lastIndexOf(code, caret);
        if (at < 0) at = editor.value.indexOf(code);
        if (at < 0) return;
        var placed = ownLine(editor.value, at, code.length);
        editor.value = placed.text;
        var end = placed.start + code.length;
        editor.setSelectionRange(end, end);
        editor.dispatchEvent(new Event("input", { bubbles: true })); // the preview, drafts and warnings follow
        if (/^!\[\]/.test(code)) askForAlt(widget, editor, code);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
