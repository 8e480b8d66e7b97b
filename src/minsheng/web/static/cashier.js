// The cashier's form, enhanced: "Add a line" adds the row in place instead of posting the form
// back (the form works the same without this script). Loaded with `defer`; no inline script.
"use strict";
(function () {
  const form = document.getElementById("bill");
  if (!form) return;
  const button = form.querySelector("button[value=add_line]");
  const rows = form.querySelector("input[name=rows]");
  const body = form.querySelector("table.lines tbody");
  if (!button || !rows || !body) return;
  button.addEventListener("click", function (event) {
    const last = body.querySelector("tr:last-child");
    const n = Number(rows.value);
    if (!last || !Number.isInteger(n) || n >= Number(button.dataset.max || 100)) return;
    event.preventDefault();
    const row = last.cloneNode(true);
    row.querySelectorAll(".field-error").forEach((e) => e.remove());
    row.querySelectorAll("input, select").forEach((el) => {
      const name = el.name.replace(/_\d+$/, "_" + n);
      el.name = name;
      el.id = name;
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      el.removeAttribute("autofocus");
      const label = el.getAttribute("aria-label");
      if (label) el.setAttribute("aria-label", label.replace(/\d+$/, String(n + 1)));
      if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = name.startsWith("qty_") ? "1" : name.startsWith("share_") ? "0" : "";
    });
    const number = row.querySelector("td.num");
    if (number) number.textContent = String(n + 1);
    body.appendChild(row);
    rows.value = String(n + 1);
    const first = row.querySelector("input");
    if (first) first.focus();
  });
})();
