// "Mijn traject": the worker's own steps towards regular work, done and next, in short sentences
// with big icons. Read aloud like the other worker screens.

import { api } from "../api.js";
import { append, h, icon } from "../dom.js";
import { t } from "../i18n.js";
import { readAloudButton } from "../readAloud.js";
import { heading, linkButton } from "../ui.js";

const ICON = { reached: "check", in_progress: "wait", planned: "clock", skipped: "cancel" };
// A standard step (its words from the catalogue, `step.<key>`) has a pictogram of its own.
const STEP_ICON = {
  intake: "intake",
  basic_training: "training",
  work_experience: "shift",
  certificate: "documents",
  internship: "building",
  moved_on: "check",
};

export async function progressView() {
  const progress = await api.get("/api/me/progress");
  const content = h("div", { class: "stack progress" });
  const steps = progress.steps.map((step) =>
    h(
      "li",
      { class: `progress-step progress-${step.status}` },
      h("span", { class: "progress-icon" }, icon(ICON[step.status] || "clock")),
      step.key && STEP_ICON[step.key] && h("span", { class: "progress-kind", "data-step": step.key, title: t(`step.${step.key}`) }, icon(STEP_ICON[step.key])),
      h("p", { text: step.sentence }),
    ),
  );
  return append(content, [
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    heading(t("progress.title")),
    readAloudButton(() => content),
    progress.total
      ? h("p", { class: "lead", text: t("progress.summary", { done: progress.done, total: progress.total }) })
      : h("p", { class: "lead", text: t("progress.empty") }),
    progress.total > 0 && h("ol", { class: "progress-steps" }, steps),
  ]);
}
