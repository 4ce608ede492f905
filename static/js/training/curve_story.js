// What the curves show, in a few sentences worked out from the numbers alone: how far validation
// accuracy rose, which curve ends above the other and why when the recipe says why, and whether
// validation loss is still falling, has stopped, or rose again while training loss fell
// (overfitting). Nothing is said that the history does not show.
import { formatNumber, formatPercent } from "../format.js";
import { t } from "../i18n/index.js";

// Validation loss counts as "rising again" when it ends this much above its lowest value, at
// least RISE_EPOCHS after it; and as "stopped" when its lowest is PLATEAU_EPOCHS or more back.
const RISE_FRACTION = 0.1;
const RISE_EPOCHS = 2;
const PLATEAU_EPOCHS = 3;
const GAP_POINTS = 0.02; // training accuracy this far above validation is called a gap

// The training recipes that hold Dropout (app/ml/recipes.py: small-vgg's dense 64 drops 30%).
const RECIPES_WITH_DROPOUT = new Set(["small-vgg"]);

const percent = (v) => formatPercent(v, 1);
const loss = (v) => formatNumber(v, 3);

function argBest(values, better) {
  let best = 0;
  values.forEach((v, i) => {
    if (v != null && (values[best] == null || better(v, values[best]))) best = i;
  });
  return best;
}

const holdsDropout = (layers) =>
  (layers ?? []).some(
    (layer) => layer.type === "Dropout" || (layer.branches ?? []).some((branch) => holdsDropout(branch)),
  );

/** What made training harder than validation, from a model's detail: {augmentation, dropout}. */
export function regularisationOfModel(detail) {
  const training = detail.training ?? {};
  return {
    augmentation: Boolean(training.augmentation || training.augment),
    dropout: (detail.summary ?? []).some((row) => row.type === "Dropout"),
  };
}

/** The same for a training job: its request's augment, and Dropout in its network. */
export function regularisationOfJob(job) {
  const architecture = job.request?.architecture;
  return {
    augmentation: Boolean(job.request?.augment),
    dropout: Array.isArray(architecture) ? holdsDropout(architecture) : RECIPES_WITH_DROPOUT.has(architecture),
  };
}

// Each sentence is one whole template with the measured values as placeholders, so a
// translation can order them its own way; the digits' and the images' sentences are apart.

/** Why validation ends above training: the sentence for what the recipe holds (and the noun). */
function validationAboveText({ augmentation, dropout }, digits, values) {
  if (augmentation && dropout) {
    return digits
      ? t("Validation accuracy is above training accuracy ({validation} against {training} after epoch {epoch}): augmentation (every training digit shifted, turned and zoomed a little) and dropout (units switched off at random while training, never while validating) make the training digits harder than the validation digits.", values)
      : t("Validation accuracy is above training accuracy ({validation} against {training} after epoch {epoch}): augmentation (every training image shifted, turned and zoomed a little) and dropout (units switched off at random while training, never while validating) make the training images harder than the validation images.", values);
  }
  if (augmentation) {
    return digits
      ? t("Validation accuracy is above training accuracy ({validation} against {training} after epoch {epoch}): augmentation makes the training digits harder than the validation digits: each is shifted, turned and zoomed a little every epoch, the validation digits never.", values)
      : t("Validation accuracy is above training accuracy ({validation} against {training} after epoch {epoch}): augmentation makes the training images harder than the validation images: each is shifted, turned and zoomed a little every epoch, the validation images never.", values);
  }
  if (dropout) {
    return t("Validation accuracy is above training accuracy ({validation} against {training} after epoch {epoch}): dropout makes training harder than validation: it switches off units at random while training, never while validating.", values);
  }
  return t("Validation accuracy is above training accuracy ({validation} against {training} after epoch {epoch}): training accuracy is the average over each epoch, while the weights were still improving; validation is measured at the epoch's end.", values);
}

function progressSentence(h, n) {
  const va = h.val_accuracy;
  const best = argBest(va, (a, b) => a > b);
  const values = { first: percent(va[0]), last: percent(va[n - 1]), epochs: n, best: percent(va[best]), bestEpoch: best + 1 };
  return {
    kind: "progress",
    text:
      values.best === values.last
        ? t("Validation accuracy went from {first} after epoch 1 to {last} after epoch {epochs}.", values)
        : t("Validation accuracy went from {first} after epoch 1 to {last} after epoch {epochs} (its best, {best}, after epoch {bestEpoch}).", values),
  };
}

function gapSentence(h, n, regularisation, noun) {
  const train = h.accuracy[n - 1];
  const validation = h.val_accuracy[n - 1];
  const digits = noun === "digits";
  const values = { validation: percent(validation), training: percent(train), epoch: n };
  if (validation > train) {
    return { kind: "validation-above", text: validationAboveText(regularisation, digits, values) };
  }
  if (train - validation > GAP_POINTS) {
    const points = { points: formatNumber((train - validation) * 100, 1), epoch: n };
    return {
      kind: "training-above",
      text: digits
        ? t("Training accuracy is {points} points above validation accuracy after epoch {epoch}: the model does better on the digits it learned from than on digits it has not seen.", points)
        : t("Training accuracy is {points} points above validation accuracy after epoch {epoch}: the model does better on the images it learned from than on images it has not seen.", points),
    };
  }
  return {
    kind: "close",
    text: digits
      ? t("Training and validation accuracy end close together ({training} and {validation}): the model does about as well on digits it has not seen.", values)
      : t("Training and validation accuracy end close together ({training} and {validation}): the model does about as well on images it has not seen.", values),
  };
}

function lossSentence(h, n) {
  const vl = h.val_loss;
  const best = argBest(vl, (a, b) => a < b);
  const last = vl[n - 1];
  const since = n - 1 - best;
  const values = { best: best + 1, lowest: loss(vl[best]), epochs: n };
  if (since >= RISE_EPOCHS && last > vl[best] * (1 + RISE_FRACTION) && h.loss[n - 1] < h.loss[best]) {
    return {
      kind: "overfit",
      epoch: best + 1,
      text: t("The model starts to overfit after epoch {best}: validation loss was lowest there ({lowest}) and rose to {last} by epoch {epochs}, while training loss kept falling ({trainThen} to {trainLast}).", {
        ...values,
        last: loss(last),
        trainThen: loss(h.loss[best]),
        trainLast: loss(h.loss[n - 1]),
      }),
    };
  }
  if (since >= PLATEAU_EPOCHS) {
    return {
      kind: "plateau",
      epoch: best + 1,
      text: t("Validation loss stopped improving after epoch {best} (its lowest, {lowest}): the last {since} epochs did not lower it.", { ...values, since }),
    };
  }
  return {
    kind: "improving",
    epoch: best + 1,
    text: t("Validation loss reached its lowest, {lowest}, after epoch {best} of {epochs}: it was still falling near the end.", values),
  };
}

/**
 * describeCurves(history, {augmentation, dropout}, noun) -> [{kind, text, epoch?}]: the
 * sentences for a history (columns or a job's list of epochs); noun is "digits" or "images".
 */
export function describeCurves(history, regularisation, noun = "images") {
  const h = history;
  const n = h.val_accuracy?.length ?? 0;
  if (!n || h.val_accuracy.some((v) => v == null) || h.val_loss.some((v) => v == null)) return [];
  const sentences = [progressSentence(h, n)];
  sentences.push(gapSentence(h, n, regularisation, noun));
  if (n >= 2) sentences.push(lossSentence(h, n));
  return sentences;
}
