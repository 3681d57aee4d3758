// Camera scanning on the vouching page: where the browser offers a camera
// (getUserMedia needs localhost or HTTPS), show it and post a frame to the
// node every ~300 ms until the node reads a code in one; then reload to
// the next step. The node decodes; nothing here reads QR codes. Without
// this script the photo form on the page does the same.
(function () {
  "use strict";
  var box = document.getElementById("camera");
  var media = navigator.mediaDevices;
  if (!box || !media || !media.getUserMedia) return;
  var start = document.getElementById("camera-start");
  var video = document.getElementById("camera-video");
  var say = document.getElementById("camera-status");
  var token = document.querySelector("input[name=csrf]").value;
  var canvas = document.createElement("canvas");
  var stream = null;
  var timer = null;
  var busy = false;
  box.hidden = false;
  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
  }
  function answer(r) {
    if (r.status === 200) {
      stop();
      say.textContent = "Code read.";
      location.href = "/vouch";
      return null;
    }
    if (r.status === 204) {
      say.textContent = "Looking for a code…";
      return null;
    }
    return r.text().then(function (t) { say.textContent = t; });
  }
  function send(blob) {
    fetch("/vouch/frame", {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrf-token": token, "content-type": blob.type },
      body: blob
    })
      .then(answer)
      .catch(function () { say.textContent = "The node did not answer; still trying."; })
      .then(function () { busy = false; });
  }
  function tick() {
    if (busy || !video.videoWidth) return;
    busy = true;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(function (blob) {
      if (blob) send(blob); else busy = false;
    }, "image/jpeg", 0.92);
  }
  start.addEventListener("click", function () {
    start.disabled = true;
    say.textContent = "Starting the camera…";
    media.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        return video.play();
      })
      .then(function () {
        say.textContent = "Hold their code in front of the camera.";
        timer = setInterval(tick, 300);
      })
      .catch(function (e) {
        stop();
        start.disabled = false;
        say.textContent = "The camera is not available (" + e.name + "): take or choose a photo below instead.";
      });
  });
})();
