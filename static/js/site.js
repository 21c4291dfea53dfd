// Enhancements only: every page works without this file.
(function () {
  "use strict";
  // A submit button marked data-once disables itself after the first click.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    form.querySelectorAll("button[data-once]").forEach(function (button) {
      window.setTimeout(function () { button.disabled = true; button.setAttribute("aria-disabled", "true"); }, 0);
    });
  });
  // "Afficher" toggles for password fields.
  document.querySelectorAll("[data-password-toggle]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      button.setAttribute("aria-pressed", String(!shown));
      button.textContent = shown ? button.dataset.show : button.dataset.hide;
    });
  });
  // An error summary takes the focus, so that screen readers read it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
