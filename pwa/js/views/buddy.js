// The buddy's home: the workers linked to them, each with a call and an SMS button.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { callActions, heading, initials, section } from "../ui.js";
import { buddyRidesSection } from "./rides.js";

function workerCard(worker) {
  // A buddy sees first names only: enough to know who is calling.
  return h(
    "li",
    { class: "card contact" },
    h(
      "div",
      { class: "contact-head" },
      h("span", { class: "avatar", "aria-hidden": "true", text: initials({ firstName: worker.firstName }) }),
      h("h3", { text: worker.firstName }),
    ),
    callActions({ ...worker, lastName: "" }),
  );
}

export async function buddyHome({ me }) {
  const workers = me.workers || [];
  return h(
    "div",
    { class: "stack" },
    heading(t("home.hello", { name: me.firstName })),
    await buddyRidesSection().catch(() => null),
    section(
      t("buddy.workers"),
      workers.length
        ? h("ul", { class: "grid plain-list" }, workers.map(workerCard))
        : h("p", { class: "muted", text: t("buddy.noWorkers") }),
    ),
  );
}
