// Progressive only: the questionnaire works without it.
// - A page shown again by a refused form takes the address of the page the form is on, so that a
//   reload shows that page instead of sending the form again.
// - What a page says on arrival (an error summary, a conflict, a saved confirmation) takes the
//   focus, so that a screen reader announces it and the eye finds it where the page opens.
// - It warns before leaving a page whose answers were changed but not saved (a page shown again
//   after a refused save starts so), brings the person back to the question they were on after
//   saving, and keeps a list question's "not provided" box and its options from being ticked
//   together. A page may hold several such forms: submitting one warns if another holds unsaved changes.
"use strict";
(function () {
  var address = document.body.getAttribute("data-address");
  if (address && window.history.replaceState) window.history.replaceState(null, "", address + location.hash);
  var arrival = document.querySelector("[data-focus-on-load]");
  if (arrival) {
    arrival.focus({ preventScroll: true });
    arrival.scrollIntoView({ block: "center" });
  }
})();
(function () {
  var forms = document.querySelectorAll("form.questionnaire");
  if (!forms.length) return;
  var dirty = [];
  var leaving = null;
  Array.prototype.forEach.call(forms, function (form) {
    if (form.getAttribute("data-unsaved") === "true") dirty.push(form);
    var focus = form.querySelector('input[name="focus"]');
    function changed() { if (dirty.indexOf(form) < 0) dirty.push(form); }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { leaving = form; });
    form.addEventListener("focusin", function (event) {
      var question = event.target.closest && event.target.closest("[data-question]");
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
  });
  window.addEventListener("beforeunload", function (event) {
    var unsaved = dirty.filter(function (form) { return form !== leaving; });
    leaving = null;
    if (unsaved.length) { event.preventDefault(); event.returnValue = ""; }
  });
})();
