// Forms: labelled fields, a hint and an error line under each input, one alert per form.
// On an error nothing the user typed is touched; the message says what to fix.

import { h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { alertArea, showAlert } from "./ui.js";

let counter = 0;
const nextId = (name) => `f-${name}-${++counter}`;

/** Link an input to its hint and error lines for screen readers. */
function describe(control, ids) {
  const list = ids.filter(Boolean).join(" ");
  if (list) control.setAttribute("aria-describedby", list);
}

/**
 * A labelled input, or a select when `options` ([{value, label}]) is given.
 * Extra attributes (autocomplete, inputmode, ...) go in `attrs`.
 */
export function field({ name, label, type = "text", value = "", hint, required, options, attrs = {}, optional }) {
  const id = nextId(name);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  let control;
  if (options) {
    control = h(
      "select",
      { id, name, required, ...attrs },
      options.map((o) => h("option", { value: o.value, selected: String(o.value) === String(value ?? ""), lang: o.lang || null, text: o.label })),
    );
  } else {
    control = h("input", { id, name, type, required, ...attrs });
    control.value = value ?? "";
  }
  describe(control, [hintId, errorId]);
  const labelText = optional ? `${label} ${t("form.optional")}` : label;
  return h(
    "div",
    { class: "field", "data-field": name },
    h("label", { for: id, text: labelText }),
    hint && h("p", { id: hintId, class: "hint", text: hint }),
    control,
    h("p", { id: errorId, class: "field-error", hidden: true }),
  );
}

/** A group of big radio buttons (one choice), in a fieldset with a legend. */
export function radios({ name, legend, options, value }) {
  const errorId = nextId(`${name}-error`);
  return h(
    "fieldset",
    { class: "field radios", "data-field": name, "aria-describedby": errorId },
    h("legend", { text: legend }),
    options.map((o) => {
      const id = nextId(name);
      return h(
        "div",
        { class: "radio" },
        h("input", { type: "radio", id, name, value: o.value, checked: o.value === value }),
        h("label", { for: id, text: o.label }),
      );
    }),
    h("p", { id: errorId, class: "field-error", hidden: true }),
  );
}

/** Values of a form as a plain object of trimmed strings. */
export function values(form) {
  const out = {};
  for (const [key, value] of new FormData(form)) out[key] = typeof value === "string" ? value.trim() : value;
  return out;
}

function clearErrors(form) {
  for (const box of form.querySelectorAll("[data-field]")) {
    const error = box.querySelector(".field-error");
    error.hidden = true;
    error.textContent = "";
    for (const control of box.querySelectorAll("input, select, textarea")) control.removeAttribute("aria-invalid");
  }
}

/** Put each field error under its input; return the messages for fields this form does not have. */
function fieldErrors(form, errors) {
  const leftOver = [];
  for (const { field: name = "", message } of errors) {
    // The server may say "body.firstName" or "firstName".
    const key = String(name).split(".").pop();
    const box = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
    if (!box) {
      if (message) leftOver.push(message);
      continue;
    }
    const error = box.querySelector(".field-error");
    error.textContent = message;
    error.hidden = false;
    for (const control of box.querySelectorAll("input, select, textarea")) control.setAttribute("aria-invalid", "true");
  }
  // Focus goes to the first wrong field as it appears on screen, not as the server listed it.
  return { leftOver, first: form.querySelector('[aria-invalid="true"]') };
}

function waitText(seconds) {
  return seconds < 60
    ? t("error.waitSeconds", { seconds })
    : t("error.waitMinutes", { minutes: Math.ceil(seconds / 60) });
}

/**
 * A form that calls onSubmit(values, form) and shows what went wrong.
 * The submit button is not disabled (that would drop keyboard focus); a busy flag stops double taps.
 */
export function form({ fields, submitLabel, submitIcon = "check", onSubmit, className = "form", extra }) {
  const alert = alertArea();
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block" }, icon(submitIcon), h("span", { text: submitLabel }));
  const el = h("form", { class: className, novalidate: true }, alert, fields, extra, submit);
  let busy = false;
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    submit.setAttribute("aria-disabled", "true");
    clearErrors(el);
    showAlert(alert, null);
    let holdSeconds = 0;
    try {
      await onSubmit(values(el), el);
    } catch (error) {
      const { leftOver, first } = fieldErrors(el, error.errors || []);
      if (error.status === 429 && error.retryAfter) {
        holdSeconds = error.retryAfter;
        // Say how long to wait, unless the server's message already does.
        if (!/\d/.test(error.message)) leftOver.push(waitText(error.retryAfter));
      }
      showAlert(alert, error, leftOver);
      if (first) first.focus();
    } finally {
      const release = () => {
        busy = false;
        submit.removeAttribute("aria-disabled");
      };
      // Too many attempts: the button stays off until the server will listen again.
      if (holdSeconds) setTimeout(release, holdSeconds * 1000);
      else release();
    }
  });
  return el;
}

/** Turn "" into nothing: optional fields that were left empty are not sent. */
export function compact(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== "" && v != null));
}
