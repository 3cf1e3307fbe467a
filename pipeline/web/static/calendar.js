// Calendrier: drag a release onto another day to move it there (same time of day).
// The drop only fills and submits the page's ordinary form (CSRF token included); the server
// checks the move like `webseries publish move` and says why when it refuses. Without JS, each
// release's page has the same move as a form.
(function () {
  "use strict";
  const form = document.getElementById("drag-move");
  if (!form) return;
  let dragged = null;

  document.querySelectorAll("article.release[draggable=true]").forEach(function (el) {
    el.addEventListener("dragstart", function (ev) {
      dragged = el;
      el.classList.add("dragging");
      ev.dataTransfer.effectAllowed = "move";
      ev.dataTransfer.setData("text/plain", el.dataset.release);
    });
    el.addEventListener("dragend", function () {
      el.classList.remove("dragging");
      dragged = null;
    });
  });

  document.querySelectorAll("td.day").forEach(function (cell) {
    cell.addEventListener("dragover", function (ev) {
      if (!dragged) return;
      ev.preventDefault();
      cell.classList.add("target");
    });
    cell.addEventListener("dragleave", function () { cell.classList.remove("target"); });
    cell.addEventListener("drop", function (ev) {
      ev.preventDefault();
      cell.classList.remove("target");
      if (!dragged || dragged.closest("td.day") === cell) return;
      form.action = dragged.dataset.move;
      form.elements.date.value = cell.dataset.date;
      form.submit();
    });
  });
})();
