// markdownx uploads a dropped or pasted image and inserts its Markdown, but shows nothing when the
// server refuses the file; say why under the editor (the message comes from articles/uploads.py).
(function () {
  "use strict";
  function messageFor(detail) {
    var response = detail && detail[0];
    if (response && response.image && response.image.length) return response.image.join(" ");
    return "The image could not be uploaded.";
  }
  function wire() {
    document.querySelectorAll(".markdownx").forEach(function (parent) {
      var note = document.createElement("p");
      note.className = "markdownx-upload-note";
      note.setAttribute("role", "status");
      parent.parentNode.insertBefore(note, parent.nextSibling);
      parent.addEventListener("markdownx.fileUploadBegin", function () {
        note.className = "markdownx-upload-note";
        note.textContent = "Uploading image…";
      });
      parent.addEventListener("markdownx.fileUploadEnd", function () {
        note.textContent = "Image uploaded and inserted.";
      });
      parent.addEventListener("markdownx.fileUploadError", function (event) {
        note.className = "markdownx-upload-note errornote";
        note.textContent = messageFor(event.detail);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
