// eligo's own script: small helpers every page may use (window.eligo), no dependencies.
"use strict";
(function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // POST a form's fields with the CSRF header; resolves to the fetch Response.
  function postForm(form, url) {
    return fetch(url || form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
    });
  }

  window.eligo = { csrfToken: csrfToken, postForm: postForm };
})();
