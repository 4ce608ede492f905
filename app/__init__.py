"""ConvLens: see what a convolutional neural network does to an image."""

__version__ = "0.1.0"
