// The writing desk on the article form: Markdown toolbar and shortcuts, a live preview rendered by the server,
// word count, autosave, images dropped or pasted into the body, photo metadata defaults and the focal point.
// Without this script the form still works: a plain textarea, and the preview after saving.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const desk = document.getElementById("desk");
  const form = desk && desk.closest("form");
  const body = document.getElementById("id_body");
  if (!desk || !form || !body) return;
  const headline = document.getElementById("id_headline");
  const standfirst = document.getElementById("id_standfirst");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const article = desk.dataset.article || "";
  const preview = document.getElementById("desk-preview");
  const count = document.getElementById("desk-count");
  const status = document.getElementById("desk-autosave");

  async function post(url, fields) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("article", article);
    for (const [name, value] of Object.entries(fields)) data.append(name, value);
    if (!article) { // images dropped into a story not saved yet are named by the form
      for (const input of form.querySelectorAll("[name^=desk_new_image]")) data.append(input.name, input.value);
    }
    const response = await fetch(url, { method: "POST", body: data, credentials: "same-origin" });
    const reply = await response.json().catch(() => ({ error: `The server answered ${response.status}.` }));
    if (!response.ok) throw new Error(reply.error || `The server answered ${response.status}.`);
    return reply;
  }

  function say(text, warning = false) {
    status.textContent = text;
    status.classList.toggle("desk-warning", warning);
  }

  // Editing: insert text as if typed, so the browser's undo keeps working.
  function replaceSelection(text, selectInside = null) {
    body.focus();
    const start = body.selectionStart;
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectInside) body.setSelectionRange(start + selectInside[0], start + selectInside[1]);
  }

  function wrap(before, after, placeholder) {
    const selected = body.value.slice(body.selectionStart, body.selectionEnd) || placeholder;
    replaceSelection(before + selected + after, [before.length, before.length + selected.length]);
  }

  function prefixLines(prefix) {
    const value = body.value;
    const start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    let end = value.indexOf("\n", body.selectionEnd);
    if (end === -1) end = value.length;
    body.setSelectionRange(start, end);
    const lines = value.slice(start, end).split("\n").map((line) => prefix + line.replace(/^(#+ |> |- )/, ""));
    replaceSelection(lines.join("\n"));
  }

  function onOwnLine(text) {
    const before = body.value.slice(0, body.selectionStart);
    const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    replaceSelection(`${lead}${text}\n\n`);
  }

  function embedAddress(address) {
    const youtube = address.match(/(?:youtube\.com\/watch\?v=|youtu\.be\/|youtube(?:-nocookie)?\.com\/embed\/)([\w-]+)/);
    if (youtube) return `https://www.youtube-nocookie.com/embed/${youtube[1]}`;
    const vimeo = address.match(/vimeo\.com\/(?:video\/)?(\d+)/);
    if (vimeo) return `https://player.vimeo.com/video/${vimeo[1]}`;
    return address;
  }

  const picker = document.createElement("input");
  picker.type = "file";
  picker.accept = "image/jpeg,image/png,image/webp,image/gif";
  picker.multiple = true;
  picker.hidden = true;
  picker.addEventListener("change", () => uploadAll([...picker.files]));

  const tools = [
    ["heading", "H", "Heading (Ctrl+Shift+H)", () => prefixLines("## ")],
    ["bold", "B", "Bold (Ctrl+B)", () => wrap("**", "**", "bold text")],
    ["italic", "I", "Italic (Ctrl+I)", () => wrap("_", "_", "italic text")],
    ["link", "Link", "Link (Ctrl+K)", () => {
      const address = window.prompt("Link to which address?", "https://");
      if (address) wrap("[", `](${address})`, "link text");
    }],
    ["list", "List", "Bulleted list (Ctrl+Shift+8)", () => prefixLines("- ")],
    ["quote", "Quote", "Quote (Ctrl+Shift+9)", () => prefixLines("> ")],
    ["image", "Image", "Upload an image into the body (or drop or paste one)", () => picker.click()],
    ["embed", "Embed", "Embed a YouTube or Vimeo video", () => {
      const address = window.prompt("Address of the YouTube or Vimeo video:");
      if (address) onOwnLine(`<iframe src="${embedAddress(address.trim())}" title="Video"></iframe>`);
    }],
  ];
  const toolbar = document.createElement("div");
  toolbar.className = "desk-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Formatting");
  for (const [name, label, title, run] of tools) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `desk-tool desk-tool-${name}`;
    button.textContent = label;
    button.title = title;
    button.setAttribute("aria-label", title);
    button.addEventListener("click", run);
    toolbar.append(button);
  }
  body.before(toolbar, picker);

  const plainKeys = { b: "bold", i: "italic", k: "link" };
  const shiftedKeys = { h: "heading", 8: "list", "*": "list", 9: "quote", "(": "quote" };
  body.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const name = (event.shiftKey ? shiftedKeys : plainKeys)[event.key.toLowerCase()];
    if (!name) return;
    event.preventDefault();
    tools.find((tool) => tool[0] === name)[3]();
  });

  // The headline wraps to show all of it, but stays one line: Enter does not break it.
  headline.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });

  // Live preview and word count.
  let previewTimer;
  let previewSequence = 0;
  function countWords() {
    const words = body.value.split(/\s+/).filter(Boolean).length;
    count.textContent = `${words} words · ${Math.max(1, Math.round(words / 230))} min read`;
  }
  async function refreshPreview() {
    const sequence = ++previewSequence;
    try {
      const reply = await post(desk.dataset.previewUrl, {
        headline: headline.value, standfirst: standfirst.value, body: body.value,
      });
      if (sequence !== previewSequence) return;
      preview.innerHTML = reply.html; // sanitized by the server, as the published page is
      count.textContent = `${reply.words} words · ${reply.minutes} min read`;
      preview.dataset.updated = String(sequence);
    } catch (error) {
      if (sequence === previewSequence) say(`Preview: ${error.message}`, true);
    }
  }
  function schedulePreview() {
    countWords();
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
  }
  for (const field of [headline, standfirst, body]) field.addEventListener("input", schedulePreview);
  refreshPreview();

  // Autosave: the typed text goes to the server every few seconds while it changes (never to the live story).
  let unsaved = false; // changes not yet autosaved
  let changed = false; // changes not yet saved with the form
  let submitting = false;
  const revision = form.querySelector("input[name=revision_seen]");
  async function autosave() {
    if (!unsaved) return;
    unsaved = false;
    try {
      const reply = await post(desk.dataset.autosaveUrl, {
        headline: headline.value, standfirst: standfirst.value, body: body.value,
        revision_seen: revision ? revision.value : "",
      });
      say(reply.warning || `Autosaved at ${reply.saved_at}. Press a button below to save it to the article.`,
        Boolean(reply.warning));
    } catch (error) {
      unsaved = true;
      say(`Not autosaved: ${error.message}`, true);
    }
  }
  setInterval(autosave, 3000);
  for (const field of [headline, standfirst, body]) field.addEventListener("input", () => { unsaved = true; });
  document.getElementById("desk-dropped").addEventListener("input", () => { unsaved = true; });
  form.addEventListener("input", () => { changed = true; });
  form.addEventListener("change", () => { changed = true; });
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!changed || submitting) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // Images dropped, pasted or chosen: uploaded into a body image, referenced at the cursor.
  const dropped = document.getElementById("desk-dropped");
  function listImage(image, number) {
    // A saved story's image is described through its own address; a new story's, by fields of the form.
    dropped.hidden = false;
    const item = document.createElement("li");
    const thumbnail = document.createElement("img");
    thumbnail.src = image.thumbnail;
    thumbnail.alt = "";
    thumbnail.width = 96;
    const reference = document.createElement("code");
    reference.textContent = `[[image:${number}]]`;
    item.append(thumbnail, reference);
    if (image.token) {
      const token = document.createElement("input");
      token.type = "hidden";
      token.name = "desk_new_image";
      token.value = image.token;
      item.append(token);
    }
    for (const [name, label] of [["alt", "Alt text (required)"], ["caption", "Caption"], ["credit", "Credit"]]) {
      const field = document.createElement("label");
      const input = document.createElement("input");
      input.type = "text";
      input.value = image[name] || "";
      input.dataset.detail = name;
      if (image.token) {
        input.name = `desk_new_image-${number}-${name}`;
        input.addEventListener("change", schedulePreview);
      } else {
        input.addEventListener("change", async (event) => {
          event.stopPropagation();
          try {
            await post(image.details_url, { [name]: input.value });
            say(`Saved the ${name} of [[image:${number}]].`);
            schedulePreview();
          } catch (error) {
            say(error.message, true);
          }
        });
      }
      field.append(`${label} `, input);
      item.append(field);
    }
    dropped.querySelector("ul").append(item);
    return item;
  }
  async function uploadAll(files) {
    const images = files.filter((file) => file.type.startsWith("image/"));
    if (!images.length) return;
    for (const file of images) {
      say(`Uploading ${file.name || "the image"}…`);
      try {
        const image = await post(desk.dataset.uploadUrl || desk.dataset.uploadNewUrl, { image: file });
        const number = image.ref || form.querySelectorAll("input[name=desk_new_image]").length + 1;
        onOwnLine(`[[image:${number}]]`);
        const item = listImage(image, number);
        say(`[[image:${number}]] added. Describe it for readers who cannot see it (alt text).`);
        if (!image.alt) item.querySelector("input[data-detail=alt]").focus({ preventScroll: true });
        refreshPreview();
      } catch (error) {
        say(`${file.name || "The image"} was not added: ${error.message}`, true);
      }
    }
  }
  body.addEventListener("dragover", (event) => {
    if ([...event.dataTransfer.types].includes("Files")) {
      event.preventDefault();
      body.classList.add("desk-dropping");
    }
  });
  body.addEventListener("dragleave", () => body.classList.remove("desk-dropping"));
  body.addEventListener("drop", (event) => {
    body.classList.remove("desk-dropping");
    if (!event.dataTransfer.files.length) return;
    event.preventDefault();
    uploadAll([...event.dataTransfer.files]);
  });
  body.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData ? event.clipboardData.files : [])];
    if (!files.length) return;
    event.preventDefault();
    uploadAll(files);
  });

  // The photo: its own caption and credit offered as defaults; the focal point clicked on its thumbnail.
  const photo = document.getElementById("id_hero_image");
  if (photo && desk.dataset.metadataUrl) {
    photo.addEventListener("change", async () => {
      if (!photo.files.length) return;
      try {
        const found = await post(desk.dataset.metadataUrl, { image: photo.files[0] });
        const filled = [];
        for (const [name, value] of [["caption", found.caption], ["credit", found.credit]]) {
          const field = document.getElementById(`id_hero_${name}`);
          if (field && value && !field.value) {
            field.value = value;
            filled.push(name);
          }
        }
        if (filled.length) say(`The photo's own ${filled.join(" and ")} filled in; change them if needed.`);
      } catch (error) {
        say(`The photo: ${error.message}`, true);
      }
    });
  }
  const focal = document.querySelector(".desk-focal");
  const focalX = document.getElementById("id_focal_x");
  const focalY = document.getElementById("id_focal_y");
  if (focal && focalX && focalY) {
    const marker = focal.querySelector(".desk-focal-marker");
    focal.querySelector("img").addEventListener("click", (event) => {
      const box = event.target.getBoundingClientRect();
      const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      focalX.value = x.toFixed(2);
      focalY.value = y.toFixed(2);
      marker.style.left = `${(x * 100).toFixed(1)}%`;
      marker.style.top = `${(y * 100).toFixed(1)}%`;
      changed = true;
    });
  }
});
