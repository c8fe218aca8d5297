// The risk form: beside each stage's likelihood and impact, the level they give on the
// assessment's matrix, as the person chooses (the grid comes from the page, read-only).
(function () {
  "use strict";
  function ready() {
    var data = document.getElementById("matrix-levels");
    if (!data) { return; }
    var matrix = JSON.parse(data.textContent);
    ["inherent", "current", "residual"].forEach(function (stage) {
      var likelihood = document.getElementById("id_" + stage + "_likelihood");
      var impact = document.getElementById("id_" + stage + "_impact");
      if (!likelihood || !impact) { return; }
      var pill = document.createElement("span");
      pill.className = "lvl";
      pill.setAttribute("data-level-of", stage);
      pill.setAttribute("aria-live", "polite");
      impact.parentNode.appendChild(pill);
      function show() {
        var l = parseInt(likelihood.value, 10), i = parseInt(impact.value, 10);
        var level = (l && i) ? matrix.levels[matrix.grid[l - 1][i - 1]] : null;
        pill.textContent = level ? level.name : "";
        pill.className = level ? "lvl lvl-" + level.colour : "lvl";
        pill.hidden = !level;
      }
      likelihood.addEventListener("change", show);
      impact.addEventListener("change", show);
      show();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
