// A search box <input data-filter="SELECTOR"> hides the elements SELECTOR matches that do not contain
// what is typed (the public pages allow scripts from files only: no inline handlers).
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-filter]")) return;
  var typed = box.value.toLowerCase();
  document.querySelectorAll(box.dataset.filter).forEach(function (item) {
    item.hidden = !item.textContent.toLowerCase().includes(typed);
  });
});
