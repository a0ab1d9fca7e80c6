// Every admin page (templates/admin/base_site.html): names for the select2 boxes of Django's
// autocomplete fields and of the change list's author and tag filters. select2 hides the <select>
// its <label> names and shows a combobox named only by the choice it shows (nothing when empty),
// and a multiple choice (tags) gets a search box with no name at all: axe's serious
// aria-input-field-name and critical label rules (issue 14, defect 9).
(function () {
  "use strict";
  function nameOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) return label.textContent.replace(/:\s*$/, "").trim();
    var filter = select.closest("[data-filter-title]");
    if (filter) return "Filter by " + filter.getAttribute("data-filter-title");
    return select.getAttribute("aria-label") || "";
  }
  function name(select) {
    var box = select.nextElementSibling; // select2 puts its own box right after the <select>
    var text = nameOf(select);
    if (!text || !box || !box.classList.contains("select2")) return;
    box.querySelectorAll('[role="combobox"]').forEach(function (combobox) {
      // Named by the field; the choice it shows (select2's aria-labelledby) read as its description.
      var shown = combobox.getAttribute("aria-labelledby");
      if (shown) combobox.setAttribute("aria-describedby", shown);
      combobox.removeAttribute("aria-labelledby");
      combobox.setAttribute("aria-label", text);
    });
    // The box showing the choice is an ARIA textbox too.
    box.querySelectorAll('.select2-selection__rendered[role="textbox"]').forEach(function (shown) {
      shown.setAttribute("aria-label", text);
    });
    box.querySelectorAll(".select2-search__field").forEach(function (search) {
      search.setAttribute("aria-label", "Search for " + text.toLowerCase());
    });
  }
  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete, select[data-filter-parameter]").forEach(name);
  }
  function madeABox(mutation) {
    for (var i = 0; i < mutation.addedNodes.length; i++) {
      var node = mutation.addedNodes[i];
      if (node.nodeType === 1 && node.classList.contains("select2-container")) return true;
    }
    return false;
  }
  // Django's autocomplete.js makes the boxes when jQuery is ready, which can come after the page's
  // load event, and again for an inline formset's "Add another": name each box once it is made.
  function wire() {
    nameAll();
    new MutationObserver(function (mutations) {
      if (mutations.some(madeABox)) nameAll();
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
