/* The lifecycle view: a choice in a filter shows the matching files at once (the form also works without
   JavaScript, with its button). */
(function () {
  "use strict";
  var form = document.getElementById("lifecycle-filters");
  if (!form) { return; }
  Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
    select.addEventListener("change", function () {
      var params = new URLSearchParams();
      Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) {
        if (s.value) { params.set(s.name, s.value); }
      });
      var query = params.toString();
      window.location.href = form.getAttribute("action") + (query ? "?" + query : "");
    });
  });
})();
