// The lesson path, in the course's order: each step's text, the live page it embeds (its state
// in the URL, written here and nowhere else) and the question a learner checks themself with.
// Every numeric answer is computed from the formula the step teaches (./arithmetic.js).
// view: {href: the page and its state, title: the iframe's title, show: the element of that page
// to scroll its frame to once the page is ready, try: what to do there}.
import {
  averagePool,
  conv2dParameters,
  crossCorrelate,
  filterWeights,
  flipped,
  maxPool,
  outputSize,
} from "./arithmetic.js";
import { t } from "../i18n/index.js";

/** A Kernel lab address: its whole view in the hash (static/js/kernel_lab/view_link.js). */
const kernelLab = (entries) => `/#${new URLSearchParams(entries).toString().replaceAll("%2C", ",")}`;

/** A Network explorer address: model, input and selected map in the query. */
const explorer = (entries) => `/explorer?${new URLSearchParams(entries)}`;

const EDGE_KERNEL = [
  [1, 0, -1],
  [2, 0, -2],
  [1, 0, -1],
];
const EDGE_WINDOW = [
  [200, 120, 40],
  [210, 100, 30],
  [190, 110, 50],
];

// The Numbers tab's input for the stride-and-padding step: 7 x 7, so stride 2 with one zero of
// padding lands exactly on both borders.
const GRID_7 = [
  [0, 1, 2, 3, 2, 1, 0],
  [1, 3, 4, 5, 4, 3, 1],
  [2, 4, 7, 8, 7, 4, 2],
  [3, 5, 8, 9, 8, 5, 3],
  [2, 4, 7, 8, 7, 4, 2],
  [1, 3, 4, 5, 4, 3, 1],
  [0, 1, 2, 3, 2, 1, 0],
];

const POOL_MAP = [
  [1, 3, 2, 0],
  [5, 4, 1, 1],
  [0, 2, 6, 7],
  [3, 1, 8, 2],
];

const STRIDE_QUESTION = { size: 28, kernel: 5, stride: 2, padding: 0 };

// LeNet-5 as ConvLens ships it (app/core/architecture/presets.py), side by side through the net.
const LENET_CONV1 = outputSize({ size: 28, kernel: 5, padding: "same" });
const LENET_POOL1 = outputSize({ size: LENET_CONV1, kernel: 2, stride: 2 });
const LENET_CONV2 = outputSize({ size: LENET_POOL1, kernel: 5 });
const LENET_POOL2 = outputSize({ size: LENET_CONV2, kernel: 2, stride: 2 });
const LENET_FLAT = LENET_POOL2 * LENET_POOL2 * 16;

const LENET_CONV2_PARAMS = { kernel: 5, inChannels: 6, filters: 16 };

const COLOUR_FILTER = { kernel: 5, inChannels: 3 };

export const STEPS = [
  {
    id: "kernel",
    title: t("What a kernel does"),
    short: t("Kernels"),
    text: [
      t("A kernel is a small grid of weights, here 3 × 3. It slides over the picture, and at each " +
        "position every weight is multiplied by the pixel under it; the products are added up " +
        "to give one output pixel."),
      t("This is cross-correlation, exactly what Keras Conv2D computes: the kernel is not flipped " +
        "first, as a textbook convolution would do."),
      t("The kernel in the live view has 1, 2, 1 in its left column and −1, −2, −1 in its right " +
        "one. It answers strongly where the left of the window is brighter than the right: a " +
        "vertical edge."),
    ],
    view: {
      // Output pixel (470, 248) sits on the tripod's leg: its multiply-and-sum shows the edge.
      href: kernelLab([
        ["kernel", JSON.stringify(EDGE_KERNEL)],
        ["label", "Vertical edges"],
        ["sample", "camera"],
        ["pixel", "470,248"],
      ]),
      title: t("Kernel lab: a vertical-edge kernel on the cameraman photo"),
      show: "#image-result-heading",
      try: t("Hover over or tap the output to see one pixel's multiply-and-sum. Edit a weight and watch the output change."),
    },
    question: {
      kind: "number",
      prompt: t("The window covers the pixels on the left; the kernel is on the right. What output value does Keras Conv2D give here?"),
      grids: [
        { caption: t("Pixels under the window"), rows: EDGE_WINDOW },
        { caption: t("Kernel"), rows: EDGE_KERNEL },
      ],
      answer: crossCorrelate(EDGE_WINDOW, EDGE_KERNEL),
      working: t(
        "1·200 + 0·120 − 1·40 + 2·210 + 0·100 − 2·30 + 1·190 + 0·110 − 1·50 = {sum}. A big positive value: the left is brighter.",
        { sum: crossCorrelate(EDGE_WINDOW, EDGE_KERNEL) },
      ),
      hint: t("Multiply each pixel by the weight in the same place, then add the nine products."),
      mistakes: [
        {
          value: crossCorrelate(EDGE_WINDOW, flipped(EDGE_KERNEL)),
          says: t("That is a textbook convolution, with the kernel turned by 180°. Keras Conv2D does not turn it."),
        },
      ],
    },
  },
  {
    id: "stride-padding",
    title: t("Stride, padding and the output size"),
    short: t("Stride and padding"),
    text: [
      t("The stride is how many pixels the window moves between two outputs: with stride 2 the " +
        "output is about half as wide. Padding adds zeros around the input, so the window can " +
        "also sit on the border."),
      t("With p zeros on each side (padding \"valid\" means p = 0), an input n pixels wide, a " +
        "kernel k wide and stride s give floor((n + 2p − k) / s) + 1 outputs along that side."),
      t("Keras's padding \"same\" adds just enough zeros for ceil(n / s) outputs, so with stride 1 " +
        "the size stays n."),
      t(
        "The live view steps a 3 × 3 window over a 7 × 7 grid with stride 2 and one zero of " +
          "padding: floor((7 + 2 − 3) / 2) + 1 = {size}.",
        { size: outputSize({ size: 7, kernel: 3, stride: 2, padding: 1 }) },
      ),
    ],
    view: {
      href: kernelLab([
        ["tab", "numbers"],
        ["input", JSON.stringify(GRID_7)],
        ["stride", "2"],
        ["padding", "1"],
        ["fill", "1"], // the output fills in as the window steps: stride 2 skips every second place
      ]),
      title: t("Kernel lab, Numbers tab: a 3 × 3 kernel on a 7 × 7 grid, stride 2, padding 1"),
      show: "#numbers-heading",
      try: t("Press Step: the window moves 2 cells at a time. Above the grid, change the stride or the padding and read the new output size."),
    },
    question: {
      kind: "number",
      prompt: t("A 28 × 28 picture, a 5 × 5 kernel, stride 2, padding \"valid\". How many pixels wide is the output?"),
      answer: outputSize(STRIDE_QUESTION),
      working: t("floor((28 + 0 − 5) / 2) + 1 = floor(11.5) + 1 = {size}. The last column of the input is never reached.", {
        size: outputSize(STRIDE_QUESTION),
      }),
      hint: t("Use floor((n + 2p − k) / s) + 1 with n = 28, p = 0, k = 5, s = 2. Round down before adding 1."),
      mistakes: [
        { value: 12.5, says: t("Round down: a window cannot stop half-way, so floor(11.5) = 11, then add 1.") },
        { value: outputSize({ size: 28, kernel: 5 }), says: t("That is the size with stride 1. Divide by the stride 2 before adding 1.") },
        { value: 14, says: t("That is ceil(28 / 2), the size with padding \"same\". With \"valid\" the window must fit inside.") },
      ],
    },
  },
  {
    id: "channels",
    title: t("Several filters and channels"),
    short: t("Filters and channels"),
    text: [
      t("A Conv2D layer holds several kernels, called filters. Each filter makes its own output " +
        "map, so a layer with 16 filters outputs 16 channels."),
      t("A colour picture has 3 channels: red, green and blue. A filter on it has a slice of " +
        "weights for each channel; it multiplies all of them with the pixels and adds " +
        "everything, plus one bias, into a single number."),
      t("So one 3 × 3 filter on a colour picture holds 3 × 3 × 3 = 27 weights and makes one map, " +
        "not three."),
      t("The live view shows the first layer of a small network for colour pictures: its 16 " +
        "filters and the 16 maps they make of a photo."),
    ],
    view: {
      href: explorer([
        ["model", "colour-shapes"],
        ["photo", "chelsea"],
        ["scale", "map"], // each map its own colour scale: a filter that answers weakly still shows
        // Wanted: layer=block1_conv1&map=<n> to select a map; but the explorer then scrolls to
        // it with scrollIntoView, which scrolls this page too. "show" scrolls the frame alone.
      ]),
      title: t("Network explorer: the colour-shapes network's first layer on a photo of a cat"),
      show: "section.layer[data-layer=block1_conv1]",
      try: t("Compare the 16 maps of the first layer: each filter picks out something else. Click a map to enlarge it."),
    },
    question: {
      kind: "number",
      prompt: t("A Conv2D layer has 8 filters of 5 × 5 and reads a 32 × 32 colour picture (3 channels). How many weights does one filter hold, not counting its bias?"),
      answer: filterWeights(COLOUR_FILTER),
      working: t("5 × 5 weights for each of the 3 channels: 5 × 5 × 3 = {weights}. The number of filters does not change it.", {
        weights: filterWeights(COLOUR_FILTER),
      }),
      hint: t("A filter covers every input channel, each with its own 5 × 5 slice of weights."),
      mistakes: [
        { value: 25, says: t("That is one channel's slice. The filter has a 5 × 5 slice for each of the 3 channels.") },
        { value: 5 * 5 * 3 * 8, says: t("That is all 8 filters together. The question asks about one filter.") },
        { value: 76, says: t("That counts the bias too. The question asks for the weights only.") },
      ],
    },
  },
  {
    id: "pooling",
    title: t("Pooling"),
    short: t("Pooling"),
    text: [
      t("Pooling shrinks a map and has no weights to learn. Max pooling with pool_size 2 and " +
        "strides 2 cuts the map into 2 × 2 squares and keeps the largest value of each; " +
        "average pooling keeps their mean."),
      t("A 28 × 28 map becomes 14 × 14, and a feature that moves by one pixel often gives the " +
        "same pooled value."),
      t("Pooling works on each channel on its own, so the number of channels stays the same."),
      t("In the live view, a convolution's output is pooled with 2 × 2 max pooling."),
    ],
    view: {
      href: kernelLab([
        ["tab", "numbers"],
        ["pool", "max"],
      ]),
      title: t("Kernel lab, Numbers tab: a convolution followed by 2 × 2 max pooling"),
      show: "#numbers-pool-heading",
      try: t("Look at which value wins each 2 × 2 window. Switch to average pooling and compare."),
    },
    question: {
      kind: "number",
      prompt: t("2 × 2 max pooling with stride 2 turns this 4 × 4 map into a 2 × 2 one. What is the value at the bottom right of the result?"),
      grids: [{ caption: t("The map"), rows: POOL_MAP }],
      answer: maxPool(POOL_MAP)[1][1],
      working: t("The bottom-right window holds 6, 7, 8 and 2; max pooling keeps the largest, {value}. The whole result is {result}.", {
        value: maxPool(POOL_MAP)[1][1],
        result: JSON.stringify(maxPool(POOL_MAP)),
      }),
      hint: t("Find the 2 × 2 window in the bottom-right corner and keep its largest value."),
      mistakes: [
        { value: averagePool(POOL_MAP)[1][1], says: t("That is the average of the window: average pooling. Max pooling keeps the largest value.") },
      ],
    },
  },
  {
    id: "network",
    title: t("A whole network"),
    short: t("A whole network"),
    text: [
      t("A CNN stacks these parts. LeNet-5, as ConvLens ships it, reads a 28 × 28 digit with: " +
        "Conv2D, 6 filters of 5 × 5, padding \"same\"; max pooling 2 × 2; Conv2D, 16 filters of " +
        "5 × 5, padding \"valid\"; max pooling 2 × 2."),
      t("Flatten then lays the 16 maps out as one long list of numbers. Dense layers of 120 and " +
        "84 units combine them, and the last layer, a softmax over 10 units, gives one " +
        "probability for each digit."),
      t("The first maps still look like the digit; the later ones are small and abstract."),
    ],
    view: {
      href: explorer([
        ["model", "lenet5"],
        ["digit", "mnist-test-00000"],
        // Wanted: layer=conv2&map=<n>, as in the step above.
      ]),
      title: t("Network explorer: LeNet-5 reading a test digit 7, every layer"),
      show: "#network-heading",
      try: t("Scroll from the input to the answer and read each layer's shape. Click a map to enlarge it."),
    },
    question: {
      kind: "number",
      prompt: t("How many numbers does Flatten pass to LeNet-5's first dense layer?"),
      answer: LENET_FLAT,
      working: t(
        'conv1 ("same"): {conv1} × {conv1} × 6; pool1: {pool1} × {pool1} × 6; ' +
          'conv2 ("valid"): 14 − 5 + 1 = {conv2}, so {conv2} × {conv2} × 16; ' +
          "pool2: {pool2} × {pool2} × 16. Flatten: {pool2} × {pool2} × 16 = {flat}.",
        { conv1: LENET_CONV1, pool1: LENET_POOL1, conv2: LENET_CONV2, pool2: LENET_POOL2, flat: LENET_FLAT },
      ),
      hint: t("Follow the size through each layer with the output-size formula, then multiply rows × columns × channels."),
      mistakes: [
        { value: 7 * 7 * 16, says: t("That would be right if conv2 kept the size. With padding \"valid\" a 5 × 5 kernel makes 14 × 14 into 10 × 10.") },
        { value: 4 * 4 * 16, says: t("Check conv1: padding \"same\" keeps 28 × 28, so pool1 gives 14 × 14.") },
      ],
    },
  },
  {
    id: "parameters",
    title: t("Parameters"),
    short: t("Parameters"),
    text: [
      t("The parameters are the numbers that training adjusts. A Conv2D layer has kh × kw × in " +
        "weights for each filter and one bias for each filter: (kh · kw · in + 1) · filters, " +
        "whatever the size of the picture."),
      t("A Dense layer has (inputs + 1) · units. Pooling and Flatten have none."),
      t("That is why convolutions need few parameters, while the first dense layer after Flatten " +
        "often holds most of a small network's."),
      t("The live view is the Architecture lab with LeNet-5: each row shows a layer's output " +
        "shape and its parameters, except conv2's, which its quiz asks for."),
    ],
    view: {
      // The lab's quiz asks the step's question (layers[3] is conv2), its answer hidden.
      href: "/architectures?ask=layers[3]:params#lenet5",
      title: t("Architecture lab: LeNet-5's layers, shapes and parameters"),
      show: "#quiz-heading",
      try: t("Answer the lab's quiz too, then check fc1's count with the Dense formula. Change a layer's filters and see which counts move."),
    },
    question: {
      kind: "number",
      prompt: t("LeNet-5's second convolution has 16 filters of 5 × 5 and reads the 6 channels from pool1. How many parameters does it have?"),
      answer: conv2dParameters(LENET_CONV2_PARAMS),
      working: t("(5 · 5 · 6 + 1) · 16 = 151 · 16 = {params}: 2,400 weights and 16 biases.", {
        params: conv2dParameters(LENET_CONV2_PARAMS),
      }),
      hint: t("Use (kh · kw · in + 1) · filters with kh = kw = 5, in = 6 and 16 filters."),
      mistakes: [
        { value: 5 * 5 * 6 * 16, says: t("You have the weights. Each of the 16 filters also has one bias.") },
        { value: (5 * 5 + 1) * 16, says: t("Each filter also spans the 6 input channels: 5 · 5 · 6 weights, not 5 · 5.") },
      ],
    },
  },
  {
    id: "own-images",
    title: t("Your own images"),
    short: t("Your own images"),
    text: [
      t("A network learns its filters from examples. On the Training page you upload your own " +
        "images, one folder per class, pick a network and train it."),
      t("After each epoch (one pass over the training images) you see the loss and the accuracy. " +
        "The validation images are held back from training: they show how the network does on " +
        "pictures it has not learned from."),
      t("When the training loss keeps falling but the validation loss rises, the network is " +
        "memorising its training images: it overfits."),
      t("When training ends, open your model in the Network explorer and look at what its filters " +
        "learned."),
    ],
    view: {
      // Wanted: a shared dataset and recipe preset in the link, once the Training page keeps them.
      href: "/training",
      title: t("Training: train a network on your own images"),
      show: "#own-heading",
      try: t("Upload a .zip with one folder of images per class, then start training and watch the curves."),
    },
    question: {
      kind: "choice",
      prompt: t("The training loss keeps falling, but the validation loss has risen for the last three epochs. What is happening?"),
      options: [
        {
          text: t("The network is memorising its training images (overfitting)."),
          correct: true,
          says: t("It gets better on the images it trains on and worse on new ones. More images, dropout or stopping earlier help."),
        },
        {
          text: t("The network has not learned enough yet (underfitting)."),
          says: t("An underfitting network does badly on the training images too, but here the training loss keeps falling."),
        },
        {
          text: t("The validation images are broken."),
          says: t("Broken validation images would look bad from the first epoch on. Here they got worse only as training went on."),
        },
        {
          text: t("Nothing: the validation loss always rises late in training."),
          says: t("It need not rise. When it rises while the training loss falls, the network is fitting its training images too closely."),
        },
      ],
    },
  },
];
