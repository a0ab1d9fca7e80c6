// markdownx uploads a dropped or pasted image and inserts its Markdown, but when the server refuses
// the file it shows nothing and types "Invalid response" into the article at the caret. Say why
// under the editor instead (the message comes from articles/images/uploads.py) and take that text back out.
(function () {
  "use strict";
  var MARKDOWNX_ERROR_TEXT = "Invalid response";  // markdownx.js XHR_RESPONSE_ERROR

  function messageFor(detail) {
    var response = detail && detail[0];
    if (response && response.image && response.image.length) return response.image.join(" ");
    return "The image could not be uploaded.";
  }

  // Put back the text as it was when the upload failed, if markdownx's insertion is the only change.
  function undoErrorText(box, before, start, end) {
    if (box.value !== before.slice(0, start) + MARKDOWNX_ERROR_TEXT + before.slice(end)) return;
    box.value = before;
    box.selectionStart = start;
    box.selectionEnd = end;
    box.dispatchEvent(new Event("input"));
  }

  function wire() {
    document.querySelectorAll(".markdownx").forEach(function (parent) {
      var box = parent.querySelector("textarea.markdownx-editor");
      var note = document.createElement("p");
      note.className = "markdownx-upload-note";
      note.setAttribute("role", "status");
      parent.parentNode.insertBefore(note, parent.nextSibling);
      parent.addEventListener("markdownx.fileUploadEnd", function () {
        note.className = "markdownx-upload-note";
        note.textContent = "Image uploaded and inserted.";
      });
      parent.addEventListener("markdownx.fileUploadError", function (event) {
        note.className = "markdownx-upload-note errornote";
        note.textContent = messageFor(event.detail);
        // markdownx inserts its text at the caret right after raising this event.
        if (!box) return;
        var before = box.value, start = box.selectionStart, end = box.selectionEnd;
        setTimeout(function () { undoErrorText(box, before, start, end); }, 0);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
