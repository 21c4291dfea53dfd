// The signup wizard, made nicer: every page works without this file.
(function () {
  "use strict";

  // Messages come from the page (data-msg-*), translated there.
  function text(container, name) {
    return container.getAttribute("data-msg-" + name.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); })) || "";
  }

  function status(element, message) {
    if (!element) { return; }
    element.textContent = "";
    window.setTimeout(function () { element.textContent = message; }, 50);
  }

  // --- Fonction: an ARIA 1.2 combobox with a list of suggestions ------------------------------
  function setUpJobTitle(container) {
    var url = container.getAttribute("data-job-title-search");
    var input = container.querySelector("input[name='job_title']");
    if (!url || !input) { return; }
    var combo = document.createElement("div");
    combo.className = "job-title__combo";
    input.parentNode.insertBefore(combo, input);
    combo.appendChild(input);
    var listbox = document.createElement("ul");
    listbox.id = input.id + "_listbox";
    listbox.className = "job-title__listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", text(container, "listLabel"));
    listbox.hidden = true;
    combo.appendChild(listbox);
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    combo.appendChild(live);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    var options = [];
    var active = -1;
    var timer = null;
    var request = 0;

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      options.forEach(function (option, i) { option.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(index) {
      input.value = options[index].textContent;
      close();
      status(live, text(container, "chosen").replace("%s", input.value));
    }
    function show(results) {
      listbox.textContent = "";
      options = results.map(function (result, i) {
        var option = document.createElement("li");
        option.id = listbox.id + "_" + i;
        option.className = "job-title__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.name;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); });
        listbox.appendChild(option);
        return option;
      });
      active = -1;
      if (options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status(live, options.length === 1 ? text(container, "one") :
          text(container, "many").replace("%s", String(options.length)));
      } else {
        close();
        status(live, text(container, "none"));
      }
    }
    function search() {
      var query = input.value.trim();
      if (query.length < 2) { close(); return; }
      var mine = ++request;
      fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === request) { show(data.results || []); } })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (listbox.hidden) { search(); return; }
        highlight(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!listbox.hidden) { highlight(Math.max(active - 1, 0)); }
      } else if (event.key === "Enter" && !listbox.hidden && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && !listbox.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  document.querySelectorAll("[data-job-title-search]").forEach(setUpJobTitle);

  // --- Bénéficiaires: add and remove rows in the page -----------------------------------------
  function setUpBeneficiaries(container) {
    var prefix = container.getAttribute("data-prefix");
    var max = parseInt(container.getAttribute("data-max"), 10) || 15;
    var list = container.querySelector("[data-beneficiary-list]");
    var template = container.querySelector("template[data-beneficiary-template]");
    var addButton = container.querySelector("[data-beneficiary-add]");
    var empty = container.querySelector("[data-beneficiary-empty]");
    var live = container.querySelector("[data-beneficiary-status]");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var initial = document.getElementById("id_" + prefix + "-INITIAL_FORMS");
    if (!list || !template || !total) { return; }
    var pattern = new RegExp(prefix + "-\\d+-", "g");
    var attributes = ["name", "id", "for", "aria-describedby", "aria-controls"];

    function rows() { return Array.prototype.slice.call(list.querySelectorAll("[data-beneficiary-row]")); }
    function renumber() {
      rows().forEach(function (row, i) {
        row.id = "beneficiaire-" + (i + 1);
        row.querySelectorAll("[data-beneficiary-number]").forEach(function (el) { el.textContent = String(i + 1); });
        row.querySelectorAll("*").forEach(function (el) {
          attributes.forEach(function (name) {
            var value = el.getAttribute(name);
            if (value && value.indexOf(prefix + "-") !== -1) {
              el.setAttribute(name, value.replace(pattern, prefix + "-" + i + "-"));
            }
          });
        });
        var remove = row.querySelector("[data-beneficiary-remove]");
        if (remove) { remove.value = String(i); }
      });
      var count = rows().length;
      total.value = String(count);
      if (initial && parseInt(initial.value, 10) > count) { initial.value = String(count); }
      if (empty) { empty.hidden = count > 0; }
      if (addButton) { addButton.hidden = count >= max; }
    }

    if (addButton) {
      addButton.addEventListener("click", function (event) {
        event.preventDefault();
        var count = rows().length;
        if (count >= max) { return; }
        var html = template.innerHTML.replace(/__prefix__/g, String(count)).replace(/__number__/g, String(count + 1));
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var row = holder.firstElementChild;
        list.appendChild(row);
        renumber();
        var first = row.querySelector("select, input");
        if (first) { first.focus(); }
        status(live, text(container, "added").replace("%s", String(count + 1)));
      });
    }
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-beneficiary-remove]");
      if (!button) { return; }
      event.preventDefault();
      button.closest("[data-beneficiary-row]").remove();
      renumber();
      (addButton && !addButton.hidden ? addButton : container).focus();
      status(live, text(container, "removed"));
    });
  }

  document.querySelectorAll("[data-beneficiaries]").forEach(setUpBeneficiaries);

  // --- Error summary: a link shows the question, not only the input (GOV.UK) ------------------
  // The question is the legend of the input's fieldset (a date) or its label; the page scrolls
  // to it and the input takes the focus.
  function question(input) {
    var group = input.closest("fieldset");
    if (group) {
      var legend = group.querySelector("legend");
      if (legend) { return legend; }
    }
    return input.id ? document.querySelector("label[for='" + input.id + "']") : null;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!input || !input.matches("input, select, textarea")) { return; }
    var target = question(input);
    if (!target) { return; }
    event.preventDefault();
    target.scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });

  // --- Date of birth: a whole date typed or pasted in "Jour" fills the three fields ------------
  var WHOLE_DATE = /^\s*(\d{1,2})\s*[\/.\- ]\s*(\d{1,2})\s*[\/.\- ]\s*(\d{4})\s*$/;
  var ISO_DATE = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/;
  document.addEventListener("input", function (event) {
    var day = event.target;
    var container = day.closest && day.closest("[data-date-input]");
    if (!container) { return; }
    var parts = container.querySelectorAll("input");
    if (parts.length !== 3 || parts[0] !== day) { return; }
    var match = WHOLE_DATE.exec(day.value);
    var iso = match ? null : ISO_DATE.exec(day.value);
    if (!match && !iso) { return; }
    parts[0].value = match ? match[1] : iso[3];
    parts[1].value = match ? match[2] : iso[2];
    parts[2].value = match ? match[3] : iso[1];
  });
})();
