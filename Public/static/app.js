// Progressive enhancement only: every page works without this file.
// Moves focus to the error summary so screen-reader users hear what went wrong.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});

// Autosave of application sections: a few seconds after typing stops, and when the page is left.
// The server applies the same checks and version locking as the Save button; a conflict or an
// expired session leaves the typed text in place and says what to do.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.URLSearchParams) { return; }
  var url = form.getAttribute("data-autosave");
  var status = form.querySelector(".autosave-status");
  var version = form.querySelector("input[name=version]");
  var csrf = form.querySelector("input[name=_csrf]");
  var timer = null, dirty = false, stopped = false;
  function say(text) { if (status) { status.textContent = text; } }
  function save(keepalive) {
    if (!dirty || stopped) { return; }
    dirty = false;
    var body = new URLSearchParams(new FormData(form));
    fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: !!keepalive,
                 headers: { "X-CSRF-Token": csrf ? csrf.value : "" } })
      .then(function (r) {
        if (r.status === 403) { stopped = true; say(form.getAttribute("data-expired") || ""); return null; }
        return r.json().then(function (j) {
          if (j.version && version) { version.value = String(j.version); }
          if (j.conflict) { stopped = true; }
          say(j.message || "");
        });
      })
      .catch(function () { dirty = true; });
  }
  form.addEventListener("input", function () {
    dirty = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { save(false); }, 3000);
  });
  window.addEventListener("pagehide", function () { save(true); });
  form.addEventListener("submit", function () { stopped = true; if (timer) { clearTimeout(timer); } });
});
