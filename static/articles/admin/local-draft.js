// Unsent text survives a crash, a closed tab or a lost connection: the article's title and body
// are kept in this browser's local storage as they are typed (autosave.js keeps them on the server,
// but only every few seconds, and only while the server answers). Opening the form again with
// other text than what was kept offers it back; a successful save forgets it (issue 14).
(function () {
  "use strict";
  var FIELDS = ["title", "body"];
  var DELAY_MS = 400;
  var SENT = "article-draft-sent"; // sessionStorage: the key of the draft a submitted form held

  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (error) { return null; }
  }
  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (error) { /* storage refused: nothing kept */ }
  }

  function button(text) {
    var made = document.createElement("button");
    made.type = "button";
    made.className = "button";
    made.textContent = text;
    return made;
  }

  function wire() {
    // The page after a save that went through (the list, or the form again): what the form held
    // is stored now.
    var sent = window.sessionStorage.getItem(SENT);
    window.sessionStorage.removeItem(SENT);
    if (sent && document.querySelector(".messagelist .success") && !document.querySelector(".errornote")) forget(sent);

    var form = document.querySelector("#content-main form[method=post][id$=_form]");
    if (!form || !form.elements.namedItem("body")) return;
    var key = "article-draft:" + window.location.pathname;
    function values() {
      var kept = {};
      FIELDS.forEach(function (name) {
        var input = form.elements.namedItem(name);
        if (input) kept[name] = input.value.replace(/\r\n?/g, "\n");
      });
      return kept;
    }
    function same(draft) {
      var now = values();
      return FIELDS.every(function (name) { return (draft.fields[name] || "") === (now[name] || ""); });
    }

    var draft = read(key);
    var offer = null;
    if (draft && draft.fields && same(draft)) {
      forget(key);
    } else if (draft && draft.fields) {
      offer = document.createElement("div");
      offer.className = "local-draft-offer";
      offer.setAttribute("role", "alert");
      var text = document.createElement("p");
      text.textContent = "This browser kept text typed here at " + new Date(draft.at).toLocaleString() +
        " that was never saved (the page was closed or the browser stopped).";
      var restore = button("Restore the unsaved text");
      var discard = button("Discard it");
      offer.append(text, restore, " ", discard);
      form.parentNode.insertBefore(offer, form);
      restore.addEventListener("click", function () {
        FIELDS.forEach(function (name) {
          var input = form.elements.namedItem(name);
          if (!input || draft.fields[name] === undefined) return;
          input.value = draft.fields[name];
          input.dispatchEvent(new Event("input", { bubbles: true })); // preview, autosave, warning follow
        });
        offer.remove();
      });
      discard.addEventListener("click", function () { forget(key); offer.remove(); });
    }

    var timer = null;
    form.addEventListener("input", function (event) {
      if (FIELDS.indexOf(event.target.name) < 0) return;
      // Text restored some other way (autosave.js's offer) is what this browser kept: no second offer.
      if (offer && same(draft)) { offer.remove(); offer = null; }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        try {
          window.localStorage.setItem(key, JSON.stringify({ at: Date.now(), fields: values() }));
        } catch (error) { /* storage full or refused: the server's autosave still runs */ }
      }, DELAY_MS);
    });
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      window.sessionStorage.setItem(SENT, key);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
