// A coach's groups: a name and some workers, to plan a training or send a reminder to all at once.

import { api } from "../api.js";
import { h } from "../dom.js";
import { field, form } from "../form.js";
import { t } from "../i18n.js";
import { announce, fullName, heading, linkButton, notice, section } from "../ui.js";
import { byName } from "./coach.js";
import { checks } from "./plan.js";

function groupCard(group, names) {
  const members = group.memberIds.map((id) => names.get(id)).filter(Boolean).sort();
  return h(
    "li",
    { class: "card" },
    h("h3", { text: group.name }),
    h("p", { text: members.length ? members.join(", ") : t("groups.empty") }),
  );
}

export async function groupsView({ me }) {
  const [people, groups] = await Promise.all([api.get("/api/people?role=worker"), api.get("/api/groups")]);
  const workers = people.filter((p) => p.active).sort(byName);
  const names = new Map(workers.map((w) => [w.id, fullName(w)]));
  const list = h("ul", { class: "plain-list stack" });
  const draw = (all) => {
    const own = all.filter((g) => g.ownerId === me.id);
    list.replaceChildren(...(own.length ? own.map((g) => groupCard(g, names)) : [h("li", { class: "muted", text: t("groups.none") })]));
  };
  draw(groups);
  const done = h("div", { role: "status", class: "status-area" });

  const theForm = form({
    fields: [
      field({ name: "name", label: t("groups.name"), hint: t("groups.nameHint"), required: true, attrs: { maxlength: "100" } }),
      checks({
        name: "memberIds",
        legend: t("groups.members"),
        options: workers.map((w) => ({ value: w.id, label: fullName(w) })),
      }),
    ],
    submitLabel: t("groups.create"),
    submitIcon: "users",
    onSubmit: async (v, formEl) => {
      const memberIds = new FormData(formEl).getAll("memberIds");
      const group = await api.post("/api/groups", { name: v.name, memberIds });
      draw(await api.get("/api/groups"));
      formEl.reset();
      const message = t("groups.created", { name: group.name });
      done.replaceChildren(notice(message));
      announce(message);
    },
  });

  return h(
    "div",
    { class: "stack" },
    heading(t("groups.title")),
    h("p", { class: "lead", text: t("groups.intro") }),
    section(t("groups.new"), theForm, done),
    section(t("groups.mine"), list),
    linkButton(t("groups.toPlan"), "calendar", "#/plan"),
  );
}
