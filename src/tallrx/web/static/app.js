// tallrx workbench: vendored, no outside host. Polls a queued/running run until it ends, and
// shows the option boxes of the chosen command on the upload form.
(function () {
  var status = document.getElementById("status");
  if (status && (status.textContent === "queued" || status.textContent === "running")) {
    var id = status.dataset.run;
    var timer = setInterval(function () {
      fetch("/api/runs/" + id, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (j) {
          status.textContent = j.status;
          document.getElementById("message").textContent = j.message +
            (j.elapsed_s !== null ? " (" + j.elapsed_s + " s)" : "");
          if (j.status === "done" || j.status === "failed") { clearInterval(timer); location.reload(); }
        });
    }, 1000);
  }
  var command = document.getElementById("command");
  if (command) {
    var sync = function () {
      var c = command.value;
      document.getElementById("layout-box").hidden = c !== "screen";
      document.querySelectorAll(".opts").forEach(function (box) {
        var on = box.id === "opts-" + c;
        box.hidden = !on;
        box.querySelectorAll("input").forEach(function (i) { i.disabled = !on; });
      });
    };
    command.addEventListener("change", sync);
    sync();
  }
})();
