// Private notes on a trial page: select text → "Add a note" → a short form; notes listed in the
// notes panel, shared through a passcode-protected link. The owner is an anonymous random key
// kept in this browser's localStorage and sent as the X-Eligo-Owner header. Everything shown is
// set through textContent: nothing a note contains is ever parsed as HTML.
"use strict";
(function () {
  var panel = document.getElementById("notes");
  if (!panel || !window.fetch || !window.crypto) return;
  var trialId = panel.getAttribute("data-trial-id");
  var scope = panel.closest("article") || document.body;
  var STORAGE_KEY = "eligo-notes-owner";
  var MAX_QUOTE = 2000;

  var noteForm = panel.querySelector(".note-form");
  var quoteView = panel.querySelector(".note-quote");
  var bodyField = panel.querySelector("#note-body");
  var statusLine = panel.querySelector(".notes-status");
  var list = panel.querySelector(".notes-list");
  var shareForm = panel.querySelector(".share-form");
  var shareResult = panel.querySelector(".share-result");
  var shareLink = panel.querySelector(".share-link");
  var sharesBox = panel.querySelector(".shares");
  var sharesList = panel.querySelector(".shares-list");
  var pending = null;

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function ownerKey() {
    var key = null;
    try { key = window.localStorage.getItem(STORAGE_KEY); } catch (e) { key = null; }
    if (!key || !/^[0-9a-f]{32}$/.test(key)) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      key = hex(bytes);
      try { window.localStorage.setItem(STORAGE_KEY, key); } catch (e) { /* private mode */ }
    }
    return key;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function call(method, url, data) {
    var headers = { "X-Eligo-Owner": ownerKey(), Accept: "application/json" };
    var options = { method: method, headers: headers, credentials: "same-origin" };
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
    if (data !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(data);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) return null;
      return response.json().then(function (body) {
        if (!response.ok) {
          var detail = body && typeof body.detail === "string" ? body.detail : null;
          throw new Error(detail || "Something went wrong (" + response.status + ").");
        }
        return body;
      });
    });
  }

  function say(text) { statusLine.textContent = text; }

  var base = "/api/notes/trials/" + encodeURIComponent(trialId);

  // -- the selection and the floating button ---------------------------------------------

  var addButton = document.createElement("button");
  addButton.type = "button";
  addButton.className = "note-add";
  addButton.textContent = "Add a note";
  addButton.hidden = true;
  document.body.appendChild(addButton);

  function sectionOf(node) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    var section = element && element.closest("section, article");
    return section && scope.contains(section) ? section : scope;
  }

  function sectionName(section) {
    var name = section.id || section.getAttribute("aria-labelledby") || "page";
    return /^[A-Za-z0-9_-]{1,64}$/.test(name) ? name : "page";
  }

  function offsetIn(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function quotable(range) {
    var around = range.commonAncestorContainer;
    var element = around.nodeType === 1 ? around : around.parentElement;
    return scope.contains(around) && !panel.contains(around) &&
      !(element && element.closest("form, input, textarea, select, button"));
  }

  function onSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      addButton.hidden = true;
      return;
    }
    var range = selection.getRangeAt(0);
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (!text || !quotable(range)) { addButton.hidden = true; return; }
    var section = sectionOf(range.startContainer);
    pending = {
      quote: text.slice(0, MAX_QUOTE),
      anchor: {
        section: sectionName(section),
        start: offsetIn(section, range.startContainer, range.startOffset),
        end: offsetIn(section, range.endContainer, range.endOffset),
      },
    };
    var box = range.getBoundingClientRect();
    addButton.style.top = Math.max(0, window.scrollY + box.bottom + 6) + "px";
    addButton.style.left = Math.max(0, window.scrollX + box.left) + "px";
    addButton.hidden = false;
  }

  var timer = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(onSelection, 120);
  });
  document.addEventListener("mouseup", function () { window.setTimeout(onSelection, 0); });
  // Keep the selection when the button is pressed.
  addButton.addEventListener("mousedown", function (event) { event.preventDefault(); });
  function openForm() {
    if (!pending) {
      say("First select a piece of text on this page.");
      return;
    }
    noteForm.hidden = false;
    quoteView.textContent = pending.quote;
    addButton.hidden = true;
    bodyField.focus();
  }
  addButton.addEventListener("click", openForm);
  // For keyboard users: select with Shift and the arrow keys, then Tab to this button.
  var fromSelection = panel.querySelector(".note-from-selection");
  fromSelection.hidden = false;
  fromSelection.addEventListener("click", openForm);

  // -- finding a note's passage again --------------------------------------------------------

  function sectionNamed(name) {
    if (name === "page") return scope;
    var found = document.getElementById(name) ||
      scope.querySelector('section[aria-labelledby="' + name + '"]');
    return found && scope.contains(found) ? found : scope;
  }

  // The text node and offset at character ``count`` of ``container``'s text.
  function pointAt(container, count) {
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    var node = walker.nextNode();
    while (node) {
      if (count <= node.length) return { node: node, offset: count };
      count -= node.length;
      node = walker.nextNode();
    }
    return null;
  }

  function show(note) {
    var section = sectionNamed(note.anchor.section);
    var start = pointAt(section, note.anchor.start);
    var end = pointAt(section, note.anchor.end);
    var range = document.createRange();
    if (start && end) {
      range.setStart(start.node, start.offset);
      range.setEnd(end.node, end.offset);
    }
    // The page may have changed since (a new version of the trial): then say so.
    var found = range.toString().replace(/\s+/g, " ").trim().slice(0, MAX_QUOTE);
    if (!start || !end || found !== note.quote) {
      say("This passage is no longer on the page as it was when you noted it.");
      return;
    }
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var element = start.node.parentElement;
    if (element) element.scrollIntoView({ block: "center" });
    addButton.hidden = true;
  }

  // -- notes -------------------------------------------------------------------------------

  function showNotes(notes) {
    list.textContent = "";
    notes.forEach(function (note) {
      var item = document.createElement("li");
      item.className = "note-item";
      var quote = document.createElement("blockquote");
      quote.textContent = note.quote;
      var text = document.createElement("p");
      text.className = "note-body";
      text.textContent = note.body;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = "Delete";
      remove.setAttribute("aria-label", "Delete the note on: " + note.quote.slice(0, 60));
      remove.addEventListener("click", function () {
        call("DELETE", "/api/notes/" + encodeURIComponent(note.id)).then(load, function (e) {
          say(e.message);
        });
      });
      var find = document.createElement("button");
      find.type = "button";
      find.className = "secondary note-show";
      find.textContent = "Show on the page";
      find.addEventListener("click", function () { show(note); });
      item.appendChild(quote);
      item.appendChild(text);
      item.appendChild(find);
      item.appendChild(remove);
      list.appendChild(item);
    });
    shareForm.hidden = notes.length === 0;
  }

  function load() {
    return call("GET", base).then(showNotes, function (e) { say(e.message); });
  }

  noteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!pending) return;
    var note = { quote: pending.quote, anchor: pending.anchor, body: bodyField.value };
    call("POST", base, note).then(function () {
      noteForm.hidden = true;
      bodyField.value = "";
      pending = null;
      say("Note saved. Only you can see it.");
      return load();
    }, function (e) { say(e.message); });
  });
  panel.querySelector(".note-cancel").addEventListener("click", function () {
    noteForm.hidden = true;
    pending = null;
  });

  // -- shares ------------------------------------------------------------------------------

  function showShares(shares) {
    sharesList.textContent = "";
    shares.filter(function (s) { return s.trial_id === trialId; }).forEach(function (share) {
      var item = document.createElement("li");
      var until = new Date(share.expires_at).toLocaleDateString();
      var label = share.notes + " note" + (share.notes === 1 ? "" : "s") + ", until " + until;
      item.textContent = share.revoked ? label + " (withdrawn) " : label + " ";
      if (!share.revoked) {
        var revoke = document.createElement("button");
        revoke.type = "button";
        revoke.className = "secondary";
        revoke.textContent = "Withdraw the link";
        revoke.addEventListener("click", function () {
          call("POST", "/api/notes/shares/" + share.id + "/revoke").then(loadShares, function (e) {
            say(e.message);
          });
        });
        item.appendChild(revoke);
      }
      sharesList.appendChild(item);
    });
    sharesBox.hidden = sharesList.children.length === 0;
  }

  function loadShares() {
    return call("GET", "/api/notes/shares").then(showShares, function (e) { say(e.message); });
  }

  shareForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var passcode = shareForm.querySelector("#share-passcode");
    var days = parseInt(shareForm.querySelector("#share-days").value, 10);
    call("POST", base + "/shares", { passcode: passcode.value, days: days }).then(function (made) {
      passcode.value = "";
      shareLink.href = made.url;
      shareLink.textContent = made.url;
      shareResult.hidden = false;
      say("Link created. Send the passcode separately.");
      return loadShares();
    }, function (e) { say(e.message); });
  });

  load();
  loadShares();
})();
