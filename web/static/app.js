// Progressive only: the questionnaire works without it. It warns before leaving a page whose
// answers were changed but not saved (a page shown again after a refused save starts so), brings
// the person back to the question they were on after saving, and keeps a list question's
// "not provided" box and its options from being ticked together.
"use strict";
(function () {
  var form = document.getElementById("questionnaire");
  if (!form) return;
  var dirty = form.getAttribute("data-unsaved") === "true";
  var focus = form.querySelector('input[name="focus"]');
  function changed() { dirty = true; }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  form.addEventListener("focusin", function (event) {
    var question = event.target.closest && event.target.closest(".question");
    if (question && focus) focus.value = question.getAttribute("data-question");
  });
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.checked) return;
    var question = box.closest(".question");
    if (!question) return;
    var boxes = question.querySelectorAll('input[type="checkbox"][name="' + box.name + '"]');
    for (var i = 0; i < boxes.length; i++) {
      if ((box.value === "not_provided") !== (boxes[i].value === "not_provided")) boxes[i].checked = false;
    }
  });
})();
