// The Sous-titres page: the player and the cue list kept in step both ways, keyboard shortcuts,
// the Bambara letters, the waveform, a live preview of the typed text over the picture.
// No subtitle rule lives here: the remarks and the counters come from the server (htmx, /lint),
// which runs the same check as `webseries subtitles lint`.
(function () {
  "use strict";
  const player = document.getElementById("player");
  const form = document.getElementById("cues");
  const wave = document.getElementById("wave");
  const playhead = document.getElementById("playhead");
  let current = null;     // the cue shown as playing
  let focused = null;     // the cue whose text was last edited
  let lastText = null;    // where a Bambara letter goes
  let stopAt = null;      // playing one cue: pause at its end
  let dirty = false;

  const cues = () => Array.from(document.querySelectorAll("li.cue"));

  // "00:01:02,500" -> 62.5, only to place the player; the server reads what is saved.
  function seconds(code) {
    const m = /^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?\s*$/.exec(code || "");
    if (!m) return null;
    const ms = m[4] ? Number((m[4] + "00").slice(0, 3)) / 1000 : 0;
    return Number(m[1] || 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + ms;
  }

  function span(li) {
    const start = seconds(li.querySelector("input[name^=start-]").value);
    const end = seconds(li.querySelector("input[name^=end-]").value);
    return {
      start: start === null ? Number(li.dataset.start) : start,
      end: end === null ? Number(li.dataset.end) : end,
    };
  }

  function highlight(li) {
    if (current === li) return;
    if (current) current.classList.remove("current");
    current = li;
    if (!li) return;
    li.classList.add("current");
    if (!form || !form.contains(document.activeElement)) li.scrollIntoView({ block: "nearest" });
  }

  function seek(li, play) {
    if (!li) return;
    highlight(li);
    if (!player) return;
    const s = span(li);
    player.currentTime = s.start + 0.001;
    stopAt = play ? s.end : null;
    if (play) player.play();
  }

  function cueAt(t) {
    return cues().find((li) => {
      const s = span(li);
      return s.start <= t && t < s.end;
    }) || null;
  }

  function step(by) {
    const all = cues();
    const from = focused || current;
    let i = from ? all.indexOf(from) + by : 0;
    i = Math.max(0, Math.min(all.length - 1, i));
    const li = all[i];
    if (!li) return;
    const text = li.querySelector("textarea");
    if (text) text.focus();
    focused = li;
    seek(li, false);
  }

  // ---------------------------------------------------------------- the player
  if (player) {
    player.addEventListener("timeupdate", () => {
      const t = player.currentTime;
      if (stopAt !== null && t >= stopAt) {
        player.pause();
        stopAt = null;
      }
      highlight(cueAt(t));
      if (playhead && player.duration) playhead.style.left = (100 * t / player.duration) + "%";
    });
    player.addEventListener("loadedmetadata", regions);
  }

  // Clicks: a cue's number seeks, its ▶ plays it, a remark's number goes to its cue.
  document.addEventListener("click", (e) => {
    const target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    const seekButton = target.closest("button.seek");
    const playButton = target.closest("button.play-slot");
    const goto = target.closest("a.goto");
    if (seekButton || playButton) {
      seek(target.closest("li.cue"), Boolean(playButton));
    } else if (goto) {
      const li = document.getElementById("cue-" + goto.dataset.n);
      if (li) {
        e.preventDefault();
        li.scrollIntoView({ block: "center" });
        seek(li, false);
      }
    }
  });

  if (wave && player) {
    wave.addEventListener("click", (e) => {
      const box = wave.getBoundingClientRect();
      if (player.duration) player.currentTime = player.duration * (e.clientX - box.left) / box.width;
    });
  }

  // The cues drawn over the waveform (positions set from script: the page has no inline style).
  function regions() {
    if (!wave || !player || !player.duration) return;
    wave.querySelectorAll(".region").forEach((r) => r.remove());
    cues().forEach((li) => {
      const s = span(li);
      const r = document.createElement("div");
      r.className = "region";
      r.style.left = (100 * s.start / player.duration) + "%";
      r.style.width = Math.max(0.1, 100 * (s.end - s.start) / player.duration) + "%";
      wave.appendChild(r);
    });
  }

  // What is typed, shown over the picture at once (a preview; the saved file is what counts).
  let preview = null;
  function refreshPreview() {
    if (!player || typeof VTTCue === "undefined") return;
    if (!preview) {
      preview = player.addTextTrack("subtitles", "aperçu", player.dataset.lang || "fr");
      preview.mode = "showing";
    }
    Array.from(preview.cues || []).forEach((c) => preview.removeCue(c));
    cues().forEach((li) => {
      const s = span(li);
      const text = li.querySelector("textarea").value;
      const drop = li.querySelector("input[name^=drop-]");
      if (s.end > s.start && text.trim() && !(drop && drop.checked)) preview.addCue(new VTTCue(s.start, s.end, text));
    });
  }

  // ---------------------------------------------------------------- typing
  if (form) {
    form.addEventListener("focusin", (e) => {
      const li = e.target instanceof Element ? e.target.closest("li.cue") : null;
      if (li) focused = li;
      if (e.target instanceof HTMLTextAreaElement) lastText = e.target;
    });
    let later = null;
    form.addEventListener("input", (e) => {
      dirty = true;
      clearTimeout(later);
      later = setTimeout(() => {
        refreshPreview();
        if (e.target instanceof HTMLInputElement && e.target.classList.contains("time")) regions();
      }, 250);
    });
    form.addEventListener("submit", () => { dirty = false; });
    refreshPreview();
  }
  window.addEventListener("beforeunload", (e) => {
    if (dirty) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
  const approve = document.getElementById("approve");
  if (approve) {
    approve.addEventListener("submit", (e) => {
      if (dirty && !window.confirm("Vos changements ne sont pas enregistrés : approuver la version enregistrée ?")) {
        e.preventDefault();
      } else {
        dirty = false;
      }
    });
  }

  // The Bambara letters go in at the cursor of the text last edited.
  document.querySelectorAll("button.letter").forEach((b) => {
    b.addEventListener("mousedown", (e) => e.preventDefault());  // keep the cursor where it is
    b.addEventListener("click", () => {
      const t = lastText || document.querySelector("li.cue textarea");
      if (!t || t.readOnly) return;
      const a = t.selectionStart, z = t.selectionEnd;
      t.setRangeText(b.dataset.letter, a, z, "end");
      t.focus();
      t.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // ---------------------------------------------------------------- keyboard
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey && !e.altKey && e.code === "Space") {
      e.preventDefault();
      if (!player) return;
      stopAt = null;
      if (player.paused) player.play(); else player.pause();
    } else if (e.altKey && !e.ctrlKey && e.code === "KeyR") {
      e.preventDefault();
      seek(focused || current || cueAt(player ? player.currentTime : 0), true);
    } else if (e.altKey && !e.ctrlKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      step(e.key === "ArrowDown" ? 1 : -1);
    }
  });
})();
