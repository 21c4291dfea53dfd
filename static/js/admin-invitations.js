// The invitations page of the admin: copy button and confirmations. The page works without it.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!input) { return; }
    button.hidden = false;
    function copied() { if (status) { status.textContent = button.getAttribute("data-copied"); } }
    function fallback() {
      input.focus();
      input.select();
      try { if (document.execCommand("copy")) { copied(); } } catch (error) { /* the text stays selected */ }
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(copied, fallback);
      } else {
        fallback();
      }
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("form [data-once]").forEach(function (button) {
    button.form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
