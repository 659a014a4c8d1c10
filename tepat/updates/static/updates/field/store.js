/* Tepat field app: the device's store (IndexedDB) and the upload of the queue. Used by the page and by the
   service worker (no DOM here). Stores:
     kv          token, user, cursor, last_sync (ms), reference (regions and code lists)
     assignments one row per open assignment (the proposal, its facts, family and members)
     kpm         one row per KPM of the distributor's open distributions (kpm_ref; name, RT/RW, address,
                 masked NIK and amount only while awaiting distribution), for receipts offline
     queue       one row per recorded visit: client_id (the idempotency key, made when it is recorded),
                 proposal_id, if_match (the proposal's ETag then), visit, photos (Blobs), state
                 pending | conflict | error, and the server's answer for a conflict or an error.
                 A complaint has kind "complaint"; a distribution receipt kind "receipt" (kpm_ref, the
                 invitation's QR text, the receipt, photos and the signature PNG as Blobs). */
(function (global) {
  "use strict";
  var DB_NAME = "tepat-lapangan", DB_VERSION = 2, STORES = ["kv", "assignments", "queue", "kpm"];
  var BATCH = 10;
  var dbPromise = null;

  function open() {
    if (dbPromise) { return dbPromise; }
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("kv")) { db.createObjectStore("kv"); }
        if (!db.objectStoreNames.contains("assignments")) { db.createObjectStore("assignments", {keyPath: "id"}); }
        if (!db.objectStoreNames.contains("queue")) { db.createObjectStore("queue", {keyPath: "client_id"}); }
        if (!db.objectStoreNames.contains("kpm")) { db.createObjectStore("kpm", {keyPath: "kpm_ref"}); }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  function tx(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), result;
        var out = work(t.objectStore(store));
        if (out && "onsuccess" in out) { out.onsuccess = function () { result = out.result; }; }
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }

  var Store = {
    get: function (key) { return tx("kv", "readonly", function (s) { return s.get(key); }); },
    set: function (key, value) { return tx("kv", "readwrite", function (s) { s.put(value, key); }); },
    del: function (key) { return tx("kv", "readwrite", function (s) { s.delete(key); }); },
    all: function (store) { return tx(store, "readonly", function (s) { return s.getAll(); }); },
    one: function (store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); },
    put: function (store, row) { return tx(store, "readwrite", function (s) { s.put(row); }); },
    remove: function (store, key) { return tx(store, "readwrite", function (s) { s.delete(key); }); },
    clear: function (stores) {
      return Promise.all(stores.map(function (name) {
        return tx(name, "readwrite", function (s) { s.clear(); });
      }));
    },
    STORES: STORES,
  };

  /* Bytes this app holds: the rows as JSON plus the photos' sizes (what navigator.storage.estimate() adds
     up is the whole origin, with the cached shell). */
  Store.usage = function () {
    return Promise.all([Store.all("assignments"), Store.all("queue"), Store.all("kpm")]).then(function (rows) {
      var bytes = 0, pending = 0, conflicts = 0, errors = 0;
      rows[0].concat(rows[2]).forEach(function (row) { bytes += JSON.stringify(row).length; });
      rows[1].forEach(function (item) {
        bytes += JSON.stringify(item.visit || item.complaint || item.receipt || {}).length +
                 JSON.stringify(item.result || {}).length;
        (item.photos || []).concat(item.signature ? [item.signature] : []).forEach(function (photo) {
          bytes += photo.blob ? photo.blob.size : 0;
        });
        if (item.state === "pending") { pending += 1; }
        else if (item.state === "conflict") { conflicts += 1; }
        else if (item.state === "error") { errors += 1; }
      });
      return {assignments: rows[0].length, kpm: rows[2].length, bytes: bytes, pending: pending, conflicts: conflicts,
              errors: errors};
    });
  };

  function Expired() { this.expired = true; this.message = "unauthenticated"; }

  /* Send every pending visit, BATCH a request. Each item is applied (or refused) on its own by the server,
     which replays the first answer for a client_id it already has: a batch re-sent after a lost answer
     records nothing twice. Resolves with {ok, conflicts, errors}; rejects with {expired: true} on 401 (the
     items stay pending) and with the network error when offline (likewise). */
  Store.uploadQueue = function (api) {
    var counts = {ok: 0, conflicts: 0, errors: 0};
    return Store.get("token").then(function (token) {
      if (!token) { return counts; }  // signed out: nothing to send with (a 401 is what "expired" means)
      /* A complaint (issue 14 item 7): its own POST, its client_id as the Idempotency-Key (a retry after a
         lost answer gets the first answer back, never a second complaint). */
      function complaints() {
        return Store.all("queue").then(function (items) {
          var item = items.filter(function (i) { return i.kind === "complaint" && i.state === "pending"; })[0];
          if (!item) { return receipts(); }
          return fetch(api + "/grievances/complaints", {method: "POST", credentials: "omit",
            body: JSON.stringify(item.complaint),
            headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json",
                      "Idempotency-Key": item.client_id}}).then(function (response) {
            if (response.status === 401) { throw new Expired(); }
            return response.json().catch(function () { return {}; }).then(function (body) {
              if (response.status === 403 && body.code === "csrf_failed") { throw new Expired(); }
              if (response.ok) { counts.ok += 1; return Store.remove("queue", item.client_id); }
              if (response.status >= 500 || body.code === "idempotency_in_progress") { throw new Error("HTTP " + response.status); }
              item.state = "error";
              item.result = {status: "error", code: body.code, field: body.field, message: body.message};
              counts.errors += 1;
              return Store.put("queue", item);
            });
          }).then(complaints);
        });
      }
      /* Distribution receipts (item 7): BATCH a request to /distribution/field/receipts, multipart with
         photo:<client_id> and signature:<client_id> files; per-item answers as for the visits. "ok" removes
         the row and marks the KPM as met on this device (its personal data dropped); a conflict (the server
         already has this KPM's receipt) or an error keeps the row with the server's answer. */
      function receipts() {
        return Store.all("queue").then(function (items) {
          var batch = items.filter(function (i) { return i.kind === "receipt" && i.state === "pending"; })
            .sort(function (a, b) { return a.created_at - b.created_at; }).slice(0, BATCH);
          if (!batch.length) { return counts; }
          var form = new FormData();
          form.append("items", JSON.stringify(batch.map(function (i) {
            return {client_id: i.client_id, kpm_ref: i.kpm_ref, token: i.token || "", receipt: i.receipt};
          })));
          batch.forEach(function (i) {
            (i.photos || []).forEach(function (p) { form.append("photo:" + i.client_id, p.blob, p.name); });
            if (i.signature) { form.append("signature:" + i.client_id, i.signature.blob, i.signature.name); }
          });
          return fetch(api + "/distribution/field/receipts", {method: "POST", body: form, credentials: "omit",
                                                              headers: {"Authorization": "Bearer " + token}})
            .then(answerOf).then(function (answer) {
              var byId = {};
              batch.forEach(function (i) { byId[i.client_id] = i; });
              return Promise.all(answer.results.map(function (result) {
                var item = byId[result.client_id];
                if (!item) { return null; }
                if (result.status === "ok") {
                  counts.ok += 1;
                  return Store.remove("queue", item.client_id).then(function () {
                    return Store.one("kpm", item.kpm_ref);
                  }).then(function (row) {
                    if (!row) { return null; }
                    return Store.put("kpm", {kpm_ref: row.kpm_ref, distribution_id: row.distribution_id,
                                             village: row.village, status: "received"});
                  });
                }
                item.state = result.status === "conflict" ? "conflict" : "error";
                item.result = result;
                counts[result.status === "conflict" ? "conflicts" : "errors"] += 1;
                return Store.put("queue", item);
              }));
            }).then(receipts);
        });
      }
      function answerOf(response) {
        if (response.status === 401) { throw new Expired(); }
        if (response.status === 403) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            throw body.code === "csrf_failed" ? new Expired() : new Error("HTTP 403");
          });
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }
      function round() {
        return Store.all("queue").then(function (items) {
          var batch = items.filter(function (i) { return !i.kind && i.state === "pending"; })
            .sort(function (a, b) { return a.created_at - b.created_at; }).slice(0, BATCH);
          if (!batch.length) { return complaints(); }
          var form = new FormData();
          form.append("items", JSON.stringify(batch.map(function (i) {
            return {client_id: i.client_id, proposal_id: i.proposal_id, if_match: i.if_match, visit: i.visit};
          })));
          batch.forEach(function (i) {
            (i.photos || []).forEach(function (p) { form.append("photo:" + i.client_id, p.blob, p.name); });
          });
          return fetch(api + "/sync/visits", {method: "POST", body: form, credentials: "omit",
                                              headers: {"Authorization": "Bearer " + token}})
            .then(function (response) {
              if (response.status === 401) { throw new Expired(); }
              if (response.status === 403) {  // an older server's answer to a dead token on a POST
                return response.json().catch(function () { return {}; }).then(function (body) {
                  throw body.code === "csrf_failed" ? new Expired() : new Error("HTTP 403");
                });
              }
              if (!response.ok) { throw new Error("HTTP " + response.status); }
              return response.json();
            }).then(function (answer) {
              var byId = {};
              batch.forEach(function (i) { byId[i.client_id] = i; });
              return Promise.all(answer.results.map(function (result) {
                var item = byId[result.client_id];
                if (!item) { return null; }
                if (result.status === "ok") {
                  counts.ok += 1;
                  return Store.remove("queue", item.client_id).then(function () {
                    return Store.remove("assignments", item.proposal_id);  // done: keep no personal data
                  });
                }
                item.state = result.status === "conflict" ? "conflict" : "error";
                item.result = result;
                counts[result.status === "conflict" ? "conflicts" : "errors"] += 1;
                return Store.put("queue", item);
              }));
            }).then(round);
        });
      }
      return round();
    });
  };

  /* Sign-out and expiry erase the personal data; `keepQueue` keeps the visits not yet sent. */
  Store.wipe = function (keepQueue) {
    var stores = keepQueue ? ["assignments", "kpm"] : ["assignments", "kpm", "queue"];
    return Store.clear(stores).then(function () {
      return Promise.all(["cursor", "reference", "last_sync", "categories", "invitation_keys", "distributions",
                          "receipt_catalogue"].concat(keepQueue ? [] : ["token", "user"])
        .map(Store.del));
    });
  };

  global.FieldStore = Store;
})(self);
