// Tsunagu's own small behaviours. No inline scripts (CSP: script-src 'self').
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) {
    window.print();
  }
});
// Choosing "new" in the triage form opens the matching block of fields.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (input.type === "radio" && (input.name === "household_mode" || input.name === "person_mode")) {
    var section = input.closest("section");
    var details = section && section.querySelector("details.new-block");
    if (details) {
      details.open = input.value === "new";
    }
  }
});
