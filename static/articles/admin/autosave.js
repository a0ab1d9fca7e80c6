// Autosave (articles/autosaves.py): while an editor types on an article's change page, its text goes
// to the server a few seconds after the last keystroke, beside the article and never into it (a
// published article changes only on Save). Opening the page again after a crash or a closed tab
// offers the text back. A status line says what happened: "Saving…", "Autosaved at …", or why not.
(function () {
  "use strict";
  var DELAY_MS = 3000;
  var FIELDS = ["title", "slug", "excerpt", "body", "image_alt", "image_url", "locale", "canonical_url", "source_url"];

  function wire() {
    var form = document.getElementById("article_form");
    var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!form || !token || !/\/change\/$/.test(window.location.pathname)) return;
    var url = window.location.pathname.replace(/\/change\/$/, "/autosave/");
    var status = document.createElement("p");
    status.className = "autosave-status";
    status.setAttribute("role", "status");
    var submitRow = form.querySelector(".submit-row");
    (submitRow ? submitRow.parentNode : form).insertBefore(status, submitRow);

    function field(name) { return form.elements.namedItem(name); }
    function post(extra) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", token.value);
      Object.keys(extra).forEach(function (name) { data.append(name, extra[name]); });
      return fetch(url, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("the server answered " + response.status);
        return response.json();
      });
    }

    var timer = null, submitting = false;
    function autosave() {
      var values = {};
      FIELDS.forEach(function (name) { var input = field(name); if (input) values[name] = input.value; });
      var version = field("loaded_version");
      if (version) values.loaded_version = version.value;
      status.textContent = "Saving a draft copy…";
      post(values)
        .then(function (answer) {
          status.textContent = "Autosaved at " + answer.autosave.saved_label + " (not yet saved to the article: press Save).";
        })
        .catch(function (error) {
          status.textContent = "Not autosaved (" + error.message + "); your text is still on this page.";
        });
    }
    form.addEventListener("input", function (event) {
      if (submitting || !event.target.name || FIELDS.indexOf(event.target.name) < 0) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(autosave, DELAY_MS);
    });
    form.addEventListener("submit", function () { submitting = true; window.clearTimeout(timer); });

    // Text autosaved earlier and never saved: offer it back.
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || !answer.autosave) return;
        var offer = document.createElement("div");
        offer.className = "autosave-offer";
        offer.setAttribute("role", "alert");
        var text = document.createElement("p");
        text.textContent = "You have text autosaved at " + answer.autosave.saved_label +
          " that was never saved to this article." + (answer.autosave.article_changed_since
            ? " The article has been saved since: restoring your text would undo those changes, so compare first."
            : "");
        var restore = document.createElement("button");
        restore.type = "button";
        restore.className = "button";
        restore.textContent = "Restore it into the form";
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "button";
        discard.textContent = "Discard it";
        offer.append(text, restore, " ", discard);
        form.parentNode.insertBefore(offer, form);
        restore.addEventListener("click", function () {
          Object.keys(answer.autosave.fields).forEach(function (name) {
            var input = field(name);
            if (!input) return;
            input.value = answer.autosave.fields[name];
            input.dispatchEvent(new Event("input", { bubbles: true })); // the live preview follows
          });
          offer.remove();
          status.textContent = "Restored the text autosaved at " + answer.autosave.saved_label + ". Press Save to keep it.";
        });
        discard.addEventListener("click", function () {
          post({ discard: "1" }).then(function () { offer.remove(); status.textContent = "Discarded the autosaved text."; });
        });
      })
      .catch(function () {});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
