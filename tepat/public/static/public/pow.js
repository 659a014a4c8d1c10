/* Tepat: the proof-of-work of the public forms (ALTCHA challenge format, PoW v1, SHA-256).
   Our own small solver, served from the project's static files: nothing is loaded from elsewhere.
   For each <form data-pow="URL">: fetch a challenge, find n with SHA-256(salt + n) == challenge,
   put the payload in the form's "altcha" field and enable its submit button. */
(function () {
  "use strict";
  var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
    0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
    0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
    0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
    0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
    0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
    0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
    0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
  var W = new Array(64);
  function sha256hex(text) { // text: ASCII only (hex salt, "?expires=…&" and digits)
    var n = text.length, words = [], i, j;
    for (i = 0; i < n; i++) words[i >> 2] |= text.charCodeAt(i) << (24 - (i % 4) * 8);
    words[n >> 2] |= 0x80 << (24 - (n % 4) * 8);
    var total = (((n + 8) >> 6) + 1) * 16;
    for (i = (n >> 2) + 1; i < total; i++) words[i] = words[i] | 0;
    words[total - 1] = n * 8;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a,
        h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (j = 0; j < total; j += 16) {
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7, t1, t2, x, y;
      for (i = 0; i < 64; i++) {
        if (i < 16) W[i] = words[j + i] | 0;
        else {
          x = W[i - 15]; y = W[i - 2];
          W[i] = (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + W[i - 16] +
                 (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + W[i - 7] | 0;
        }
        t1 = h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
             ((e & f) ^ (~e & g)) + K[i] + W[i] | 0;
        t2 = (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
             ((a & b) ^ (a & c) ^ (b & c)) | 0;
        h = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
      }
      h0 = h0 + a | 0; h1 = h1 + b | 0; h2 = h2 + c | 0; h3 = h3 + d | 0;
      h4 = h4 + e | 0; h5 = h5 + f | 0; h6 = h6 + g | 0; h7 = h7 + h | 0;
    }
    var out = "", parts = [h0, h1, h2, h3, h4, h5, h6, h7];
    for (i = 0; i < 8; i++) out += ("00000000" + (parts[i] >>> 0).toString(16)).slice(-8);
    return out;
  }
  function solve(form) {
    var field = form.querySelector('input[name="altcha"]');
    var button = form.querySelector('[type="submit"]');
    var status = form.querySelector("[data-pow-status]");
    if (!field) return;
    if (button) button.disabled = true;
    fetch(form.getAttribute("data-pow"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (ch) {
        var n = 0, max = ch.maxNumber || ch.maxnumber || 1000000;
        function step() {
          var stop = Math.min(n + 5000, max + 1);
          for (; n < stop; n++) {
            if (sha256hex(ch.salt + n) === ch.challenge) {
              field.value = btoa(JSON.stringify({algorithm: ch.algorithm, challenge: ch.challenge, number: n,
                                                 salt: ch.salt, signature: ch.signature}));
              if (button) button.disabled = false;
              if (status) status.textContent = status.getAttribute("data-done");
              form.setAttribute("data-pow-solved", "1");
              return;
            }
          }
          if (n > max) { if (status) status.textContent = status.getAttribute("data-failed"); return; }
          setTimeout(step, 0);
        }
        step();
      })
      .catch(function () { if (status) status.textContent = status.getAttribute("data-failed"); });
  }
  function start() {
    var forms = document.querySelectorAll("form[data-pow]");
    for (var i = 0; i < forms.length; i++) solve(forms[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.tepatSha256 = sha256hex;
})();
