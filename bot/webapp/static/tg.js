// window.Telegram.WebApp without loading telegram.org's script (issue #16: no external
// requests). When Telegram's object is present (or a test's stub) it is used as it is;
// otherwise one is built from the documented Mini App launch parameters in location.hash
// (tgWebAppData = the signed initData, tgWebAppThemeParams = the theme as JSON) and the
// page's calls are posted to the client as web events: TelegramWebviewProxy.postEvent on
// mobile, window.external.notify on Windows, window.parent.postMessage in the web clients
// (https://core.telegram.org/api/web-events).

function launchParams() {
  const hash = location.hash.startsWith("#") ? location.hash.slice(1) : location.hash;
  return new URLSearchParams(hash);
}

function parseJson(text, fallback) {
  try {
    return text ? JSON.parse(text) : fallback;
  } catch {
    return fallback;
  }
}

function postEvent(eventType, eventData = {}) {
  try {
    if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
      window.TelegramWebviewProxy.postEvent(eventType, JSON.stringify(eventData));
    } else if (window.external && "notify" in window.external) {
      window.external.notify(JSON.stringify({ eventType, eventData }));
    } else if (window.parent && window.parent !== window) {
      window.parent.postMessage(JSON.stringify({ eventType, eventData }), "*");
    }
  } catch {
    // outside Telegram nobody listens: the page works without the client's chrome
  }
}

function unsafeData(initData) {
  const data = {};
  for (const [key, value] of new URLSearchParams(initData)) {
    data[key] = key === "user" || key === "receiver" || key === "chat" ? parseJson(value, null) : value;
  }
  return data;
}

function buildWebApp() {
  const params = launchParams();
  const initData = params.get("tgWebAppData") || "";
  const handlers = new Map();
  const on = (name, cb) => {
    if (!handlers.has(name)) handlers.set(name, []);
    handlers.get(name).push(cb);
  };
  const off = (name, cb) => {
    const list = handlers.get(name) || [];
    handlers.set(name, list.filter((f) => f !== cb));
  };
  const emit = (name, ...args) => (handlers.get(name) || []).forEach((cb) => cb(...args));

  const app = {
    initData,
    initDataUnsafe: unsafeData(initData),
    themeParams: parseJson(params.get("tgWebAppThemeParams"), {}),
    platform: params.get("tgWebAppPlatform") || "unknown",
    version: params.get("tgWebAppVersion") || "6.0",
    colorScheme: "light",
    ready: () => postEvent("web_app_ready"),
    expand: () => postEvent("web_app_expand"),
    close: () => postEvent("web_app_close"),
    onEvent: on,
    offEvent: off,
    BackButton: {
      isVisible: false,
      show() {
        this.isVisible = true;
        postEvent("web_app_setup_back_button", { is_visible: true });
      },
      hide() {
        this.isVisible = false;
        postEvent("web_app_setup_back_button", { is_visible: false });
      },
      onClick: (cb) => on("backButtonClicked", cb),
      offClick: (cb) => off("backButtonClicked", cb),
    },
    HapticFeedback: {
      impactOccurred: (style) =>
        postEvent("web_app_trigger_haptic_feedback", { type: "impact", impact_style: style }),
      notificationOccurred: (type) =>
        postEvent("web_app_trigger_haptic_feedback", { type: "notification", notification_type: type }),
      selectionChanged: () => postEvent("web_app_trigger_haptic_feedback", { type: "selection_change" }),
    },
  };
  const bg = app.themeParams.bg_color;
  if (bg && /^#[0-9a-f]{6}$/i.test(bg)) {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(bg.slice(i, i + 2), 16));
    app.colorScheme = 0.299 * r + 0.587 * g + 0.114 * b < 128 ? "dark" : "light";
  }

  // events from the client: mobile calls Telegram.WebView.receiveEvent, the web clients post
  function receiveEvent(eventType, eventData) {
    if (eventType === "back_button_pressed") emit("backButtonClicked");
    if (eventType === "theme_changed" && eventData && eventData.theme_params) {
      app.themeParams = eventData.theme_params;
      emit("themeChanged");
    }
  }
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const data = parseJson(typeof event.data === "string" ? event.data : "", null);
    if (data && data.eventType) receiveEvent(data.eventType, data.eventData);
  });
  window.Telegram = { WebApp: app, WebView: { receiveEvent, postEvent } };
  return app;
}

/** The Telegram.WebApp object: the client's (or a test's stub), else built from the launch
 * parameters. */
export function webApp() {
  if (window.Telegram && window.Telegram.WebApp) return window.Telegram.WebApp;
  return buildWebApp();
}

/** Telegram's theme as CSS variables (--tg-theme-bg-color …), as Telegram's script sets them. */
export function applyTheme(app) {
  const root = document.documentElement;
  const theme = app.themeParams || {};
  for (const [key, value] of Object.entries(theme)) {
    if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value)) {
      root.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
    }
  }
  root.dataset.scheme = app.colorScheme || "light";
}
