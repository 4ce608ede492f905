// "Train a network on your own images": wires the dataset form, the training form and the job
// view together. The job being watched is kept in the URL (?job=<id>, and &epoch=<n> for its
// scrubber: ./page_url.js), so a reload resumes watching it; its cancel token is kept in this browser's storage, one key per job, and becomes
// the trained model's delete token.
import { cancelJob, getDataset, getJob } from "../api.js";
import { byId } from "../dom.js";
import { t } from "../i18n/index.js";
import { deleteTokens } from "../explorer/import_form.js";
import { createDatasetForm } from "./dataset_form.js";
import { renderDataset } from "./dataset_view.js";
import { isFinished, watchJob } from "./job_watch.js";
import { createJobView } from "./job_view.js";
import { readParam, writeParams } from "./page_url.js";
import { createTrainForm } from "./train_form.js";
import { createTokenStore } from "../widgets/token_store.js";

const cancelTokens = createTokenStore("convlens.cancel-token");

const JOB_ID = /^[0-9a-f]{16}$/;

function jobInUrl() {
  const id = readParam("job");
  return id && JOB_ID.test(id) ? id : null;
}

/** The epoch the address asks the scrubber to show, or null (the newest). */
function epochInUrl() {
  const epoch = readParam("epoch");
  return epoch !== null && /^\d{1,4}$/.test(epoch) ? Number(epoch) : null;
}

// A new job starts on its newest epoch: the last job's chosen epoch does not apply to it.
const keepJobInUrl = (id) => writeParams({ job: id, epoch: null });

/** Set up the section; onModelTrained(modelId) is called once a watched job has stored its model. */
export function setUpOwnImages({ onModelTrained }) {
  const section = byId("own");
  const datasetView = byId("dataset-view");
  let watcher = null;
  let current = null; // the job watched: its id and token

  const trainForm = createTrainForm({
    form: byId("train-form"),
    recipeList: byId("recipe-list"),
    message: byId("train-message"),
    hint: byId("train-hint"),
    onStarted: (answer) => {
      cancelTokens.set(answer.id, answer.cancel_token);
      keepJobInUrl(answer.id);
      follow(answer.status);
      byId("job-view").scrollIntoView({ behavior: "smooth", block: "start" });
    },
  });

  function useDataset(dataset) {
    renderDataset(datasetView, dataset);
    trainForm.useDataset(dataset);
  }

  const datasets = createDatasetForm({
    form: byId("dataset-form"),
    message: byId("dataset-message"),
    picker: byId("dataset-pick"),
    onDataset: useDataset,
  });

  const jobView = createJobView(byId("job-view"), {
    epoch: epochInUrl(),
    // The newest epoch while following is left out: a reload follows again.
    onEpoch: (epoch, newest) => writeParams({ epoch: newest ? null : epoch }),
    async onCancel() {
      const { id } = current ?? {};
      const token = id && cancelTokens.get(id);
      if (!token) return;
      jobView.setCancelling(true);
      jobView.say(t("Asking the worker to stop: it stops between two batches…"), "busy");
      try {
        const job = await cancelJob(id, token);
        jobView.say("");
        show(job);
      } catch (error) {
        jobView.say(t("Not cancelled: {error}", { error: error.message }), "error");
      } finally {
        jobView.setCancelling(false);
      }
    },
  });

  function show(job) {
    if (job.id !== current?.id) return; // a late answer about a job no longer watched
    jobView.show(job, { canCancel: Boolean(cancelTokens.get(job.id)) });
    section.dataset.job = job.state;
    if (isFinished(job)) {
      // The cancel token also deletes the trained model: the Network explorer offers "Delete
      // this model" to the browser that holds it.
      const token = cancelTokens.get(job.id);
      if (token && job.state === "done" && job.model) deleteTokens.set(job.model, token);
      cancelTokens.remove(job.id);
      jobView.setMode("");
      if (job.state === "done" && job.model && !current.announced) {
        current.announced = true;
        onModelTrained(job.model);
      }
    }
  }

  // announced: the model is already listed (a job that had ended before the page loaded).
  function follow(job, announced = false) {
    watcher?.stop();
    current = { id: job.id, announced };
    show(job);
    if (isFinished(job)) return;
    watcher = watchJob(job.id, {
      onStatus: show,
      onError: (error) => jobView.say(t("Could not ask how the job is going (asking again): {error}", { error: error.message }), "error"),
      onMode: (mode) =>
        jobView.setMode(
          mode === "stream"
            ? t("Live: the server sends every update as it happens.")
            : t("The live stream broke: asking the server for news every second instead."),
          mode,
        ),
    });
  }

  async function resume(id) {
    try {
      const job = await getJob(id);
      follow(job, isFinished(job));
      if (job.dataset) {
        const dataset = await getDataset(job.dataset).catch(() => null); // may have been removed
        if (dataset) useDataset(dataset);
      }
    } catch (error) {
      byId("train-message").textContent = t("Could not resume job {id}: {error}", { id, error: error.message });
      byId("train-message").dataset.state = "error";
    }
  }

  const resumed = jobInUrl();
  return Promise.all([datasets.refreshList(), resumed ? resume(resumed) : null]);
}
