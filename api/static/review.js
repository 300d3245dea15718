// The review page: one queued example at a time, answered with the keyboard. An answer is a write:
// it goes to POST /examples/{id}/labels with the API token (kept in this tab's sessionStorage).
(function () {
  "use strict";
  const items = Array.from(document.querySelectorAll(".review-item"));
  const status = document.getElementById("status");
  const progress = document.getElementById("progress");
  const tokenForm = document.getElementById("token-form");
  const tokenInput = document.getElementById("write-token");
  const KEY = "curagraph-write-token";
  let index = 0, answered = 0, skipped = 0, busy = false;

  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "deficit" : "muted";
  }

  function show(i) {
    items.forEach((el, j) => { el.hidden = j !== i; });
    if (i >= items.length) {
      progress.textContent = "";
      if (items.length) {
        document.getElementById("done").hidden = false;
        document.getElementById("done-summary").textContent = `${answered} answered, ${skipped} skipped.`;
      }
      return;
    }
    progress.textContent = `${i + 1} / ${items.length}`;
    document.activeElement && document.activeElement.blur && document.activeElement.blur();
  }

  function current() { return index < items.length ? items[index] : null; }

  async function answer(body, what) {
    const item = current();
    if (!item || busy) return;
    const token = sessionStorage.getItem(KEY) || "";
    if (!token) {
      tokenForm.hidden = false;
      tokenInput.focus();
      say("give the API token first: writes need it", true);
      return;
    }
    busy = true;
    try {
      const r = await fetch(`/examples/${encodeURIComponent(item.dataset.id)}/labels`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      if (!r.ok) {
        let message = `HTTP ${r.status}`;
        try { const e = await r.json(); message = e.error.message + (e.error.hint ? ` (${e.error.hint})` : ""); } catch (_) { /* not JSON */ }
        if (r.status === 401 || r.status === 403) { tokenForm.hidden = false; sessionStorage.removeItem(KEY); }
        say(`not saved: ${message}`, true);
        return;
      }
      answered += 1;
      item.dataset.answered = what;
      say(`saved: ${what} for ${item.dataset.id}`);
      index += 1;
      show(index);
    } catch (e) {
      say(`not saved: ${e}`, true);
    } finally {
      busy = false;
    }
  }

  tokenForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, tokenInput.value.trim());
    tokenInput.value = "";
    tokenInput.blur();
    tokenForm.hidden = true;
    say("token set for this tab");
  });

  document.addEventListener("keydown", (ev) => {
    const item = current();
    if (!item || ev.target === tokenInput || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const taskChoice = item.querySelector(".task-choice");
    const riskChoice = item.querySelector(".risk-choice");
    if (ev.target === taskChoice || ev.target === riskChoice) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        if (ev.target === taskChoice) answer({ task: taskChoice.value }, `task ${taskChoice.value}`);
        else answer({ risks: [riskChoice.value] }, `unsafe: ${riskChoice.value}`);
      } else if (ev.key === "Escape") {
        ev.target.blur();
      }
      return;
    }
    if (ev.target instanceof HTMLElement && ["INPUT", "TEXTAREA", "BUTTON", "A"].includes(ev.target.tagName)) return;
    if (ev.key === "Enter") {
      ev.preventDefault();
      if (!item.dataset.task) { say("no current task to accept: press c and choose one", true); return; }
      answer({ task: item.dataset.task }, `task ${item.dataset.task}`);
    } else if (ev.key === "c") {
      ev.preventDefault();
      taskChoice.focus();
      say("choose a task, then Enter");
    } else if (ev.key === "u") {
      ev.preventDefault();
      riskChoice.focus();
      say("choose the risk, then Enter");
    } else if (ev.key === "s") {
      ev.preventDefault();
      skipped += 1;
      say(`skipped ${item.dataset.id}`);
      index += 1;
      show(index);
    }
  });

  if (!sessionStorage.getItem(KEY) && items.length) tokenForm.hidden = false;
  show(index);
})();
