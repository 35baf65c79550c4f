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

// The evaluator's total while they score (COM-09, COM-10), rounded as the server rounds (SubsidiaCore's
// Scorecard.points: each criterion's weight times the share of the scale reached, in hundredths of a point,
// half up); the total that counts is the one the server computes when the scores are saved.
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.querySelector("[data-score-grid]");
  var out = document.querySelector("[data-live-total]");
  if (!holder || !out || !window.JSON) { return; }
  var grid;
  try { grid = JSON.parse(holder.getAttribute("data-score-grid")); } catch (e) { return; }
  var form = document.querySelector("form[action$='/scores']");
  if (!form) { return; }
  function score(code) {
    var field = form.elements[code];
    var n = field ? parseInt(field.value, 10) : NaN;
    return isNaN(n) ? 0 : Math.max(0, Math.min(grid.scale, n));
  }
  function update() {
    var hundredths = 0;
    grid.criteria.forEach(function (c) {
      var n = c.questions.length, sum = 0;
      if (n === 0 || grid.scale <= 0) { return; }
      c.questions.forEach(function (q) { sum += score(q); });
      var d = n * grid.scale;
      hundredths += Math.floor((c.weight * 100 * sum * 2 + d) / (2 * d));
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[name=bonus]:checked"), function (box) {
      hundredths += (grid.bonuses[box.value] || 0) * 100;
    });
    out.textContent = Math.floor(hundredths / 100) + (grid.decimalComma ? "," : ".") + ("0" + (hundredths % 100)).slice(-2);
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  // After a refused save the form keeps what was chosen, which the saved total does not count yet.
  update();
});
