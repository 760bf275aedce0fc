// The trial page's checklist: sends the answers as they change and swaps in the updated
// checklist. Answers are kept in sessionStorage (this tab only) unless the person asks to
// remember them on this device (localStorage). Without this script the form posts normally.
"use strict";
(function () {
  var form = document.getElementById("answers");
  var result = document.getElementById("checklist-result");
  if (!form || !result || !window.fetch || !window.FormData) return;
  var key = "eligo-answers";
  var remember = document.getElementById("remember");
  var forget = document.getElementById("forget");
  var timer = null;
  var sequence = 0;

  function storage() {
    return remember && remember.checked ? window.localStorage : window.sessionStorage;
  }

  function collect() {
    var answers = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "file" || field.type === "hidden") return;
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      if (field.value !== "") answers[field.name] = field.value;
    });
    return answers;
  }

  function store() {
    try {
      var text = JSON.stringify(collect());
      storage().setItem(key, text);
      (storage() === window.localStorage ? window.sessionStorage : window.localStorage)
        .removeItem(key);
    } catch (e) { /* storage full or disabled: answers simply are not kept */ }
  }

  function restore() {
    var text = null;
    try {
      text = window.localStorage.getItem(key);
      if (text && remember) remember.checked = true;
      text = text || window.sessionStorage.getItem(key);
    } catch (e) { return false; }
    if (!text) return false;
    var answers;
    try { answers = JSON.parse(text); } catch (e) { return false; }
    var restored = false;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || !(field.name in answers) || field.type === "file") return;
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = field.value === answers[field.name];
      } else {
        field.value = answers[field.name];
      }
      restored = true;
    });
    return restored;
  }

  function send() {
    var mine = ++sequence;
    form.setAttribute("aria-busy", "true");
    fetch(form.action.split("#")[0], {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRF-Token": window.eligo.csrfToken(), "X-Eligo-Fragment": "1" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.text().then(function (body) { return [response, body]; });
    }).then(function (pair) {
      if (mine !== sequence) return; // a newer answer is on its way
      form.removeAttribute("aria-busy");
      if (pair[0].ok) {
        result.innerHTML = pair[1]; // rendered and escaped by the server
        showProblems();
      } else {
        result.querySelector(".verdict").insertAdjacentHTML(
          "afterbegin", '<p class="problem" role="alert"></p>');
        result.querySelector(".verdict .problem").textContent =
          "Your answers could not be checked (" + pair[0].status + "). Try again in a moment.";
      }
    }).catch(function () {
      form.removeAttribute("aria-busy");
    });
  }

  // Problems found by the server are shown next to the fields they concern.
  function showProblems() {
    Array.prototype.forEach.call(form.querySelectorAll(".problem.live"), function (p) {
      p.remove();
    });
    var data = result.querySelector("[data-problems]");
    if (!data) return;
    var problems;
    try { problems = JSON.parse(data.getAttribute("data-problems")); } catch (e) { return; }
    Object.keys(problems).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (!field || !field.parentNode || field.length) return;
      var p = document.createElement("p");
      p.className = "problem live";
      p.textContent = problems[name];
      field.closest(".field") ? field.closest(".field").appendChild(p) : field.after(p);
    });
  }

  function changed(event) {
    if (event.target === remember) { store(); return; }
    store();
    window.clearTimeout(timer);
    timer = window.setTimeout(send, event.type === "input" ? 450 : 0);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    send();
  });
  if (forget) {
    forget.hidden = false;
    forget.addEventListener("click", function () {
      try { window.sessionStorage.removeItem(key); window.localStorage.removeItem(key); }
      catch (e) { /* nothing kept */ }
      form.reset();
      send();
    });
  }
  var rememberLabel = document.getElementById("remember-label");
  if (rememberLabel) rememberLabel.hidden = false;
  if (restore()) send();
})();
