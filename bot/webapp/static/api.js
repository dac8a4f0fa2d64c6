// The Mini App's HTTP calls (Authorization: tma <initData>) and the queue of marks not yet
// saved: a tap is shown at once and saved in the background; marks that could not be sent
// wait in localStorage (one key per user and participant) and are sent when the network
// returns, on the next successful request, periodically, and on the next load.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || "";
    this.body = body || {};
  }
}

/** A network failure (offline, server unreachable): the request may be retried. */
export class NetworkError extends Error {}

export class Api {
  constructor(initData) {
    this.auth = `tma ${initData}`;
    this.onSuccess = () => {};
  }

  url(path, params = {}) {
    const url = new URL(`api/${path}`, document.baseURI);
    for (const [key, value] of Object.entries(params)) {
      if (value !== null && value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async call(method, path, { params, body } = {}) {
    let response;
    try {
      response = await fetch(this.url(path, params), {
        method,
        headers: {
          Authorization: this.auth,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (err) {
      throw new NetworkError(String(err));
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, data);
    this.onSuccess(path);
    return data;
  }

  get(path, params) {
    return this.call("GET", path, { params });
  }

  post(path, body) {
    return this.call("POST", path, { body });
  }
}

function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const RETRY_MS = 5000;

/**
 * One entry per cell: {id, target, aspect, value, expect: {value, round}, pending?}.
 * ``expect`` is the cell as the person saw it when they tapped (the server refuses the mark
 * with a conflict if it changed meanwhile). A tap on a cell whose mark is on its way is kept
 * as ``pending`` and sent after the answer, expecting the value just saved.
 */
export class MarkQueue {
  constructor(api, userId, { onResult, onChange, onDenied }) {
    this.api = api;
    this.prefix = `webapp-queue:${userId}:`;
    this.entries = new Map();
    this.inflight = new Set();
    this.failed = false;
    this.flushing = false;
    this.again = false;
    this.onResult = onResult;
    this.onChange = onChange;
    this.onDenied = onDenied;
    this.load();
    window.addEventListener("online", () => this.flush());
    setInterval(() => {
      if (this.entries.size) this.flush();
    }, RETRY_MS);
  }

  key(target, aspect) {
    return `${target}:${aspect}`;
  }

  load() {
    for (let i = 0; i < localStorage.length; i++) {
      const name = localStorage.key(i);
      if (!name || !name.startsWith(this.prefix)) continue;
      let list = [];
      try {
        list = JSON.parse(localStorage.getItem(name) || "[]");
      } catch {
        list = [];
      }
      for (const e of list) {
        if (e && e.id && Number.isInteger(e.target) && Number.isInteger(e.aspect)) {
          this.entries.set(this.key(e.target, e.aspect), e);
        }
      }
    }
    this.failed = this.entries.size > 0;
  }

  persist(target) {
    const list = [...this.entries.values()].filter((e) => e.target === target);
    const name = this.prefix + target;
    if (list.length) localStorage.setItem(name, JSON.stringify(list));
    else localStorage.removeItem(name);
  }

  /** The entry waiting for a cell, if any. */
  get(target, aspect) {
    return this.entries.get(this.key(target, aspect)) || null;
  }

  /** The value the person last chose for a cell that is not saved yet (or undefined). */
  shownValue(target, aspect) {
    const e = this.get(target, aspect);
    if (!e) return undefined;
    return e.pending !== undefined ? e.pending : e.value;
  }

  /** "saving" | "queued" | null for a cell. */
  state(target, aspect) {
    const e = this.get(target, aspect);
    if (!e) return null;
    if (this.inflight.has(e.id)) return "saving";
    return this.failed || !navigator.onLine ? "queued" : "saving";
  }

  size(target) {
    let n = 0;
    for (const e of this.entries.values()) if (target === undefined || e.target === target) n++;
    return n;
  }

  put(target, aspect, value, expect) {
    const key = this.key(target, aspect);
    const e = this.entries.get(key);
    if (e && this.inflight.has(e.id)) {
      e.pending = value;
    } else if (e) {
      e.value = value;
      e.id = uuid();
    } else {
      this.entries.set(key, { id: uuid(), target, aspect, value, expect });
    }
    this.persist(target);
    this.onChange(target, aspect);
    queueMicrotask(() => this.flush());
  }

  async flush() {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    let rounds = 0; // a server that never answers some mark must not keep the loop spinning
    try {
      do {
        this.again = false;
        const batch = [...this.entries.values()].filter((e) => !this.inflight.has(e.id)).slice(0, 100);
        if (!batch.length) break;
        if (!navigator.onLine) {
          this.failed = true;
          batch.forEach((e) => this.onChange(e.target, e.aspect));
          break;
        }
        batch.forEach((e) => this.inflight.add(e.id));
        batch.forEach((e) => this.onChange(e.target, e.aspect));
        let answer;
        try {
          answer = await this.api.post("marks", {
            marks: batch.map((e) => ({
              id: e.id,
              target: e.target,
              aspect: e.aspect,
              value: e.value,
              expect: e.expect,
            })),
          });
        } catch (err) {
          batch.forEach((e) => this.inflight.delete(e.id));
          if (err instanceof ApiError && err.status === 401) {
            this.onDenied(err);
            break;
          }
          if (err instanceof ApiError && err.status < 500) {
            // the whole call was refused (a malformed batch): these marks cannot be saved
            for (const e of batch) this.drop(e, { status: "refused", message: err.message });
            continue;
          }
          this.failed = true;
          batch.forEach((e) => this.onChange(e.target, e.aspect));
          break;
        }
        this.failed = false;
        const byId = new Map(batch.map((e) => [e.id, e]));
        for (const r of answer.results || []) {
          const e = byId.get(r.id);
          if (!e) continue;
          byId.delete(r.id);
          this.inflight.delete(e.id);
          this.settle(e, r);
        }
        // an answer without some mark: send it again (the resend is answered «saved»)
        byId.forEach((e) => this.inflight.delete(e.id));
      } while (
        ++rounds < 20 &&
        (this.again || [...this.entries.values()].some((e) => !this.inflight.has(e.id)))
      );
    } finally {
      this.flushing = false;
    }
  }

  settle(e, r) {
    const key = this.key(e.target, e.aspect);
    if (r.status === "saved" && e.pending !== undefined && r.cell && e.pending !== r.cell.value) {
      // the person tapped again while this mark was on its way: send that one, expecting
      // the value just saved
      const next = {
        id: uuid(),
        target: e.target,
        aspect: e.aspect,
        value: e.pending,
        expect: { value: r.cell.value, round: r.cell.round },
      };
      this.entries.set(key, next);
      this.persist(e.target);
      this.onResult(e.target, e.aspect, { ...r, status: "saving" });
      return;
    }
    this.drop(e, r);
  }

  drop(e, r) {
    this.entries.delete(this.key(e.target, e.aspect));
    this.persist(e.target);
    this.onResult(e.target, e.aspect, r);
  }
}
