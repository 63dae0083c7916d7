/* A live story's open page: ask for new updates every data-interval seconds while the tab is visible, and
   offer them ("N new updates") in a polite live region; nothing moves until the reader asks. */
(function () {
  "use strict";
  var stream = document.getElementById("live-updates");
  if (!stream || !stream.dataset.pollUrl) return;
  var notice = document.getElementById("live-notice");
  var interval = Math.max(1, parseFloat(stream.dataset.interval) || 20) * 1000;
  var since = stream.dataset.since || "0";
  var pending = [];  // answers not shown yet, oldest first
  var pendingCount = 0;
  var timer = null;
  var etag = null;

  function list() {
    var existing = document.getElementById("live-list");
    if (existing) return existing;
    var made = document.createElement("ol");
    made.className = "live-updates";
    made.id = "live-list";
    var empty = document.getElementById("live-empty");
    if (empty) empty.replaceWith(made); else notice.after(made);
    return made;
  }

  function showNotice() {
    notice.textContent = "";
    if (!pendingCount) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "live-show";
    button.textContent = pendingCount === 1 ? "1 new update" : pendingCount + " new updates";
    button.addEventListener("click", reveal);
    notice.appendChild(button);
  }

  function reveal() {
    var target = list();
    var firstUnpinned = target.querySelector(".live-update:not(.is-pinned)");
    var template = document.createElement("template");
    template.innerHTML = pending.reverse().join("");  // newest answer first
    var first = template.content.querySelector(".live-update");
    target.insertBefore(template.content, firstUnpinned);
    pending = [];
    pendingCount = 0;
    showNotice();
    if (first) first.focus();
  }

  function poll() {
    var url = stream.dataset.pollUrl + "?since=" + encodeURIComponent(since);
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 200) return null;
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        if (!data) return;
        if (data.count) {
          pending.push(data.html);
          pendingCount += data.count;
          since = String(data.latest);
          etag = null;
          showNotice();
        }
        if (!data.live) {
          stop();
          if (!pendingCount) notice.textContent = "Live coverage has ended.";
        }
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  function start() {
    if (timer === null) timer = window.setInterval(poll, interval);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else {
      poll();
      start();
    }
  });
  if (!document.hidden) start();
})();
