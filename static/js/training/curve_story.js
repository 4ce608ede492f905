// What the curves show, in a few sentences worked out from the numbers alone: how far validation
// accuracy rose, which curve ends above the other and why when the recipe says why, and whether
// validation loss is still falling, has stopped, or rose again while training loss fell
// (overfitting). Nothing is said that the history does not show.
import { formatNumber, formatPercent } from "../format.js";

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
  const t = detail.training ?? {};
  return {
    augmentation: Boolean(t.augmentation || t.augment),
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

function causeWords({ augmentation, dropout }, noun) {
  if (augmentation && dropout) {
    return `augmentation (every training ${noun.slice(0, -1)} shifted, turned and zoomed a little) and dropout (units switched off at random while training, never while validating) make the training ${noun} harder than the validation ${noun}`;
  }
  if (augmentation) {
    return `augmentation makes the training ${noun} harder than the validation ${noun}: each is shifted, turned and zoomed a little every epoch, the validation ${noun} never`;
  }
  return `dropout makes training harder than validation: it switches off units at random while training, never while validating`;
}

function progressSentence(h, n) {
  const va = h.val_accuracy;
  const best = argBest(va, (a, b) => a > b);
  const bestPart = percent(va[best]) === percent(va[n - 1]) ? "" : ` (its best, ${percent(va[best])}, after epoch ${best + 1})`;
  return {
    kind: "progress",
    text: `Validation accuracy went from ${percent(va[0])} after epoch 1 to ${percent(va[n - 1])} after epoch ${n}${bestPart}.`,
  };
}

function gapSentence(h, n, regularisation, noun) {
  const train = h.accuracy[n - 1];
  const validation = h.val_accuracy[n - 1];
  const pair = `${percent(validation)} against ${percent(train)} after epoch ${n}`;
  if (validation > train) {
    const cause = regularisation.augmentation || regularisation.dropout
      ? causeWords(regularisation, noun)
      : "training accuracy is the average over each epoch, while the weights were still improving; validation is measured at the epoch's end";
    return { kind: "validation-above", text: `Validation accuracy is above training accuracy (${pair}): ${cause}.` };
  }
  if (train - validation > GAP_POINTS) {
    return {
      kind: "training-above",
      text: `Training accuracy is ${formatNumber((train - validation) * 100, 1)} points above validation accuracy after epoch ${n}: the model does better on the ${noun} it learned from than on ${noun} it has not seen.`,
    };
  }
  return {
    kind: "close",
    text: `Training and validation accuracy end close together (${percent(train)} and ${percent(validation)}): the model does about as well on ${noun} it has not seen.`,
  };
}

function lossSentence(h, n) {
  const vl = h.val_loss;
  const best = argBest(vl, (a, b) => a < b);
  const last = vl[n - 1];
  const since = n - 1 - best;
  if (since >= RISE_EPOCHS && last > vl[best] * (1 + RISE_FRACTION) && h.loss[n - 1] < h.loss[best]) {
    return {
      kind: "overfit",
      epoch: best + 1,
      text: `The model starts to overfit after epoch ${best + 1}: validation loss was lowest there (${loss(vl[best])}) and rose to ${loss(last)} by epoch ${n}, while training loss kept falling (${loss(h.loss[best])} to ${loss(h.loss[n - 1])}).`,
    };
  }
  if (since >= PLATEAU_EPOCHS) {
    return {
      kind: "plateau",
      epoch: best + 1,
      text: `Validation loss stopped improving after epoch ${best + 1} (its lowest, ${loss(vl[best])}): the last ${since} epochs did not lower it.`,
    };
  }
  return {
    kind: "improving",
    epoch: best + 1,
    text: `Validation loss reached its lowest, ${loss(vl[best])}, after epoch ${best + 1} of ${n}: it was still falling near the end.`,
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
