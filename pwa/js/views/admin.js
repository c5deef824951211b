// The admin's screens: organisations and their workplaces, and the coaches who work there.

import { api } from "../api.js";
import { h, icon } from "../dom.js";
import { compact, field, form } from "../form.js";
import { LANGUAGE_NAMES, LANGUAGES, t } from "../i18n.js";
import { announce, badge, fullName, heading, linkButton, section } from "../ui.js";
import { byName } from "./coach.js";

const KINDS = ["maatwerkbedrijf", "lde", "werkervaring", "art60", "other"];

/** A "new ..." form folded away under a button-like summary, so the list comes first. */
function foldedForm(label, theForm) {
  return h("details", { class: "fold" }, h("summary", { class: "btn btn-primary" }, icon("plus"), h("span", { text: label })), theForm);
}

function row(href, title, detail, active = true) {
  return h(
    "li",
    null,
    h(
      "a",
      { class: "row-link", href },
      h("span", { class: "row-main" }, h("span", { class: "row-title", text: title }), !active && badge(false)),
      detail && h("span", { class: "row-detail", text: detail }),
    ),
  );
}

/** A decimal typed the Belgian way ("50,93") or left empty. */
function coordinate(value) {
  if (!value) return undefined;
  const number = Number(value.replace(",", "."));
  return Number.isFinite(number) ? number : value;
}

// The review state of a catalogue (backend/locales/status.json) in words.
const REVIEW = { native: "admin.languages.native", reviewed: "admin.languages.reviewed", "needs native review": "admin.languages.needsReview" };

/** The app's languages, each in its own name and script, with its review state and how complete it is. */
function languageRows(languages) {
  return h(
    "ul",
    { class: "rows" },
    languages.map((l) =>
      h(
        "li",
        null,
        h(
          "span",
          { class: "row-link" },
          h("span", { class: "row-main" }, h("span", { class: "row-title", lang: l.code, dir: l.dir, text: l.name })),
          h("span", {
            class: "row-detail",
            text: [t(REVIEW[l.review] ?? REVIEW["needs native review"]), t("admin.languages.texts", { count: l.keys, total: l.dutchKeys })].join(" · "),
          }),
        ),
      ),
    ),
  );
}

export async function adminHome(ctx) {
  const [organisations, coaches, languages] = await Promise.all([
    api.get("/api/organisations"),
    api.get("/api/people?role=coach"),
    api.get("/api/languages"),
  ]);
  const orgName = new Map(organisations.map((o) => [o.id, o.name]));

  const newOrganisation = form({
    fields: [
      field({ name: "name", label: t("org.name"), required: true, attrs: { autocomplete: "organization" } }),
      field({ name: "kind", label: t("org.kind"), value: "maatwerkbedrijf", options: KINDS.map((k) => ({ value: k, label: t(`org.kind.${k}`) })) }),
      field({ name: "city", label: t("org.city"), attrs: { autocomplete: "address-level2" } }),
    ],
    submitLabel: t("org.create"),
    submitIcon: "plus",
    onSubmit: async (v) => {
      const created = await api.post("/api/organisations", v);
      announce(t("common.added", { name: created.name }));
      ctx.refresh();
    },
  });

  const newCoach = form({
    fields: [
      field({ name: "firstName", label: t("person.firstName"), required: true, attrs: { autocomplete: "off" } }),
      field({ name: "lastName", label: t("person.lastName"), required: true, attrs: { autocomplete: "off" } }),
      field({ name: "email", label: t("person.email"), type: "email", required: true, attrs: { autocomplete: "off", inputmode: "email" } }),
      field({ name: "password", label: t("admin.password"), type: "password", required: true, hint: t("admin.passwordHint"), attrs: { autocomplete: "new-password" } }),
      field({
        name: "organisationId",
        label: t("admin.organisation"),
        options: [{ value: "", label: t("admin.chooseOrganisation") }, ...organisations.map((o) => ({ value: o.id, label: o.name }))],
      }),
      field({ name: "language", label: t("person.language"), options: LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l], lang: l })) }),
    ],
    submitLabel: t("admin.createCoach"),
    submitIcon: "plus",
    onSubmit: async (v, el) => {
      const body = compact({ ...v, password: el.elements.password.value, role: "coach" });
      const created = await api.post("/api/people", body);
      announce(t("common.added", { name: fullName(created.person) }));
      ctx.refresh();
    },
  });

  return h(
    "div",
    { class: "stack" },
    heading(t("admin.title")),
    section(
      t("admin.organisations"),
      organisations.length
        ? h(
            "ul",
            { class: "rows" },
            organisations.map((o) =>
              row(`#/organisations/${encodeURIComponent(o.id)}`, o.name, [t(`org.kind.${o.kind}`), o.city].filter(Boolean).join(" · "), o.active !== false),
            ),
          )
        : h("p", { class: "muted", text: t("admin.noOrganisations") }),
      foldedForm(t("org.new"), newOrganisation),
    ),
    section(
      t("admin.coaches"),
      coaches.length
        ? h(
            "ul",
            { class: "rows" },
            coaches.sort(byName).map((c) => row(`#/people/${encodeURIComponent(c.id)}`, fullName(c), orgName.get(c.organisationId), c.active)),
          )
        : h("p", { class: "muted", text: t("admin.noCoaches") }),
      foldedForm(t("admin.newCoach"), newCoach),
    ),
    section(t("admin.languages"), h("p", { class: "muted", text: t("admin.languages.intro") }), languageRows(languages.languages)),
  );
}

export async function organisationView(ctx) {
  const id = encodeURIComponent(ctx.params.id);
  const [organisations, workplaces] = await Promise.all([api.get("/api/organisations"), api.get(`/api/organisations/${id}/workplaces`)]);
  const organisation = organisations.find((o) => String(o.id) === ctx.params.id) || { name: t("org.unknown") };

  const newWorkplace = form({
    fields: [
      field({ name: "name", label: t("workplace.name"), required: true, attrs: { autocomplete: "off" } }),
      field({ name: "street", label: t("workplace.street"), required: true, attrs: { autocomplete: "address-line1" } }),
      field({ name: "postcode", label: t("workplace.postcode"), required: true, attrs: { autocomplete: "postal-code", inputmode: "numeric" } }),
      field({ name: "city", label: t("workplace.city"), required: true, attrs: { autocomplete: "address-level2" } }),
      field({ name: "latitude", label: t("workplace.latitude"), optional: true, hint: t("workplace.coordinatesHint"), attrs: { inputmode: "decimal" } }),
      field({ name: "longitude", label: t("workplace.longitude"), optional: true, attrs: { inputmode: "decimal" } }),
    ],
    submitLabel: t("workplace.create"),
    submitIcon: "plus",
    onSubmit: async (v) => {
      const body = compact({ ...v, latitude: coordinate(v.latitude), longitude: coordinate(v.longitude) });
      const created = await api.post(`/api/organisations/${id}/workplaces`, body);
      announce(t("common.added", { name: created.name }));
      ctx.refresh();
    },
  });

  return h(
    "div",
    { class: "stack" },
    linkButton(t("common.back"), "back", "#/home", { kind: "plain" }),
    heading(organisation.name),
    h("div", { class: "actions" }, linkButton(t("templates.open"), "edit", `#/templates/${encodeURIComponent(organisation.id)}`), linkButton(t("phrases.open"), "sms", `#/organisations/${id}/phrases`)),
    organisation.kind && h("p", { class: "lead", text: [t(`org.kind.${organisation.kind}`), organisation.city].filter(Boolean).join(" · ") }),
    section(
      t("workplace.title"),
      workplaces.length
        ? h(
            "ul",
            { class: "plain-list grid" },
            workplaces.map((w) =>
              h(
                "li",
                { class: "card" },
                h("h3", { text: w.name }),
                h("address", null, w.street, h("br"), [w.postcode, w.city].filter(Boolean).join(" ")),
                w.latitude != null && w.longitude != null && h("p", { class: "muted", text: `${w.latitude}, ${w.longitude}` }),
              ),
            ),
          )
        : h("p", { class: "muted", text: t("workplace.none") }),
      foldedForm(t("workplace.new"), newWorkplace),
    ),
  );
}
