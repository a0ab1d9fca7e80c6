// Show the chosen lead image before the form is saved, beside the one already stored.
(function () {
  "use strict";
  function wire() {
    var input = document.getElementById("id_image");
    if (!input) return;
    var preview = document.createElement("img");
    preview.className = "cover-preview";
    preview.alt = "The image chosen for upload";
    preview.hidden = true;
    input.parentNode.appendChild(preview);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (preview.src) URL.revokeObjectURL(preview.src);
      preview.hidden = !file;
      if (file) preview.src = URL.createObjectURL(file);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
