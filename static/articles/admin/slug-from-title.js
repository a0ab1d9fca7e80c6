// A new article's slug follows its title, made by the site exactly as the importer makes it
// (ArticleAdmin.slug_view: transliterated, reserved addresses and taken slugs avoided), until the
// editor types a slug of their own. Replaces Django's prepopulated_fields, whose slugs differ.
(function () {
  "use strict";
  function wire() {
    var title = document.getElementById("id_title");
    var slug = document.getElementById("id_slug");
    if (!title || !slug || slug.value) return; // an existing article keeps its address
    var url = window.location.pathname.replace(/\/add\/$/, "/slug/");
    if (url === window.location.pathname) return;
    var typedByHand = false, timer = null, asked = 0;
    slug.addEventListener("input", function () { typedByHand = slug.value !== ""; });
    title.addEventListener("input", function () {
      if (typedByHand) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var mine = ++asked;
        fetch(url + "?title=" + encodeURIComponent(title.value), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (answer) {
            if (answer && mine === asked && !typedByHand) slug.value = answer.slug;
          })
          .catch(function () {});
      }, 250);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
