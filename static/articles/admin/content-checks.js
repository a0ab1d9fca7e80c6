// A content check panel under the body editor, read from the live preview (the page's own HTML)
// and, for headings, from the Markdown: images without alt text, heading levels skipped, links with
// no text or with text that says nothing out of context ("click here"), and a missing excerpt
// (issue 14). Advice, not refusal: the article saves either way.
(function () {
  "use strict";
  var VAGUE_LINK = /^(click here|here|click|read more|more|this|this link|link)$/i;

  function clip(text) {
    text = text.replace(/\s+/g, " ").trim();
    return text.length > 60 ? text.slice(0, 57) + "…" : text;
  }
  function fileName(src) { return src.split("?")[0].split("/").pop() || src; }

  // Read from the Markdown, not the preview: the site renumbers headings so the page skips no level
  // (articles/markdown.py), which would hide what was written.
  function skippedHeadings(source) {
    var found = [], level = 1, fence = null; // the title is the page's level 1
    source.split("\n").forEach(function (line) {
      var marker = line.match(/^ {0,3}(`{3,}|~{3,})/);
      if (marker) {
        if (!fence) fence = marker[1].charAt(0); else if (marker[1].charAt(0) === fence) fence = null;
        return;
      }
      var heading = !fence && line.match(/^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/);
      if (!heading) return;
      var next = heading[1].length;
      if (next > level + 1) {
        found.push("The heading “" + clip(heading[2]) + "” (" + heading[1] + ") skips a level after " +
          (level === 1 ? "the title" : "a level-" + level + " heading") + ": make it " + "#".repeat(level + 1) + ".");
      }
      level = Math.max(next, 1);
    });
    return found;
  }

  function problems(preview, excerpt, source) {
    var found = [];
    preview.querySelectorAll("img").forEach(function (image) {
      if (!(image.getAttribute("alt") || "").trim()) {
        found.push("An image has no alt text (" + fileName(image.getAttribute("src") || "") + "): describe it for readers who cannot see it.");
      }
    });
    skippedHeadings(source).forEach(function (problem) { found.push(problem); });
    preview.querySelectorAll("a[href]").forEach(function (link) {
      if (link.classList.contains("header-anchor")) return; // the headings' own "#" links
      var images = Array.prototype.map.call(link.querySelectorAll("img[alt]"), function (image) { return image.alt; });
      var text = clip(link.textContent + " " + images.join(" "));
      if (!text) {
        found.push("A link to " + link.getAttribute("href") + " has no text: readers cannot tell where it goes.");
      } else if (VAGUE_LINK.test(text)) {
        found.push("A link says “" + text + "”: say where it goes instead (" + link.getAttribute("href") + ").");
      }
    });
    if (excerpt && !excerpt.value.trim()) {
      found.push("The excerpt is empty: lists, search results and shared links show it.");
    }
    return found;
  }

  function wire() {
    document.querySelectorAll(".markdownx").forEach(function (widget) {
      var preview = widget.querySelector(".markdownx-preview");
      if (!preview) return;
      var excerpt = document.getElementById("id_excerpt");
      var editor = widget.querySelector("textarea.markdownx-editor");
      var panel = document.createElement("section");
      panel.className = "content-checks";
      panel.setAttribute("aria-labelledby", "content-checks-title");
      var title = document.createElement("h3");
      title.id = "content-checks-title";
      var list = document.createElement("ul");
      panel.append(title, list);
      var after = widget.nextSibling;
      while (after && after.nodeType === 1 && /editor-stats|editor-keyboard-hint/.test(after.className)) after = after.nextSibling;
      widget.parentNode.insertBefore(panel, after);
      function update() {
        var found = problems(preview, excerpt, editor ? editor.value : "");
        title.textContent = found.length ? "Content checks: " + found.length + " to look at" : "Content checks: nothing to fix";
        list.replaceChildren.apply(list, found.map(function (problem) {
          var item = document.createElement("li");
          item.textContent = problem;
          return item;
        }));
        panel.classList.toggle("content-checks--clear", !found.length);
      }
      new MutationObserver(update).observe(preview, { childList: true });
      if (excerpt) excerpt.addEventListener("input", update);
      update();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
