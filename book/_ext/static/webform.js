/* The web book's explorers: HTML controls over states computed when the book was built
   (cnnkit.book.explorer.Explorer.web_form). Each form embeds its data as JSON:
     names   the controls, in order        values  the values each control offers
     states  "i|j|k" -> [page, shown]       html    the pages, shared parts as @@cnnkit:N@@
     parts   pictures and drawings that several pages share
   Moving a control (pointer or keyboard) shows the page of the new combination. */
(function () {
  "use strict";

  function setUp(form) {
    var data = JSON.parse(form.querySelector("script.cnnkit-webform__data").textContent);
    var output = form.querySelector(".cnnkit-webform__output");
    var controls = data.names.map(function (name) {
      return form.querySelector('[name="' + name + '"]');
    });

    function page(index) {
      return data.html[index].replace(/@@cnnkit:(\d+)@@/g, function (_, k) {
        return data.parts[Number(k)];
      });
    }

    function show() {
      var key = controls.map(function (c) { return c.value; }).join("|");
      var state = data.states[key];
      if (!state) { return; }
      output.innerHTML = page(state[0]);
      controls.forEach(function (control, k) {
        var chosen = data.values[k][Number(control.value)];
        var shown = state[1][k];
        var note = control.parentNode.querySelector("output");
        if (control.type === "range") {
          control.setAttribute("aria-valuetext", String(shown));
          note.textContent = String(shown);
        } else {
          // a rule of the explorer may show another value than the one chosen
          note.textContent = String(shown) === String(chosen) ? "" : "shown: " + shown;
        }
      });
      form.setAttribute("data-state", key);
    }

    controls.forEach(function (control) {
      control.addEventListener("input", show);
      control.addEventListener("change", show);
    });
    show();
  }

  function start() {
    document.querySelectorAll(".cnnkit-webform").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
