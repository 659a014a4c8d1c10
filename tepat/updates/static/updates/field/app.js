/* Tepat field app (issue 14 items 5, 6, 8): the facilitator's offline visits. Vanilla JS, no library.
   Signs in with the JSON API (a device token kept in IndexedDB), downloads the assignments through
   /api/v1/sync/changes, records visits offline into the queue (store.js) and sends them with
   /api/v1/sync/visits when online. A conflict is shown with both versions and waits for the person.
   Item 7: complaint intake, and distribution receipts — the KPM from /api/v1/distribution/field/entries,
   invitations verified offline (Ed25519, BarcodeDetector or the typed code), the receipt queued and sent to
   /api/v1/distribution/field/receipts (docs/adr/0032-offline-receipts.md). */
(function () {
  "use strict";
  var Store = self.FieldStore;
  var CONFIG = JSON.parse(document.getElementById("field-config").textContent);
  var T = JSON.parse(document.getElementById("field-i18n").textContent);
  var app = document.getElementById("app");
  var state = {view: "list", current: null, syncing: false, expired: false, message: ""};

  function t(key) { return T[key] || key; }

  /* h("p", {class: "x"}, "text", child, …): DOM built with textContent only (no HTML from data). */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name.indexOf("on") === 0) { el.addEventListener(name.slice(2), value); }
      else if (name === "checked" || name === "selected" || name === "value") { el[name] = value; }
      else { el.setAttribute(name, value === true ? "" : value); }
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) { continue; }
      if (Array.isArray(child)) { child.forEach(function (c) { if (c) { el.appendChild(c); } }); }
      else { el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child))); }
    }
    return el;
  }

  function toast(text) {
    var box = document.getElementById("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.hidden = true; }, 5000);
  }

  function uuid() {
    if (self.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var x = Array.prototype.map.call(b, function (v) { return (v + 256).toString(16).slice(1); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }

  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function message(body) {
    if (body && body.message) { return (CONFIG.language === "en" ? body.message.en : body.message.id) || body.code; }
    return String(body && body.code || body);
  }

  function api(method, path, body) {
    return Store.get("token").then(function (token) {
      var headers = {"Accept": "application/json"};
      if (token) { headers.Authorization = "Bearer " + token; }
      if (body !== undefined) { headers["Content-Type"] = "application/json"; }
      return fetch(CONFIG.api + path, {method: method, headers: headers, credentials: "omit",
                                       body: body === undefined ? undefined : JSON.stringify(body)});
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        var dead = response.status === 401 || (response.status === 403 && data.code === "csrf_failed");
        if (dead && path !== "/auth/login") { state.expired = true; }
        if (!response.ok) { var e = new Error(message(data)); e.body = data; e.status = response.status; throw e; }
        return data;
      });
    });
  }

  /* --- download ------------------------------------------------------------------------------------ */

  function download() {
    var started = Date.now();
    return Promise.all([Store.get("cursor"), Store.all("queue")]).then(function (got) {
      var cursor = got[0] || "", queue = got[1];
      function page() {
        return api("GET", "/sync/changes?limit=100&cursor=" + encodeURIComponent(cursor)).then(function (data) {
          var work = data.assignments.map(function (a) {
            if (a.status === "in_verification" && a.facts.length) { return Store.put("assignments", a); }
            return Store.remove("assignments", a.id);  // moved on: keep nothing of it
          });
          work.push(Store.all("assignments").then(function (rows) {
            var updates = [];
            data.families.forEach(function (family) {
              rows.filter(function (a) { return a.family_id === family.id; }).forEach(function (a) {
                a.family = family;
                updates.push(Store.put("assignments", a));
                queue.filter(function (i) {
                  return i.proposal_id === a.id && i.state === "pending" && i.created_at < started && cursor;
                }).forEach(function (item) {  // the family changed after the visit: the person decides
                  item.state = "conflict";
                  item.result = {code: "family_changed", message: {id: t("family"), en: t("family")},
                                 current: {family: family}, sent: {visit: item.visit}};
                  updates.push(Store.put("queue", item));
                });
              });
            });
            data.members.forEach(function (member) {
              rows.filter(function (a) { return a.family_id === member.family_id; }).forEach(function (a) {
                a.members = (a.members || []).filter(function (m) { return m.id !== member.id; }).concat([member]);
                updates.push(Store.put("assignments", a));
              });
            });
            return Promise.all(updates);
          }));
          if (data.reference) { work.push(Store.set("reference", data.reference)); }
          return Promise.all(work).then(function () {
            cursor = data.cursor;
            return Store.set("cursor", cursor);
          }).then(function () { return data.has_more ? page() : null; });
        });
      }
      // a distributor who verifies nothing has no assignments to download (403): the rest still comes
      return page().catch(function (error) { if (error.status !== 403) { throw error; } });
    }).then(function () {
      return downloadKpm();
    }).then(function () {
      // the complaint sub-categories for intake (item 7): a catalogue, no personal data; none if not allowed
      return api("GET", "/grievances/categories").then(function (categories) {
        return Store.set("categories", categories.filter(function (c) { return c.parent; }));
      }, function () { return null; });
    }).then(function () {
      // the invitations' public keys (item 7): an undangan's QR text then verifies without a connection
      return api("GET", "/invitations/keys").then(function (keys) { return Store.set("invitation_keys", keys.keys); },
                                                  function () { return null; });
    }).then(function () { return Store.set("last_sync", Date.now()); });
  }

  /* The KPM of the distributor's open distributions (item 7), all pages, then stored in place of the
     previous download: a KPM met meanwhile (on the server) arrives as status only, without personal data.
     None (and nothing kept) for a role that records no receipts. */
  function downloadKpm() {
    var rows = [], first = null;
    function page(cursor) {
      return api("GET", "/distribution/field/entries?limit=1000&cursor=" + encodeURIComponent(cursor)).then(function (data) {
        if (!first) { first = data; }
        rows = rows.concat(data.entries);
        return data.has_more ? page(data.cursor) : null;
      });
    }
    return page("").then(function () {
      return Store.clear(["kpm"]).then(function () {
        return Promise.all(rows.map(function (row) { return Store.put("kpm", row); }));
      }).then(function () {
        return Promise.all([Store.set("distributions", first.distributions || []),
                            Store.set("receipt_catalogue", {reasons: first.reasons || [], collectors: first.collectors || [],
                                                            max_photos: first.max_photos || 5})]);
      });
    }, function (error) {
      if (error.status !== 403) { throw error; }
      return Store.clear(["kpm"]).then(function () { return Store.del("distributions"); });
    });
  }

  /* --- upload -------------------------------------------------------------------------------------- */

  function sync() {
    if (state.syncing || !navigator.onLine) { return Promise.resolve(); }
    state.syncing = true;
    return Store.uploadQueue(CONFIG.api).then(function (counts) {
      if (counts.ok || counts.conflicts || counts.errors) {
        toast(t("sent") + ": " + counts.ok + " · " + t("conflicts") + ": " + counts.conflicts +
              " · " + t("errors") + ": " + counts.errors);
        return Store.set("last_sync", Date.now());
      }
    }).catch(function (error) {
      if (error && error.expired) { state.expired = true; toast(t("session_expired")); }
    }).then(function () { state.syncing = false; render(); });
  }

  function requestBackgroundSync() {
    if ("serviceWorker" in navigator && navigator.serviceWorker.ready) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.sync) { return registration.sync.register("tepat-visits"); }
      }).catch(function () {});
    }
  }

  /* --- photos -------------------------------------------------------------------------------------- */

  function compress(file) {
    var max = CONFIG.photo_max_bytes;
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height)), quality = 0.82;
      function attempt(left) {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); }).then(function (blob) {
          if (blob && blob.size <= max) { return blob; }
          if (!left) { throw new Error(t("photo_too_large")); }
          if (quality > 0.5) { quality -= 0.12; } else { scale *= 0.75; }
          return attempt(left - 1);
        });
      }
      return attempt(10);
    });
  }

  function preview(blob) {
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };  // a data: URL (the CSP allows img data:)
      reader.readAsDataURL(blob);
    });
  }

  /* --- views --------------------------------------------------------------------------------------- */

  function render() {
    Promise.all([Store.get("token"), Store.get("user"), Store.all("assignments"), Store.all("queue"),
                 Store.usage(), Store.get("last_sync"), Store.get("categories"),
                 Store.get("reference"), Store.get("receipt_catalogue")]).then(function (got) {
      state.catalogue = got[8] || {reasons: [], collectors: []};
      var net = document.getElementById("net");
      net.textContent = navigator.onLine ? t("online") : t("offline");
      net.className = "net " + (navigator.onLine ? "net--on" : "net--off");
      app.textContent = "";
      if (!got[0] || state.expired) { app.appendChild(signInView(got[1])); return; }
      if (state.view === "visit" && state.current) { app.appendChild(visitView(state.current)); return; }
      if (state.view === "invitation") { app.appendChild(invitationView()); return; }
      if (state.view === "receipts") { app.appendChild(receiptsView()); return; }
      if (state.view === "receipt" && state.current) { app.appendChild(receiptView(state.current)); return; }
      if (state.view === "complaint") { app.appendChild(complaintView(got[2], got[6] || [], got[7])); return; }
      app.appendChild(listView(got[1], got[2], got[3], got[4], got[5]));
    });
  }

  function signInView(user) {
    var form = h("form", {class: "card", id: "signin", onsubmit: function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      button.textContent = t("signing_in");
      var username = form.username.value.trim();
      api("POST", "/auth/login", {username: username, password: form.password.value,
                                  device_name: "Tepat Lapangan"}).then(function (data) {
        return Store.set("token", data.token).then(function () {
          return Store.set("user", {username: data.username, role: data.role, expires_at: data.expires_at});
        });
      }).then(function () {
        state.expired = false;
        render();
        if (navigator.onLine) { return download().then(render).then(sync); }
      }).catch(function (error) {
        button.disabled = false;
        button.textContent = t("sign_in");
        toast(error.message);
      });
    }},
      h("h1", {}, t("sign_in")),
      state.expired ? h("p", {class: "notice"}, t("session_expired")) : null,
      h("label", {for: "username"}, t("username")),
      h("input", {id: "username", name: "username", autocomplete: "username", required: true,
                  value: user ? user.username : ""}),
      h("label", {for: "password"}, t("password")),
      h("input", {id: "password", name: "password", type: "password", autocomplete: "current-password", required: true}),
      h("button", {type: "submit", class: "button button--block"}, t("sign_in")));
    return form;
  }

  function listView(user, assignments, queue, usage, lastSync) {
    var queued = {};
    queue.forEach(function (item) { queued[item.proposal_id] = item; });
    var conflicts = queue.filter(function (i) { return i.state === "conflict"; });
    var errors = queue.filter(function (i) { return i.state === "error"; });
    var open = assignments.slice().sort(function (a, b) { return a.reference < b.reference ? -1 : 1; });
    return h("div", {},
      h("section", {class: "card toolbar"},
        h("p", {class: "who"}, user ? user.username : ""),
        h("button", {class: "button", id: "download", disabled: !navigator.onLine, onclick: function (e) {
          e.target.disabled = true;
          e.target.textContent = t("downloading");
          download().then(function () { render(); return sync(); }).catch(function (error) {
            toast(error.message); render();
          });
        }}, t("download")),
        h("button", {class: "button button--ghost", id: "send", disabled: !navigator.onLine || !usage.pending,
                     onclick: function () { sync(); }}, t("sync_now")),
        h("button", {class: "button button--ghost", id: "signout", onclick: signOut}, t("sign_out")),
        h("button", {class: "button button--ghost", id: "new-complaint", onclick: function () {
          state.view = "complaint"; render(); window.scrollTo(0, 0);
        }}, t("new_complaint")),
        h("button", {class: "button button--ghost", id: "check-invitation", onclick: function () {
          state.view = "invitation"; render(); window.scrollTo(0, 0);
        }}, t("check_invitation")),
        usage.kpm ? h("button", {class: "button", id: "open-receipts", onclick: function () {
          state.view = "receipts"; state.scanned = null; render(); window.scrollTo(0, 0);
        }}, t("receipts")) : null),
      h("section", {class: "card storage", id: "storage"},
        h("h2", {}, t("storage")),
        h("dl", {},
          h("dt", {}, t("stored_records")), h("dd", {id: "stored-count"}, String(usage.assignments)),
          usage.kpm ? h("dt", {}, t("stored_kpm")) : null, usage.kpm ? h("dd", {id: "stored-kpm"}, String(usage.kpm)) : null,
          h("dt", {}, t("stored_bytes")), h("dd", {id: "stored-bytes"}, usage.bytes.toLocaleString()),
          h("dt", {}, t("pending_count")), h("dd", {id: "pending-count"}, String(usage.pending)),
          h("dt", {}, t("last_sync")), h("dd", {}, lastSync ? new Date(lastSync).toLocaleString() : t("never")))),
      conflicts.length ? h("section", {class: "card conflicts", id: "conflicts"},
        h("h2", {}, t("conflicts")), h("p", {}, t("conflict_help")), conflicts.map(function (item) {
          return item.kind === "receipt" ? receiptConflictView(item) : conflictView(item);
        })) : null,
      errors.length ? h("section", {class: "card errors", id: "errors"},
        h("h2", {}, t("errors")), errors.map(function (item) {
          return h("div", {class: "item"}, h("p", {}, h("strong", {}, item.reference || ""), " ", item.subject || ""),
            h("p", {class: "error"}, message(item.result)),
            h("button", {class: "button button--ghost button--small", onclick: function () {
              Store.remove("queue", item.client_id).then(render);
            }}, t("discard")));
        })) : null,
      h("section", {class: "card"},
        h("h2", {}, t("assignments")),
        open.length ? h("ul", {class: "list", id: "assignments"}, open.map(function (a) {
          var item = queued[a.id];
          return h("li", {class: "assignment", "data-id": a.id},
            h("div", {}, h("strong", {}, a.subject_name), h("br"),
              h("span", {class: "muted mono"}, a.reference), " · ", h("span", {class: "muted"}, a.kind_label || a.kind)),
            item ? h("span", {class: "badge badge--" + item.state}, item.state === "pending" ? t("pending")
                                                                       : t(item.state === "conflict" ? "conflicts" : "errors"))
              : h("button", {class: "button visit-button", onclick: function () {
                state.view = "visit"; state.current = a; render(); window.scrollTo(0, 0);
              }}, t("visit")));
        })) : h("p", {class: "muted"}, t("no_assignments"))));
  }

  function facts(list) {
    return h("ul", {class: "facts"}, (list || []).map(function (f) {
      return h("li", {}, f.label + ": ", h("strong", {}, f.value === undefined ? "" : String(f.value)));
    }));
  }

  function conflictView(item) {
    var result = item.result || {}, current = result.current || {};
    var sent = (item.visit && item.visit.results) || {};
    var mine = Object.keys(sent).map(function (path) {
      var r = sent[path];
      return {label: (item.labels || {})[path] || path,
              value: r.result === "corrected" ? t("corrected") + " → " + r.value : t("as_proposed")};
    });
    mine.push({label: t("outcome"), value: t(item.visit.outcome === "rejected" ? "outcome_rejected" : "outcome_confirmed")},
              {label: t("visit_date"), value: item.visit.visited_on});
    if (item.visit.notes) { mine.push({label: t("notes"), value: item.visit.notes}); }
    var server = [];
    if (current.status_label || current.status) { server.push({label: t("status"), value: current.status_label || current.status}); }
    (current.facts || []).forEach(function (f) { server.push(f); });
    (current.verifications || []).forEach(function (v) {
      server.push({label: t("visit") + " " + v.visited_on, value: (v.verifier || "") + " · " + (v.outcome || "")});
    });
    if (current.family) {
      server.push({label: t("family"), value: [current.family.kk_number, current.family.address,
                                               "RT " + current.family.rt + " / RW " + current.family.rw].join(" · ")});
    }
    return h("div", {class: "conflict", "data-client-id": item.client_id},
      h("p", {}, h("strong", {}, item.reference || ""), " ", item.subject || ""),
      h("p", {class: "error"}, message(result)),
      h("div", {class: "versions"},
        h("div", {class: "version version--mine"}, h("h3", {}, t("your_visit")), facts(mine)),
        h("div", {class: "version version--server"}, h("h3", {}, t("server_now")), facts(server))),
      h("div", {class: "actions"},
        h("button", {class: "button button--ghost button--small discard", onclick: function () {
          Store.remove("queue", item.client_id).then(render);
        }}, t("discard")),
        // a proposal that moved on cannot take the visit any more: only discarding it makes sense
        (!current.status || current.status === "in_verification") && (result.etag || result.code === "family_changed") ? h("button", {class: "button button--small resend", onclick: function () {
          // A new item (a new idempotency key) against the version now shown: a deliberate choice.
          Store.remove("queue", item.client_id).then(function () {
            return Store.put("queue", {client_id: uuid(), proposal_id: item.proposal_id,
                                       if_match: result.etag || item.if_match, visit: item.visit,
                                       photos: item.photos, state: "pending", created_at: Date.now(),
                                       reference: item.reference, subject: item.subject, labels: item.labels});
          }).then(render).then(sync);
        }}, t("resend")) : null));
  }

  function radios(name, options, checked) {
    return h("div", {class: "radio-row"}, options.map(function (o) {
      var id = name + "-" + o[0];
      return h("label", {for: id, class: "radio"},
        h("input", {type: "radio", name: name, id: id, value: o[0], checked: o[0] === checked}), " ", o[1]);
    }));
  }

  function correctionInput(fact, index) {
    var spec = fact.input || {type: "text"}, id = "f" + index + "-value";
    var initial = fact.raw === null || fact.raw === undefined ? "" : String(fact.raw);
    if (spec.type === "choice") {
      return h("select", {id: id, name: id}, h("option", {value: ""}, "—"), spec.choices.map(function (c) {
        return h("option", {value: c.code, selected: c.code === initial}, c.label);
      }));
    }
    return h("input", {id: id, name: id, type: spec.type === "date" ? "date" : "text", value: initial});
  }

  function visitView(a) {
    var photos = [], position = null;
    var thumbs = h("div", {class: "thumbs", id: "thumbs"});
    var locationStatus = h("span", {class: "muted", id: "location-status"});
    var family = a.family;
    var form = h("form", {class: "visit", id: "visit-form", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      var results = {}, problems = [];
      a.facts.forEach(function (fact, i) {
        var choice = form.querySelector("input[name=f" + i + "-result]:checked").value;
        var entry = {result: choice};
        if (choice === "corrected") {
          var raw = form.elements["f" + i + "-value"].value;
          if (raw === "") { problems.push(fact.label); }
          entry.value = fact.input && fact.input.integer && raw !== "" ? parseInt(raw, 10) : raw;
        }
        results[fact.path] = entry;
      });
      var outcome = form.querySelector("input[name=outcome]:checked").value;
      var reason = form.elements.rejection_reason.value.trim();
      if (outcome === "rejected" && !reason) { problems.push(t("rejection_reason")); }
      if (problems.length) { toast(t("required") + ": " + problems.join(", ")); return; }
      var visit = {visited_on: form.elements.visited_on.value || today(),
                   household_found: form.querySelector("input[name=household_found]:checked").value === "yes",
                   outcome: outcome, results: results, notes: form.elements.notes.value.trim(),
                   rejection_reason: reason};
      if (position) { visit.latitude = position.latitude; visit.longitude = position.longitude; visit.accuracy_m = position.accuracy; }
      var item = {client_id: uuid(), proposal_id: a.id, if_match: a.etag, visit: visit, photos: photos,
                  state: "pending", created_at: Date.now(), reference: a.reference, subject: a.subject_name,
                  labels: a.facts.reduce(function (m, f) { m[f.path] = f.label; return m; }, {})};
      Store.put("queue", item).then(function () {
        toast(t("saved"));
        state.view = "list"; state.current = null;
        render();
        requestBackgroundSync();
        sync();
      });
    }},
      h("p", {}, h("button", {type: "button", class: "button button--ghost button--small", onclick: function () {
        state.view = "list"; state.current = null; render();
      }}, "← " + t("back"))),
      h("h1", {}, a.subject_name),
      h("p", {class: "muted"}, h("span", {class: "mono"}, a.reference), " · " + (a.kind_label || a.kind)),
      family ? h("details", {class: "card"}, h("summary", {}, t("family") + ": " + family.kk_number),
        h("p", {}, [family.address, "RT " + family.rt + " / RW " + family.rw].join(" · ")),
        h("ul", {}, (a.members || []).map(function (m) { return h("li", {}, m.name + " · " + (m.relation && m.relation.label || "")); }))) : null,
      h("fieldset", {class: "card"}, h("legend", {}, t("visit")),
        h("label", {for: "visited_on"}, t("visit_date")),
        h("input", {type: "date", id: "visited_on", name: "visited_on", value: today(), max: today()}),
        h("p", {class: "label"}, t("household_found")),
        radios("household_found", [["yes", t("yes")], ["no", t("no")]], "yes")),
      h("fieldset", {class: "card"}, h("legend", {}, t("check_facts")), a.facts.map(function (fact, i) {
        return h("div", {class: "fact", "data-fact": fact.path},
          h("p", {class: "fact__label"}, fact.label + ": ", h("strong", {}, fact.value)),
          radios("f" + i + "-result", [["confirmed", t("as_proposed")], ["corrected", t("corrected")]], "confirmed"),
          h("label", {for: "f" + i + "-value"}, t("correct_value")), correctionInput(fact, i));
      })),
      h("fieldset", {class: "card"}, h("legend", {}, t("location") + " · " + t("photos")),
        locationButton("use-location", locationStatus, function (p) { position = p; }),
        h("label", {for: "photo-input", class: "button button--ghost"}, t("add_photo")),
        h("input", {type: "file", id: "photo-input", accept: "image/*", capture: "environment", multiple: true,
                    class: "visually-hidden", onchange: function (event) {
          var files = Array.prototype.slice.call(event.target.files);
          event.target.value = "";
          files.reduce(function (chain, file) {
            return chain.then(function () { return compress(file); }).then(function (blob) {
              photos.push({name: "foto-" + (photos.length + 1) + ".jpg", type: "image/jpeg", blob: blob});
              return preview(blob).then(function (url) {
                thumbs.appendChild(h("figure", {class: "thumb"}, h("img", {src: url, alt: ""}),
                  h("figcaption", {class: "photo-size"}, Math.round(blob.size / 1024) + " KB")));
              });
            });
          }, Promise.resolve()).catch(function (error) { toast(error.message); });
        }}),
        thumbs,
        h("label", {for: "notes"}, t("notes")), h("textarea", {id: "notes", name: "notes", rows: 3})),
      h("fieldset", {class: "card"}, h("legend", {}, t("outcome")),
        radios("outcome", [["confirmed", t("outcome_confirmed")], ["rejected", t("outcome_rejected")]], "confirmed"),
        h("label", {for: "rejection_reason"}, t("rejection_reason")),
        h("textarea", {id: "rejection_reason", name: "rejection_reason", rows: 2})),
      h("div", {class: "sticky-actions"}, h("button", {type: "submit", class: "button button--block", id: "save-visit"}, t("save_visit"))));
    return form;
  }

  /* Complaint intake in the field (item 7): queued like a visit, sent with its own Idempotency-Key. */
  function complaintView(assignments, categories, reference) {
    var villages = ((reference && reference.regions) || []).filter(function (r) { return r.code.split(".").length === 4; });
    var families = assignments.filter(function (a) { return a.family; });
    var form = h("form", {class: "complaint", id: "complaint-form", novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      var kind = form.querySelector("input[name=subject_kind]:checked").value;
      var anonymous = form.elements.anonymous.checked;
      var data = {channel: "puskesos", category: form.elements.category.value,
                  description: form.elements.description.value.trim(), subject_kind: kind,
                  complainant_anonymous: anonymous,
                  complainant_name: anonymous ? "" : form.elements.complainant_name.value.trim(),
                  complainant_contact: anonymous ? "" : form.elements.complainant_contact.value.trim()};
      var problems = [];
      if (!data.category) { problems.push(t("category")); }
      if (!data.description) { problems.push(t("description")); }
      if (!anonymous && !data.complainant_name) { problems.push(t("complainant_name")); }
      if (kind === "family") {
        data.family_id = form.elements.family_id.value;
        if (!data.family_id) { problems.push(t("family")); }
      } else {
        data.subject_name = form.elements.subject_name.value.trim();
        data.subject_address = form.elements.subject_address.value.trim();
        data.subject_region_code = form.elements.subject_region_code.value;
        if (!data.subject_name) { problems.push(t("subject_name")); }
        if (!data.subject_address) { problems.push(t("subject_address")); }
        if (!data.subject_region_code) { problems.push(t("village")); }
      }
      if (problems.length) { toast(t("required") + ": " + problems.join(", ")); return; }
      Store.put("queue", {client_id: uuid(), kind: "complaint", complaint: data, state: "pending",
                          created_at: Date.now(), reference: t("complaint"),
                          subject: data.description.slice(0, 60)}).then(function () {
        toast(t("saved"));
        state.view = "list";
        render();
        requestBackgroundSync();
        sync();
      });
    }},
      h("p", {}, h("button", {type: "button", class: "button button--ghost button--small", onclick: function () {
        state.view = "list"; render();
      }}, "← " + t("back"))),
      h("h1", {}, t("new_complaint")),
      h("fieldset", {class: "card"}, h("legend", {}, t("complaint")),
        h("label", {for: "category"}, t("category")),
        h("select", {id: "category", name: "category"}, h("option", {value: ""}, "—"), categories.map(function (c) {
          return h("option", {value: c.code}, CONFIG.language === "en" ? c.name_en : c.name_id);
        })),
        h("label", {for: "description"}, t("description")),
        h("textarea", {id: "description", name: "description", rows: 4})),
      h("fieldset", {class: "card"}, h("legend", {}, t("subject")),
        radios("subject_kind", [["family", t("family")], ["unregistered", t("unregistered")]],
               families.length ? "family" : "unregistered"),
        h("label", {for: "family_id"}, t("family")),
        h("select", {id: "family_id", name: "family_id"}, h("option", {value: ""}, "—"), families.map(function (a) {
          return h("option", {value: a.family.id}, a.subject_name + " · " + a.family.kk_number);
        })),
        h("label", {for: "subject_name"}, t("subject_name")), h("input", {id: "subject_name", name: "subject_name"}),
        h("label", {for: "subject_address"}, t("subject_address")), h("input", {id: "subject_address", name: "subject_address"}),
        h("label", {for: "subject_region_code"}, t("village")),
        h("select", {id: "subject_region_code", name: "subject_region_code"}, h("option", {value: ""}, "—"),
          villages.map(function (r) { return h("option", {value: r.code}, r.name); }))),
      h("fieldset", {class: "card"}, h("legend", {}, t("complainant")),
        h("label", {for: "anonymous", class: "radio"}, h("input", {type: "checkbox", id: "anonymous", name: "anonymous"}),
          " ", t("anonymous")),
        h("label", {for: "complainant_name"}, t("complainant_name")),
        h("input", {id: "complainant_name", name: "complainant_name"}),
        h("label", {for: "complainant_contact"}, t("complainant_contact")),
        h("input", {id: "complainant_contact", name: "complainant_contact", type: "tel"})),
      h("div", {class: "sticky-actions"}, h("button", {type: "submit", class: "button button--block", id: "save-complaint"},
                                            t("save_complaint"))));
    return form;
  }

  /* An invitation's QR text, verified offline (item 7): base64url(payload) "." base64url(Ed25519 signature
     over "tepat-invitation:" + payload), payload "1|key id|kpm_ref|programme|tahap|amount|YYYYMMDD|village"
     (tepat.distribution.invitations.signing). WebCrypto Ed25519 with the downloaded public keys. Single
     use is still checked online by the scan (not done from this app yet). */
  function unb64(text) {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) { throw new Error("malformed"); }
    var bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function verifyInvitation(token) {
    return Store.get("invitation_keys").then(function (keys) {
      var parts = token.replace(/\s+/g, "").split(".");
      var payload, signature, fields;
      try {
        if (parts.length !== 2) { throw new Error("malformed"); }
        payload = unb64(parts[0]); signature = unb64(parts[1]);
        fields = new TextDecoder("utf-8", {fatal: true}).decode(payload).split("|");
        if (fields.length !== 8 || fields[0] !== "1" || !/^\d{8}$/.test(fields[6])) { throw new Error("malformed"); }
      } catch (e) { return {verdict: "malformed"}; }
      var key = (keys || []).filter(function (k) { return k.key_id === fields[1]; })[0];
      if (!key) { return {verdict: "unknown_key", fields: fields}; }
      var domain = new TextEncoder().encode("tepat-invitation:");
      var signed = new Uint8Array(domain.length + payload.length);
      signed.set(domain); signed.set(payload, domain.length);
      return crypto.subtle.importKey("raw", unb64(key.public_key), {name: "Ed25519"}, false, ["verify"])
        .then(function (publicKey) { return crypto.subtle.verify({name: "Ed25519"}, publicKey, signature, signed); })
        .then(function (ok) {
          if (!ok) { return {verdict: "bad_signature", fields: fields}; }
          var expiry = fields[6].slice(0, 4) + "-" + fields[6].slice(4, 6) + "-" + fields[6].slice(6);
          return {verdict: expiry < today() ? "expired" : "valid", fields: fields, expiry: expiry};
        });
    });
  }

  function invitationView() {
    var out = h("div", {id: "invitation-result", "aria-live": "polite"});
    var form = h("form", {class: "card", id: "invitation-form", onsubmit: function (event) {
      event.preventDefault();
      verifyInvitation(form.elements.token.value).then(function (result) {
        out.textContent = "";
        var f = result.fields || [];
        out.appendChild(h("div", {class: "card verdict verdict--" + result.verdict, "data-verdict": result.verdict},
          h("h2", {}, t("invitation_" + result.verdict)),
          f.length ? facts([{label: "KPM", value: f[2]}, {label: t("programme"), value: f[3] + " · tahap " + f[4]},
                            {label: t("amount"), value: "Rp " + Number(f[5]).toLocaleString("id-ID")},
                            {label: t("expires"), value: result.expiry || f[6]},
                            {label: t("village"), value: f[7]}]) : null));
      });
    }},
      h("p", {}, h("button", {type: "button", class: "button button--ghost button--small", onclick: function () {
        state.view = "list"; render();
      }}, "← " + t("back"))),
      h("h1", {}, t("check_invitation")),
      h("label", {for: "token"}, t("invitation_text")),
      h("textarea", {id: "token", name: "token", rows: 4, autocomplete: "off", spellcheck: "false"}),
      h("button", {type: "submit", class: "button button--block", id: "verify-invitation"}, t("verify")));
    return h("div", {}, form, out);
  }

  /* --- distribution receipts (item 7) -------------------------------------------------------------- */

  /* What an invitation means here: the offline verdict (signature, expiry), then this device's knowledge:
     a KPM of a downloaded distribution of this programme and tahap, not met yet on the server (as of the
     download) nor on this device (a receipt in the queue). */
  function checkForReceipt(token) {
    return Promise.all([verifyInvitation(token), Store.get("distributions"), Store.all("queue")]).then(function (got) {
      var result = got[0], dists = got[1] || [], queue = got[2];
      if (result.verdict !== "valid") { return result; }
      var f = result.fields;
      return Store.one("kpm", f[2]).then(function (row) {
        var dist = dists.filter(function (d) { return d.programme === f[3] && String(d.tahap) === f[4]; })[0];
        result.row = row;
        if (!dist || !row || row.distribution_id !== dist.id) { result.verdict = "wrong_distribution"; }
        else if (row.status !== "pending") { result.verdict = "received_server"; }
        else if (queue.some(function (i) { return i.kind === "receipt" && i.kpm_ref === row.kpm_ref; })) {
          result.verdict = "received_device";
        }
        return result;
      });
    });
  }

  var RECEIPT_VERDICTS = ["wrong_distribution", "received_server", "received_device"];

  /* "Use my location": the position (6 decimals) and its accuracy in metres, shown in `status` and handed to `set`. */
  function locationButton(id, status, set) {
    return h("p", {}, h("button", {type: "button", class: "button button--ghost", id: id, onclick: function () {
      if (!navigator.geolocation) { status.textContent = t("no_location"); return; }
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        var position = {latitude: Number(pos.coords.latitude.toFixed(6)), longitude: Number(pos.coords.longitude.toFixed(6)),
                        accuracy: Math.round(pos.coords.accuracy)};
        set(position);
        status.textContent = position.latitude + ", " + position.longitude + " (" + t("accuracy") +
                             " ±" + position.accuracy + " m)";
      }, function (err) { status.textContent = err.message; }, {enableHighAccuracy: true, timeout: 20000});
    }}, t("use_location")), " ", status);
  }

  function stopCamera() {
    if (state.stream) { state.stream.getTracks().forEach(function (track) { track.stop(); }); state.stream = null; }
  }

  function receiptsView() {
    var out = h("div", {id: "scan-result", "aria-live": "polite"});
    var video = h("video", {id: "scan-video", class: "scan-video", playsinline: true, muted: true, hidden: true});
    var canRead = "BarcodeDetector" in window;

    function show(token) {
      stopCamera();
      video.hidden = true;
      out.textContent = "";  // never leave the previous code's verdict on screen while this one is checked
      return checkForReceipt(token).then(function (result) {
        out.textContent = "";
        var f = result.fields || [], row = result.row;
        out.appendChild(h("div", {class: "card verdict verdict--" + result.verdict, "data-verdict": result.verdict},
          h("h2", {}, t((RECEIPT_VERDICTS.indexOf(result.verdict) !== -1 ? "receipt_" : "invitation_") + result.verdict)),
          f.length ? facts([{label: "KPM", value: f[2]}, {label: t("programme"), value: f[3] + " · tahap " + f[4]},
                            {label: t("amount"), value: "Rp " + Number(f[5]).toLocaleString("id-ID")},
                            {label: t("expires"), value: result.expiry || f[6]}]) : null,
          row && row.name ? facts([{label: t("subject_name"), value: row.name},
                                   {label: "RT/RW", value: row.rt + " / " + row.rw}]) : null,
          result.verdict === "valid" ? h("button", {class: "button button--block", id: "record-receipt", onclick: function () {
            state.view = "receipt"; state.current = {row: row, token: token.replace(/\s+/g, "")}; render(); window.scrollTo(0, 0);
          }}, t("record_receipt")) : null));
      });
    }

    function detect(source) {
      return new window.BarcodeDetector({formats: ["qr_code"]}).detect(source).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }

    var manual = h("form", {class: "card", id: "receipt-token-form", onsubmit: function (event) {
      event.preventDefault();
      show(manual.elements.receipt_token.value);
    }},
      h("label", {for: "receipt_token"}, t("invitation_text")),
      h("textarea", {id: "receipt_token", name: "receipt_token", rows: 3, autocomplete: "off", spellcheck: "false"}),
      h("button", {type: "submit", class: "button button--ghost button--block", id: "check-receipt-token"}, t("verify")));

    var search = h("input", {id: "kpm-search", type: "search", placeholder: t("search_kpm"), oninput: function () { fill(); }});
    var list = h("ul", {class: "list", id: "kpm-list"});
    function fill() {
      Promise.all([Store.all("kpm"), Store.all("queue")]).then(function (got) {
        var queued = {};
        got[1].forEach(function (i) { if (i.kind === "receipt") { queued[i.kpm_ref] = i; } });
        var q = search.value.trim().toLowerCase();
        var rows = got[0].filter(function (r) {
          return r.status === "pending" && !queued[r.kpm_ref] &&
                 (!q || (r.name || "").toLowerCase().indexOf(q) !== -1 || r.kpm_ref.toLowerCase().indexOf(q) !== -1);
        }).sort(function (a, b) { return (a.rt + a.name) < (b.rt + b.name) ? -1 : 1; });
        list.textContent = "";
        rows.slice(0, 30).forEach(function (r) {
          list.appendChild(h("li", {class: "assignment", "data-kpm": r.kpm_ref},
            h("div", {}, h("strong", {}, r.name), h("br"),
              h("span", {class: "muted mono"}, r.kpm_ref), " · RT " + r.rt + " / RW " + r.rw),
            h("button", {class: "button button--small", onclick: function () {
              state.view = "receipt"; state.current = {row: r, token: ""}; render(); window.scrollTo(0, 0);
            }}, t("record_receipt"))));
        });
        if (!rows.length) { list.appendChild(h("li", {class: "muted"}, t("no_kpm"))); }
      });
    }
    fill();

    return h("div", {},
      h("p", {}, h("button", {type: "button", class: "button button--ghost button--small", onclick: function () {
        stopCamera(); state.view = "list"; render();
      }}, "← " + t("back"))),
      h("h1", {}, t("receipts")),
      h("section", {class: "card"}, h("h2", {}, t("scan_invitation")),
        canRead ? h("p", {},
          h("button", {type: "button", class: "button", id: "scan-camera", onclick: function () {
            if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { toast(t("no_camera")); return; }
            navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}}).then(function (stream) {
              state.stream = stream;
              video.srcObject = stream;
              video.hidden = false;
              return video.play();
            }).then(function () {
              (function loop() {
                if (!state.stream) { return; }
                detect(video).then(function (code) { if (code) { show(code); } else { setTimeout(loop, 250); } },
                                   function () { setTimeout(loop, 500); });
              })();
            }).catch(function () { toast(t("no_camera")); });
          }}, t("scan_camera")), " ",
          h("label", {for: "qr-photo", class: "button button--ghost"}, t("scan_photo")),
          h("input", {type: "file", id: "qr-photo", accept: "image/*", capture: "environment", class: "visually-hidden",
                      onchange: function (event) {
            var file = event.target.files[0];
            event.target.value = "";
            if (!file) { return; }
            createImageBitmap(file).then(detect).then(function (code) {
              if (code) { show(code); } else { toast(t("no_qr_found")); }
            }).catch(function () { toast(t("no_qr_found")); });
          }})) : h("p", {class: "muted"}, t("no_qr_reader")),
        video),
      manual, out,
      h("section", {class: "card"}, h("h2", {}, t("kpm_waiting")), h("p", {class: "muted"}, t("without_invitation")),
        search, list));
  }

  /* A signature drawn with a finger on a <canvas>, kept as a PNG Blob. */
  function signaturePad() {
    var canvas = h("canvas", {id: "signature-pad", class: "signature-pad", width: 640, height: 280});
    var ctx = canvas.getContext("2d"), drawing = false, pad = {drawn: false, canvas: canvas};
    ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true; canvas.setPointerCapture(event.pointerId);
      var p = point(event); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event); ctx.lineTo(p[0], p[1]); ctx.stroke(); pad.drawn = true;
    });
    ["pointerup", "pointercancel"].forEach(function (name) { canvas.addEventListener(name, function () { drawing = false; }); });
    pad.clear = function () { ctx.clearRect(0, 0, canvas.width, canvas.height); pad.drawn = false; };
    pad.blob = function () {
      if (!pad.drawn) { return Promise.resolve(null); }
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
    };
    return pad;
  }

  function photoPicker(id, label, prefix, list, thumbs) {
    return [h("label", {for: id, class: "button button--ghost"}, label),
      h("input", {type: "file", id: id, accept: "image/*", capture: "environment", multiple: true, class: "visually-hidden",
                  onchange: function (event) {
        var files = Array.prototype.slice.call(event.target.files);
        event.target.value = "";
        files.reduce(function (chain, file) {
          return chain.then(function () { return compress(file); }).then(function (blob) {
            list.push({name: prefix + "-" + (list.length + 1) + ".jpg", type: "image/jpeg", blob: blob});
            return preview(blob).then(function (url) {
              thumbs.appendChild(h("figure", {class: "thumb"}, h("img", {src: url, alt: ""}),
                h("figcaption", {class: "photo-size"}, Math.round(blob.size / 1024) + " KB")));
            });
          });
        }, Promise.resolve()).catch(function (error) { toast(error.message); });
      }})];
  }

  function receiptView(current) {
    var row = current.row, photos = [], letters = [], position = null;
    var thumbs = h("div", {class: "thumbs", id: "receipt-thumbs"}), letterThumbs = h("div", {class: "thumbs"});
    var locationStatus = h("span", {class: "muted", id: "receipt-location"});
    var pad = signaturePad();
    var catalogue = {reasons: [], collectors: []};
    var reasonSelect = h("select", {id: "reason", name: "reason"}, h("option", {value: ""}, "—"));
    var collectorRow = h("div", {id: "collector-row"});
    Store.get("receipt_catalogue").then(function (c) {
      catalogue = c || catalogue;
      catalogue.reasons.forEach(function (r) {
        reasonSelect.appendChild(h("option", {value: r.code}, CONFIG.language === "en" ? r.name_en : r.name_id));
      });
      collectorRow.appendChild(radios("collector", catalogue.collectors.map(function (c) { return [c.code, c.label]; }), "self"));
      toggle();
    });
    var delivered = h("div", {id: "delivered-part"}), notDelivered = h("div", {id: "not-delivered-part"});
    var partly = h("div", {id: "partly-part"}), other = h("div", {id: "collector-other"}),
        outsider = h("div", {id: "collector-outsider"});
    function toggle() {
      var outcome = (form.querySelector("input[name=outcome]:checked") || {}).value;
      var collector = (form.querySelector("input[name=collector]:checked") || {}).value;
      delivered.hidden = outcome === "none"; notDelivered.hidden = outcome !== "none"; partly.hidden = outcome !== "partly";
      other.hidden = collector === "self"; outsider.hidden = collector !== "authorised";
    }
    var form = h("form", {class: "receipt", id: "receipt-form", novalidate: true, onchange: toggle, onsubmit: function (event) {
      event.preventDefault();
      var el = form.elements, problems = [];
      var outcome = form.querySelector("input[name=outcome]:checked").value;
      var collector = outcome === "none" ? "" : (form.querySelector("input[name=collector]:checked") || {}).value || "";
      var data = {outcome: outcome, collector: collector, reason: outcome === "none" ? el.reason.value : "",
                  collector_name: collector && collector !== "self" ? el.collector_name.value.trim() : "",
                  authority_letter: collector === "authorised" ? el.authority_letter.value.trim() : "",
                  received_at: new Date().toISOString(), device: "Tepat Lapangan", note: el.receipt_note.value.trim()};
      if (collector === "kk_member" || collector === "authorised") {
        var relation = el.relation.value.trim();
        if (relation) { data.note = (t("relation") + ": " + relation + (data.note ? "\n" + data.note : "")); }
        if (!data.collector_name) { problems.push(t("collector_name")); }
      }
      if (collector === "authorised" && !data.authority_letter) { problems.push(t("authority_letter")); }
      if (collector === "authorised" && !letters.length) { problems.push(t("authority_letter_photo")); }
      if (outcome === "none" && !data.reason) { problems.push(t("reason")); }
      if (outcome === "partly") {
        data.amount = parseInt(el.amount.value, 10);
        if (!(data.amount > 0 && data.amount < row.amount)) { problems.push(t("amount")); }
      }
      if (outcome !== "none" && !pad.drawn) { problems.push(t("signature")); }
      if (problems.length) { toast(t("required") + ": " + problems.join(", ")); return; }
      if (position) { data.latitude = position.latitude; data.longitude = position.longitude; data.accuracy_m = position.accuracy; }
      pad.blob().then(function (png) {
        return Store.put("queue", {client_id: uuid(), kind: "receipt", kpm_ref: row.kpm_ref, token: current.token || "",
                                   receipt: data, photos: photos.concat(letters),
                                   signature: png ? {name: "tanda-tangan.png", type: "image/png", blob: png} : null,
                                   state: "pending", created_at: Date.now(), reference: row.kpm_ref, subject: row.name});
      }).then(function () {
        toast(t("saved"));
        state.view = "receipts"; state.current = null;
        render();
        requestBackgroundSync();
        sync();
      });
    }},
      h("p", {}, h("button", {type: "button", class: "button button--ghost button--small", onclick: function () {
        state.view = "receipts"; state.current = null; render();
      }}, "← " + t("back"))),
      h("h1", {}, row.name || row.kpm_ref),
      h("p", {class: "muted"}, h("span", {class: "mono"}, row.kpm_ref), " · RT " + row.rt + " / RW " + row.rw),
      facts([{label: t("subject_address"), value: row.address}, {label: "NIK", value: row.nik},
             {label: t("amount"), value: "Rp " + Number(row.amount).toLocaleString("id-ID")},
             {label: t("invitation"), value: current.token ? t("invitation_checked") : t("no_invitation")}]),
      h("fieldset", {class: "card"}, h("legend", {}, t("status")),
        radios("outcome", [["full", t("outcome_full")], ["partly", t("outcome_partly")], ["none", t("outcome_none")]], "full"),
        partly),
      h("fieldset", {class: "card"}, h("legend", {}, t("collected_by")),
        delivered, notDelivered),
      h("fieldset", {class: "card"}, h("legend", {}, t("location") + " · " + t("photos")),
        locationButton("receipt-use-location", locationStatus, function (p) { position = p; }),
        photoPicker("receipt-photo-input", t("add_photo"), "foto", photos, thumbs), thumbs,
        h("label", {for: "receipt_note"}, t("notes")), h("textarea", {id: "receipt_note", name: "receipt_note", rows: 2})),
      h("fieldset", {class: "card", id: "signature-part"}, h("legend", {}, t("signature")),
        h("p", {class: "muted"}, t("signature_help")), pad.canvas,
        h("p", {}, h("button", {type: "button", class: "button button--ghost button--small", id: "signature-clear",
                                onclick: function () { pad.clear(); }}, t("clear")))),
      h("div", {class: "sticky-actions"}, h("button", {type: "submit", class: "button button--block", id: "save-receipt"},
                                            t("save_receipt"))));
    partly.appendChild(h("label", {for: "amount"}, t("amount_received")));
    partly.appendChild(h("input", {id: "amount", name: "amount", type: "number", inputmode: "numeric", min: 1, max: row.amount - 1}));
    delivered.appendChild(collectorRow);
    other.appendChild(h("label", {for: "collector_name"}, t("collector_name")));
    other.appendChild(h("input", {id: "collector_name", name: "collector_name"}));
    other.appendChild(h("label", {for: "relation"}, t("relation")));
    other.appendChild(h("input", {id: "relation", name: "relation"}));
    outsider.appendChild(h("label", {for: "authority_letter"}, t("authority_letter")));
    outsider.appendChild(h("input", {id: "authority_letter", name: "authority_letter"}));
    photoPicker("letter-input", t("authority_letter_photo"), "surat-kuasa", letters, letterThumbs)
      .forEach(function (node) { outsider.appendChild(node); });
    outsider.appendChild(letterThumbs);
    other.appendChild(outsider);
    delivered.appendChild(other);
    notDelivered.appendChild(h("label", {for: "reason"}, t("reason")));
    notDelivered.appendChild(reasonSelect);
    toggle();
    return form;
  }

  /* "self" → "The KPM in person", "absent" → "tidak hadir …": the downloaded catalogues' labels. */
  function whoOrWhy(receipt) {
    var c = state.catalogue || {reasons: [], collectors: []};
    var collector = (c.collectors || []).filter(function (x) { return x.code === receipt.collector; })[0];
    if (collector) { return collector.label + (receipt.collector_name ? " · " + receipt.collector_name : ""); }
    var reason = (c.reasons || []).filter(function (x) { return x.code === receipt.reason; })[0];
    return reason ? t("reason") + ": " + (CONFIG.language === "en" ? reason.name_en : reason.name_id)
                  : (receipt.collector || receipt.reason || "");
  }

  function receiptConflictView(item) {
    var result = item.result || {}, current = result.current || {}, mine = item.receipt || {};
    return h("div", {class: "conflict", "data-client-id": item.client_id, "data-kind": "receipt"},
      h("p", {}, h("strong", {}, item.reference || ""), " ", item.subject || ""),
      h("p", {class: "error"}, message(result)),
      h("div", {class: "versions"},
        h("div", {class: "version version--mine"}, h("h3", {}, t("your_receipt")), facts([
          {label: t("status"), value: t("outcome_" + mine.outcome)}, {label: t("collected_by"), value: whoOrWhy(mine)},
          {label: t("time"), value: new Date(mine.received_at).toLocaleString()}])),
        h("div", {class: "version version--server"}, h("h3", {}, t("server_now")), facts([
          {label: t("status"), value: t("outcome_" + current.outcome)},
          {label: t("collected_by"), value: whoOrWhy(current)},
          {label: t("time"), value: current.received_at ? new Date(current.received_at).toLocaleString() : ""},
          {label: t("officer"), value: (current.officer || "") + (current.device ? " · " + current.device : "")}]))),
      h("div", {class: "actions"},
        h("button", {class: "button button--ghost button--small discard", onclick: function () {
          Store.remove("queue", item.client_id).then(render);
        }}, t("discard_receipt"))));
  }

  function signOut() {
    Store.usage().then(function (usage) {
      if ((usage.pending || usage.conflicts) && !window.confirm(t("confirm_sign_out"))) { return; }
      var revoke = navigator.onLine ? api("POST", "/auth/logout", {}).catch(function () {}) : Promise.resolve();
      return revoke.then(function () { return Store.wipe(false); }).then(function () {
        state.expired = false; state.view = "list"; toast(t("signed_out")); render();
      });
    });
  }

  /* --- start --------------------------------------------------------------------------------------- */

  function expireOldData() {
    return Store.get("last_sync").then(function (last) {
      if (last && Date.now() - last > CONFIG.keep_hours * 3600 * 1000) {
        return Store.wipe(true).then(function () { toast(t("expired_data")); });
      }
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(CONFIG.worker, {scope: CONFIG.scope}).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "sync") { sync(); }
    });
  }
  window.addEventListener("online", function () { render(); sync(); });
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine) { sync(); } }, 30000);
  expireOldData().then(render).then(function () { if (navigator.onLine) { return sync(); } });
  window.tepatField = {download: download, sync: sync, store: Store};  // for the browser test and debugging
})();
