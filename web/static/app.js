// Progressive only: the questionnaire works without it. It warns before leaving a page whose
// answers were changed but not saved.
"use strict";
(function () {
  var form = document.getElementById("questionnaire");
  if (!form) return;
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
