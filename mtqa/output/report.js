// The review page's behaviour (mtqa/output/html.py): tooltips on hover and keyboard focus,
// filters by kind, source (and status on the fix page) and score, with counts that follow.
// Everything it shows is already in the page, escaped; this script only shows, hides and counts.
(() => {
  "use strict";
  const flags = [...document.querySelectorAll("mark.flag")];
  const edits = [...document.querySelectorAll("ins.edit")];
  const item = (flag) => document.getElementById(`li-${flag.id}`);
  const editsByFlag = new Map(); // on the fix page: a flag's change in the text after
  for (const edit of edits) editsByFlag.set(edit.dataset.flag, [...(editsByFlag.get(edit.dataset.flag) || []), edit]);
  const editsOf = (flag) => editsByFlag.get(flag.id) || [];
  const flagOf = (el) => (el.matches("mark.flag") ? el : document.getElementById(el.dataset.flag));

  // -- tooltips ------------------------------------------------------------------------------
  let current = null; // [anchor, tip] shown now
  let hideTimer = 0;

  function place(anchor, tip) {
    const box = anchor.getClientRects()[0] || anchor.getBoundingClientRect();
    const width = tip.offsetWidth;
    const height = tip.offsetHeight;
    const left = Math.max(8, Math.min(box.left, document.documentElement.clientWidth - width - 8));
    const below = box.bottom + 6;
    const top = below + height > window.innerHeight && box.top - height - 6 > 0 ? box.top - height - 6 : below;
    tip.style.left = `${left + window.scrollX}px`;
    tip.style.top = `${top + window.scrollY}px`;
  }

  function show(anchor) {
    clearTimeout(hideTimer);
    const tip = document.getElementById(anchor.getAttribute("aria-describedby"));
    if (!tip || anchor.classList.contains("off")) return;
    if (current && current[1] !== tip) hide();
    tip.hidden = false;
    place(anchor, tip);
    anchor.classList.add("active");
    const entry = item(flagOf(anchor));
    if (entry) entry.classList.add("active");
    current = [anchor, tip];
  }

  function hide() {
    clearTimeout(hideTimer);
    if (!current) return;
    const [anchor, tip] = current;
    tip.hidden = true;
    anchor.classList.remove("active");
    const entry = item(flagOf(anchor));
    if (entry) entry.classList.remove("active");
    current = null;
  }

  // Leaving a flag hides its tooltip after a moment, so the pointer can move onto the tooltip.
  const hideSoon = () => {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);
  };

  for (const anchor of [...flags, ...edits]) {
    anchor.addEventListener("mouseenter", () => show(anchor));
    anchor.addEventListener("mouseleave", () => {
      if (document.activeElement !== anchor) hideSoon();
    });
    anchor.addEventListener("focus", () => show(anchor));
    anchor.addEventListener("blur", hideSoon);
  }
  for (const tip of document.querySelectorAll(".tip")) {
    tip.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    tip.addEventListener("mouseleave", hideSoon);
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hide();
  });
  window.addEventListener("resize", () => current && place(...current));

  // The side list: a click moves to the flag and shows its tooltip.
  for (const link of document.querySelectorAll("ol.flags a")) {
    link.addEventListener("click", (event) => {
      const flag = document.getElementById(link.getAttribute("href").slice(1));
      if (!flag) return;
      event.preventDefault();
      flag.scrollIntoView({ block: "center" });
      flag.focus({ preventScroll: true });
    });
  }

  // -- filters ---------------------------------------------------------------------------------
  const panel = document.getElementById("filters");
  if (!panel) return;
  const groups = [...panel.querySelectorAll("fieldset[data-filter]")];
  const slider = document.getElementById("min-score");
  const sliderValue = document.getElementById("min-score-value");
  const checked = (group) => new Set([...group.querySelectorAll("input:checked")].map((box) => box.value));

  // Whether a flag passes every filter, or every filter but `skip` (for that group's counts).
  function passes(flag, chosen, skip) {
    if (Number(flag.dataset.score) < Number(slider.value)) return false;
    return groups.every((group) => group === skip || chosen.get(group).has(flag.dataset[group.dataset.filter] ?? ""));
  }

  function apply() {
    const chosen = new Map(groups.map((group) => [group, checked(group)]));
    sliderValue.textContent = Number(slider.value).toFixed(2);
    let shown = 0;
    const perArticle = new Map();
    for (const flag of flags) {
      const ok = passes(flag, chosen, null);
      flag.classList.toggle("off", !ok);
      flag.tabIndex = ok ? 0 : -1;
      for (const edit of editsOf(flag)) {
        edit.classList.toggle("off", !ok);
        edit.tabIndex = ok ? 0 : -1;
      }
      const entry = item(flag);
      if (entry) entry.hidden = !ok;
      if (!ok && current && flagOf(current[0]) === flag) hide();
      const article = flag.closest(".article").id;
      perArticle.set(article, (perArticle.get(article) || 0) + (ok ? 1 : 0));
      shown += ok ? 1 : 0;
    }
    document.getElementById("shown").textContent = String(shown);
    for (const count of document.querySelectorAll(".count[data-article]")) {
      const total = Number(count.dataset.total);
      const visible = perArticle.get(count.dataset.article) || 0;
      count.textContent = visible === total ? `${total} flag(s)` : `${visible} of ${total} flag(s) shown`;
    }
    // Each value's count: the flags it would show, given the other groups' choices and the score.
    for (const group of groups) {
      const name = group.dataset.filter;
      for (const count of group.querySelectorAll(".n")) {
        const value = count.dataset.value;
        const n = flags.filter((flag) => (flag.dataset[name] ?? "") === value && passes(flag, chosen, group)).length;
        count.textContent = String(n);
      }
    }
  }

  panel.addEventListener("input", apply);
  panel.addEventListener("change", apply);
  panel.hidden = false;
  apply();
})();
