// Suggest existing tags while an editor types in the comma-separated tags field.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("id_tags");
  if (!input) return;
  const list = document.createElement("datalist");
  list.id = "tag-suggestions";
  input.after(list);
  input.setAttribute("list", list.id);
  input.setAttribute("autocomplete", "off");
  const url = new URL(
    window.location.pathname.replace(/\/(add|[^/]+\/change)\/.*$/, "/tag-suggestions/"),
    window.location.origin,
  );
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const parts = input.value.split(",");
      const term = parts.pop().trim();
      if (term.length < 2) return;
      url.searchParams.set("q", term);
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      const { results } = await response.json();
      const prefix = parts.length ? parts.join(",") + ", " : "";
      list.replaceChildren(...results.map((name) => {
        const option = document.createElement("option");
        option.value = prefix + (name.includes(" ") ? `"${name}"` : name);
        return option;
      }));
    }, 150);
  });
});
