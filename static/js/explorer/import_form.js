// Your own model: the import form (POST /api/models), and "Delete this model" for the models this
// browser imported, whose delete tokens it keeps in localStorage, one key per model id.
// Model and class names come from users: they are only ever set as text.
import { deleteModel, importModel } from "../api.js";
import { t } from "../i18n/index.js";
import { createTokenStore } from "../widgets/token_store.js";

/** The delete tokens of the models this browser imported. */
export const deleteTokens = createTokenStore("convlens.delete-token");

function say(message, text, state) {
  message.textContent = text;
  if (state) message.dataset.state = state;
  else delete message.dataset.state;
}

/** What the form says before the server is asked, when a field is plainly missing. */
function missing(form) {
  if (!form.elements.file.files.length) return t("Choose the model file (.keras or .h5) first.");
  if (!form.elements.name.value.trim()) return t("Give the model a name: it is how the model is listed.");
  return null;
}

/**
 * createImportForm(form, {message, onImported(answer)}) posts the form to POST /api/models; the
 * server's refusal is shown in `message`, word for word. answer = {id, delete_token, model, ...}.
 */
export function createImportForm(form, { message, onImported }) {
  const submit = form.querySelector("[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = missing(form);
    if (problem) return say(message, problem, "error");
    const field = (name) => form.elements[name].value;
    const fields = {
      file: form.elements.file.files[0],
      name: field("name").trim(),
      classes: field("classes").trim() || undefined,
      preprocessing: field("preprocessing") || undefined,
      fit: field("fit"),
      scale: field("scale"),
    };
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    say(message, t("Importing {file}: ConvLens reads and checks every layer and weight…", { file: fields.file.name }), "busy");
    try {
      const answer = await importModel(fields);
      deleteTokens.set(answer.id, answer.delete_token);
      form.reset();
      form.closest("details")?.removeAttribute("open"); // the new model's input panel comes into view
      say(message, t("Imported “{model}”: it is selected above, and listed for everyone.", { model: answer.model.name }), "done");
      onImported(answer);
    } catch (error) {
      say(message, t("Not imported: {reason}", { reason: error.message }), "error");
    } finally {
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
}

/**
 * createDeleteControl({row, button, note, onDeleted(id)}) -> {show(model), clearNote()}: the button is shown
 * only for models whose delete token this browser holds.
 */
export function createDeleteControl({ row, button, note, onDeleted }) {
  let model = null;
  button.addEventListener("click", async () => {
    if (!model) return;
    const { id, name } = model;
    const token = deleteTokens.get(id);
    button.disabled = true;
    try {
      await deleteModel(id, token);
      deleteTokens.remove(id);
      say(note, t("Deleted “{model}”.", { model: name }), "done");
      onDeleted(id);
    } catch (error) {
      if (error.status === 404) {
        deleteTokens.remove(id); // gone already
        onDeleted(id);
      }
      say(note, t("Not deleted: {reason}", { reason: error.message }), "error");
    } finally {
      button.disabled = false;
    }
  });
  return {
    show(shown) {
      model = shown;
      row.hidden = !(shown && deleteTokens.get(shown.id));
    },
    /** Forget the last deletion's message (another model was picked). */
    clearNote: () => say(note, ""),
  };
}
