// Floor plan editing: tap an exhibitor's booth, then another booth: the exhibitor moves there
// (or the two swap). It fills and sends the "Move or swap" form, so it works like the form does.
(function () {
  const plan = document.querySelector("#plan svg.interactive");
  const form = document.getElementById("swap-form");
  const status = document.getElementById("plan-status");
  if (!plan || !form) return;
  let selected = null;

  function choose(booth) {
    if (!selected) {
      if (!booth.dataset.application) return;
      selected = booth;
      booth.classList.add("selected");
      status.textContent = (form.dataset.pick || "Chosen: ") + booth.dataset.code;
      return;
    }
    if (booth === selected) {
      selected.classList.remove("selected");
      selected = null;
      status.textContent = "";
      return;
    }
    form.querySelector("[name=booth_a]").value = selected.dataset.booth;
    form.querySelector("[name=booth_b]").value = booth.dataset.booth;
    status.textContent = selected.dataset.code + " → " + booth.dataset.code;
    form.requestSubmit();
  }

  plan.addEventListener("click", (event) => {
    const booth = event.target.closest("g.booth");
    if (booth) choose(booth);
  });
  plan.addEventListener("keydown", (event) => {
    const booth = event.target.closest("g.booth");
    if (booth && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      choose(booth);
    }
  });
})();
